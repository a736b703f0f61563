/**
 * One protocol stream between the testkit (playing the proxy) and the production stream loop of an entity kind,
 * in memory: each message crosses real protobuf bytes both ways, as over gRPC, and {@link InMemoryStream.send}
 * resolves with everything the loop answered once it waits for the next message, so no timer is involved.
 */
import { withEncodingCheck, type EncodingProblem } from "../../encoding-check.js";
import { RequestQueue } from "./stream.js";

/** The ts-proto functions of a protocol message. */
export interface WireType<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: never): T;
}

/** A message as it arrives at the other end of a gRPC stream: encoded, then decoded. */
export function acrossTheWire<T>(type: WireType<T>, message: unknown): T {
  return type.decode(type.encode(type.fromPartial(message as never)).finish());
}

/** A protocol stream driven one message at a time. */
export class InMemoryStream<In, Out> {
  readonly #inbox: RequestQueue<In>;
  readonly #received: Out[] = [];
  /** Encoding problems of everything the loop encoded since the last send. */
  readonly #problems: EncodingProblem[] = [];
  #idle: (() => void) | undefined;
  #ended = false;
  #error: unknown;

  constructor(
    run: (requests: AsyncIterable<In>) => AsyncIterable<unknown>,
    private readonly inType: WireType<In>,
    private readonly outType: WireType<Out>,
  ) {
    this.#inbox = new RequestQueue(() => this.#settle());
    // The whole loop runs inside the encoding check, so every encode it makes, however deep, is checked.
    void withEncodingCheck(this.#problems, () => this.#pump(run(this.#inbox)));
  }

  /** True once the loop ended the stream (a stream-level failure, or the testkit closed it). */
  get ended(): boolean {
    return this.#ended;
  }

  async #pump(responses: AsyncIterable<unknown>): Promise<void> {
    try {
      for await (const response of responses) this.#received.push(acrossTheWire(this.outType, response));
    } catch (error) {
      this.#error = error;
    }
    this.#ended = true;
    this.#settle();
  }

  #settle(): void {
    const idle = this.#idle;
    this.#idle = undefined;
    idle?.();
  }

  /**
   * Sends one message (encoded and decoded on the way, as the proxy's would be) and resolves, once the loop waits
   * for the next one or ended the stream, with its answers and the encoding problems of what it encoded.
   * @throws Error when the stream had already ended, or when the loop threw (a runtime bug: it must not).
   */
  async send(message: unknown): Promise<{ answers: Out[]; problems: EncodingProblem[] }> {
    if (this.#ended) throw new Error("the entity's stream has ended; start a new one");
    const settled = new Promise<void>((resolve) => {
      this.#idle = resolve;
    });
    this.#inbox.push(acrossTheWire(this.inType, message));
    await settled;
    const error = this.#error;
    if (error !== undefined)
      throw error instanceof Error ? error : new Error("the entity stream loop failed", { cause: error });
    return { answers: this.#received.splice(0), problems: this.#problems.splice(0) };
  }

  /** Ends the stream from the proxy's side (as when the proxy passivates the entity). */
  close(): void {
    this.#inbox.close();
  }
}
