/**
 * The three entity streams (EventSourced, ValueEntity and Crdt `handle`) served straight from grpc-js's server call
 * by a server interceptor (gRFC L112, public since grpc-js 1.10), while nice-grpc keeps serving discovery, actions
 * and anything else. For every call nice-grpc makes an AbortController, a call context with three Metadata
 * objects, a Readable stream of requests read through an async generator, and a second generator around the
 * handler's: kilobytes of heap per open entity and several promise hops per message, for features an entity stream
 * does not use (it reads no request metadata and sends none).
 *
 * What a client sees is unchanged: requests are read one at a time, the next only when the loop asks for it, so
 * gRPC flow control holds back a client that writes faster than the entity works; the client's half-close ends the
 * loop and the call with OK; a cancellation, a deadline (grpc-js sends DEADLINE_EXCEEDED) or a forced shutdown
 * ends the loop; a request that does not decode is answered by grpc-js with INTERNAL; an error thrown out of the
 * loop (a bug: it answers bad input itself) is logged and sent as UNKNOWN with nice-grpc's generic message.
 */
import type {
  Metadata,
  ServerInterceptingCall,
  ServerInterceptingCallInterface,
  ServerInterceptor,
} from "@grpc/grpc-js";
import { Status } from "nice-grpc";
import type { Logger } from "./logger.js";

/** What a call tells of its progress (grpc-js does not export the type by name). */
type CallListener = Parameters<ServerInterceptingCallInterface["start"]>[0];

/** Runs one entity stream: its requests in, its answers out. @internal */
export type EntityStreamRunner = (requests: AsyncIterable<never>) => AsyncGenerator<unknown, void, undefined>;

/**
 * Answers written but not yet taken by the transport before the loop waits: what a grpc-js server stream buffers
 * before its `write()` returns false (an object-mode Writable's high-water mark).
 */
const WRITES_AHEAD = 16;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A server interceptor that serves the calls whose method path `runners` names, and passes every other call on
 * unchanged. @internal
 */
export function entityStreamInterceptor(
  runners: ReadonlyMap<string, EntityStreamRunner>,
  logger: Logger,
): ServerInterceptor {
  return (method, call) => {
    const run = runners.get(method.path);
    // The server's own handler (nice-grpc's) is never started for these calls: the interceptor never passes the
    // call's metadata on, and that is what starts a handler. grpc-js uses only the interface's methods of what an
    // interceptor returns.
    return (run === undefined ? call : new TakenCall(call, run, method.path, logger)) as ServerInterceptingCall;
  };
}

/**
 * What the server sees of a call the interceptor serves: starting it starts the entity stream instead of the
 * server's handler; the rest passes through. A class, so that the methods are shared rather than made per call.
 */
class TakenCall implements ServerInterceptingCallInterface {
  readonly #call: ServerInterceptingCallInterface;
  readonly #run: EntityStreamRunner;
  readonly #path: string;
  readonly #logger: Logger;

  constructor(call: ServerInterceptingCallInterface, run: EntityStreamRunner, path: string, logger: Logger) {
    this.#call = call;
    this.#run = run;
    this.#path = path;
    this.#logger = logger;
  }

  start(): void {
    this.#call.start(new EntityStreamCall(this.#call, this.#run, this.#path, this.#logger));
  }
  sendMetadata(metadata: Metadata): void {
    this.#call.sendMetadata(metadata);
  }
  sendMessage(message: unknown, callback: () => void): void {
    this.#call.sendMessage(message, callback);
  }
  sendStatus(status: Parameters<ServerInterceptingCallInterface["sendStatus"]>[0]): void {
    this.#call.sendStatus(status);
  }
  startRead(): void {
    this.#call.startRead();
  }
  getPeer(): string {
    return this.#call.getPeer();
  }
  getDeadline(): ReturnType<ServerInterceptingCallInterface["getDeadline"]> {
    return this.#call.getDeadline();
  }
  getHost(): string {
    return this.#call.getHost();
  }
  getAuthContext(): ReturnType<ServerInterceptingCallInterface["getAuthContext"]> {
    return this.#call.getAuthContext();
  }
  getConnectionInfo(): ReturnType<ServerInterceptingCallInterface["getConnectionInfo"]> {
    return this.#call.getConnectionInfo();
  }
  getMetricsRecorder(): ReturnType<ServerInterceptingCallInterface["getMetricsRecorder"]> {
    return this.#call.getMetricsRecorder();
  }
}

