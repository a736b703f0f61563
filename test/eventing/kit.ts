/**
 * The harness pieces the eventing tests use, from one place: processes, and the proxy in front of entities served
 * in this process (the same shape as the testkit's CloudstateTestEnvironment).
 */
import { CloudstateServer, type Logger, type ServableEntity } from "cloudstate-ts";
import { ARTIFACTS, classpathOf, startProxy, type RunningProxy } from "../e2e/proxy.js";

export { freePort, start as startProcess, stopAll, type Started } from "../e2e/processes.js";

export interface EnvironmentOptions {
  readonly entities: readonly ServableEntity[];
  readonly jvmOptions?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly fixes?: boolean;
  readonly userFunctionPort?: number;
}

/** Keeps the user function's log lines, for assertions. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  debug(): void {}
  info(message: string): void {
    this.lines.push(`INFO ${message}`);
  }
  warn(message: string, detail?: unknown): void {
    this.lines.push(`WARN ${message}${detail instanceof Error ? ` ${detail.message}` : ""}`);
  }
  error(message: string, detail?: unknown): void {
    this.lines.push(`ERROR ${message}${detail instanceof Error ? ` ${detail.message}` : ""}`);
  }
}

export class Environment {
  private constructor(
    readonly proxy: RunningProxy,
    private server: CloudstateServer,
    readonly userFunctionPort: number,
    readonly log: MemoryLogger,
    private readonly entities: readonly ServableEntity[],
  ) {}

  static async start(options: EnvironmentOptions): Promise<Environment> {
    const log = new MemoryLogger();
    const server = new CloudstateServer({ entities: options.entities, logger: log });
    const port = await server.start({ host: "127.0.0.1", port: options.userFunctionPort ?? 0 });
    const classpath = classpathOf(options.fixes === true ? "cloudstate-proxy-fixes_2.13" : ARTIFACTS.proxy);
    try {
      const proxy = await startProxy(classpath, {
        userFunctionPort: port,
        jvmOptions: options.jvmOptions ?? [],
        env: { ...options.env },
      });
      return new Environment(proxy, server, port, log, options.entities);
    } catch (error) {
      await server.shutdown(1000);
      throw error;
    }
  }

  get address(): string {
    return `127.0.0.1:${this.proxy.port}`;
  }

  get proxyLog(): string {
    return this.proxy.process.output;
  }

  waitForProxyLog(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return this.proxy.process.waitFor(pattern, timeoutMs);
  }

  async restartUserFunction(): Promise<void> {
    await this.server.shutdown(1000);
    this.server = new CloudstateServer({ entities: this.entities, logger: this.log });
    await this.server.start({ host: "127.0.0.1", port: this.userFunctionPort });
  }

  async stop(): Promise<void> {
    await this.proxy.stop();
    await this.server.shutdown(1000);
  }
}
