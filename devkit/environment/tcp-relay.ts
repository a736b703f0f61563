/**
 * A TCP relay between the proxy and an in-process user function: it lets a test end the user function the way a
 * crash does (every connection reset, no HTTP/2 goodbye), which a server shut down in-process cannot.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

/** Forwards every connection on `port` to the current target port on 127.0.0.1. */
export class TcpRelay {
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  /** Where connections go; none while the user function is down, when they are reset as a closed port's are. */
  #target: number | undefined;

  private constructor(server: Server, target: number) {
    this.#server = server;
    this.#target = target;
  }

  /** Listens on 127.0.0.1:`port` (0 for a free one) and forwards to `target`. */
  static async start(port: number, target: number): Promise<TcpRelay> {
    const server = createServer();
    const relay = new TcpRelay(server, target);
    server.on("connection", (incoming) => relay.#forward(incoming));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return relay;
  }

  /** The port it listens on. */
  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("the relay is not listening");
    return address.port;
  }

  /** Sends new connections to `target` from now on; with none, resets them at once (nothing listens). */
  retarget(target: number | undefined): void {
    this.#target = target;
  }

  /** Resets every open connection, both ways, as when the process behind it is killed. */
  cut(): void {
    for (const socket of this.#open) socket.resetAndDestroy();
    this.#open.clear();
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(incoming: Socket): void {
    if (this.#target === undefined) {
      incoming.resetAndDestroy();
      return;
    }
    const outgoing = connect(this.#target, "127.0.0.1");
    for (const [socket, other] of [
      [incoming, outgoing],
      [outgoing, incoming],
    ] as const) {
      this.#open.add(socket);
      socket.on("error", () => other.destroy());
      socket.on("close", () => {
        this.#open.delete(socket);
        other.end();
      });
    }
    incoming.pipe(outgoing);
    outgoing.pipe(incoming);
  }
}