/** One entity stream's call: its requests as an async iterable for the loop, its answers written with flow control. */
class EntityStreamCall implements CallListener, AsyncIterator<never>, AsyncIterable<never> {
  readonly #call: ServerInterceptingCallInterface;
  readonly #run: EntityStreamRunner;
  readonly #path: string;
  readonly #logger: Logger;
  /** The loop's pending read, resolved by the next message, the half-close or the end of the call. */
  #reading: ((result: IteratorResult<never>) => void) | undefined;
  /** No more requests: the client half-closed, the call ended, or the loop let go of its requests. */
  #requestsDone = false;
  /** The call is over for the transport (cancelled, deadline, shutdown, or a status sent): nothing more is sent. */
  #callOver = false;
  #writesAhead = 0;
  #writable: (() => void) | undefined;

  constructor(call: ServerInterceptingCallInterface, run: EntityStreamRunner, path: string, logger: Logger) {
    this.#call = call;
    this.#run = run;
    this.#path = path;
    this.#logger = logger;
  }

  onReceiveMetadata(_metadata: Metadata): void {
    void this.#serve();
  }

  onReceiveMessage(message: unknown): void {
    const reading = this.#reading;
    this.#reading = undefined;
    reading?.({ done: false, value: message as never });
  }

  onReceiveHalfClose(): void {
    this.#endRequests();
  }

  onCancel(): void {
    this.#callOver = true;
    this.#endRequests();
    this.#wakeWriter();
  }

  [Symbol.asyncIterator](): AsyncIterator<never> {
    return this;
  }

  next(): Promise<IteratorResult<never>> {
    if (this.#requestsDone) return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.#reading = resolve;
      this.#call.startRead();
    });
  }

  return(): Promise<IteratorResult<never>> {
    this.#endRequests();
    return Promise.resolve(DONE);
  }

  #endRequests(): void {
    this.#requestsDone = true;
    const reading = this.#reading;
    this.#reading = undefined;
    reading?.(DONE);
  }

  #wakeWriter(): void {
    const writable = this.#writable;
    this.#writable = undefined;
    writable?.();
  }

  async #serve(): Promise<void> {
    const answers = this.#run(this);
    try {
      for (let answer = await answers.next(); answer.done !== true; answer = await answers.next()) {
        if (this.#callOver) {
          // Nothing can be sent any more: end the loop where it stands (its cleanup runs).
          await answers.return(undefined);
          return;
        }
        const full = this.#write(answer.value);
        if (full !== undefined) await full;
      }
    } catch (error) {
      this.#logger.error(`${this.#path}: the entity stream loop threw`, error);
      this.#end(Status.UNKNOWN, "Unknown server error occurred");
      return;
    }
    this.#end(Status.OK, "OK");
  }

  /** Hands an answer to the transport; returns a promise to wait on only when too many are still unsent. */
  #write(answer: unknown): Promise<void> | undefined {
    this.#writesAhead++;
    this.#call.sendMessage(answer, () => {
      this.#writesAhead--;
      if (this.#writesAhead < WRITES_AHEAD) this.#wakeWriter();
    });
    if (this.#writesAhead < WRITES_AHEAD || this.#callOver) return undefined;
    return new Promise((resolve) => (this.#writable = resolve));
  }

  #end(code: Status, details: string): void {
    if (this.#callOver) return;
    this.#callOver = true;
    this.#call.sendStatus({ code, details, metadata: null });
  }
}
