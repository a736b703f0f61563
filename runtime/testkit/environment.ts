/**
 * The integration test environment: the user's entities served in-process on a free loopback port, the real
 * Cloudstate proxy started in front of them, and typed clients through the proxy. One call starts it all; `stop()`
 * (or `await using`) stops it all.
 */
import { createChannel, createClient, type Channel, type Client, type CompatServiceDefinition } from "nice-grpc";
import { memoryLogger, type MemoryLogger } from "./memory-logger.js";
import { CloudstateServer, type ServableEntity } from "../server.js";
import type { Logger } from "../logger.js";
import { startProxy, type ProxyOptions, type ProxyProcess } from "./proxy.js";

/** What to serve and which proxy to put in front of it. */
export interface TestEnvironmentOptions extends Omit<ProxyOptions, "userFunctionPort" | "waitUntil"> {
  /** The entities to serve, as `serve` takes them. */
  readonly entities: readonly ServableEntity[];
  /** Where the user function's log lines go. Default: kept in memory, see {@link CloudstateTestEnvironment.userFunctionLog}. */
  readonly logger?: Logger;
}

/**
 * A user function and the real proxy in front of it, for integration tests.
 *
 * ```ts
 * await using env = await CloudstateTestEnvironment.start({ entities: [counterEntity(counter)] });
 * const counter = env.client(CounterDefinition);
 * await counter.increase({ counterId: "c1", by: 2 });
 * ```
 *
 * On the released 0.6.0 proxy, a value entity that was active when the user function restarted never answers
 * again until the proxy restarts (`docs/reliability.md`); {@link restartUserFunction} says so when the environment
 * serves value entities without the fixes.
 */
export class CloudstateTestEnvironment implements AsyncDisposable {
  readonly #options: TestEnvironmentOptions;
  readonly #channel: Channel;
  readonly #log: MemoryLogger;
  #server: CloudstateServer;
  #stopped = false;

  private constructor(
    options: TestEnvironmentOptions,
    server: CloudstateServer,
    log: MemoryLogger,
    /** The port the user function listens on, on 127.0.0.1. */
    readonly userFunctionPort: number,
    /** The running proxy. */
    readonly proxy: ProxyProcess,
  ) {
    this.#options = options;
    this.#server = server;
    this.#log = log;
    this.#channel = createChannel(this.address);
  }

  /**
   * Serves `entities` on a free port, starts the proxy (development mode unless `flavour: "postgres"`) in front
   * of them, and resolves once the proxy is online and answers. Everything started is stopped if any step fails.
   * @throws DiscoveryRejectedError with the proxy's own message when the proxy refuses the entities.
   */
  static async start(options: TestEnvironmentOptions): Promise<CloudstateTestEnvironment> {
    const log = memoryLogger();
    const server = new CloudstateServer({ entities: options.entities, logger: options.logger ?? log });
    const userFunctionPort = await server.start({ host: "127.0.0.1", port: 0 });
    let proxy: ProxyProcess | undefined;
    try {
      proxy = await startProxy({ ...options, userFunctionPort });
      return new CloudstateTestEnvironment(options, server, log, userFunctionPort, proxy);
    } catch (error) {
      await proxy?.stop();
      await server.shutdown(1000);
      throw error;
    }
  }

  /** The proxy's public port on 127.0.0.1: gRPC, HTTP/JSON and server reflection. */
  get proxyPort(): number {
    return this.proxy.port;
  }

  /** `127.0.0.1:<proxy port>`, for gRPC clients. */
  get address(): string {
    return `127.0.0.1:${this.proxy.port}`;
  }

  /** `http://127.0.0.1:<proxy port>`, for the HTTP/JSON routes of the services' protos. */
  get httpUrl(): string {
    return `http://${this.address}`;
  }

  /** Everything the proxy printed so far. */
  get proxyLog(): string {
    return this.proxy.log;
  }

  /** The user function's log lines, when no `logger` was given. */
  get userFunctionLog(): string {
    return this.#log.lines.map((line) => `${line.level} ${line.message}`).join("\n");
  }

  /** A typed client of `definition` through the proxy (for example `env.client(ShoppingCartDefinition)`). */
  client<S extends CompatServiceDefinition>(definition: S): Client<S> {
    return createClient(definition, this.#channel);
  }

  /** Resolves with the first match of `pattern` in the proxy's log printed from now on, or already printed. */
  waitForProxyLog(pattern: RegExp, timeoutMs = 30_000, since = 0): Promise<RegExpMatchArray> {
    return this.proxy.process.waitFor(pattern, timeoutMs, since);
  }

  /**
   * Stops the in-process user function (as a crash would: its open streams are cut) and serves the same entities
   * again on the same port. The proxy keeps the entities' state and reconnects.
   */
  async restartUserFunction(): Promise<void> {
    this.#ensureRunning();
    await this.#server.shutdown(0);
    this.#server = new CloudstateServer({
      entities: this.#options.entities,
      logger: this.#options.logger ?? this.#log,
    });
    await this.#server.start({ host: "127.0.0.1", port: this.userFunctionPort });
    if (this.#options.fixes !== true && this.#options.entities.some((entity) => entity.kind === "value")) {
      process.emitWarning(
        "cloudstate-ts/testkit: on the released Cloudstate 0.6.0 proxy, a value entity that had a stream open when " +
          "the user function restarted never answers again until the proxy restarts (docs/reliability.md). " +
          "Start the environment with `fixes: true` to use the fixes artifact (not upstream), or restart the proxy.",
        "CloudstateProxyDefect",
      );
    }
  }

  /** Stops the proxy and the user function; safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#channel.close();
    await Promise.allSettled([this.proxy.stop(), this.#server.shutdown(1000)]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #ensureRunning(): void {
    if (this.#stopped) throw new Error("the test environment is stopped");
  }
}
