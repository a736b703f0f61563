/**
 * Child processes for integration tests and scripts: free ports, started processes with captured logs, waits on
 * what they print or bind, and cleanup on every path. Each child leads its own process group, registered with the
 * lifecycle module, which kills every group still alive when this process exits, whether it ends normally, throws,
 * or is interrupted (Ctrl-C, SIGTERM from a test runner), so no JVM or user function outlives the run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";
import { track } from "./lifecycle.js";

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A started process whose output is kept for assertions and failure reports. */
export class Started {
  readonly #output: string[] = [];
  readonly #exited: Promise<number | null>;
  /** Called on each chunk of output and on exit, so waits need no polling. */
  readonly #watchers = new Set<() => void>();
  readonly #onOutput: ((chunk: string) => void) | undefined;

  constructor(
    /** The name in messages, e.g. `proxy`. */
    readonly name: string,
    /** The child process. */
    readonly child: ChildProcess,
    onOutput?: (chunk: string) => void,
  ) {
    this.#onOutput = onOutput;
    const keep = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      this.#output.push(text);
      this.#onOutput?.(text);
      for (const watcher of this.#watchers) watcher();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const forget = track({ kill: () => this.signal("SIGKILL"), stop: () => this.stop("SIGTERM", 3000) });
    this.#exited = new Promise((resolve) =>
      child.once("exit", (code) => {
        forget();
        for (const watcher of this.#watchers) watcher();
        resolve(code);
      }),
    );
  }

  /** Everything it printed so far, stdout and stderr interleaved as they arrived. */
  get output(): string {
    return this.#output.join("");
  }

  /** True once the process has exited. */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves with the exit code (null when a signal ended it). */
  exit(): Promise<number | null> {
    return this.#exited;
  }

  /**
   * Resolves with the first match of `pattern` in the output (at once if already there); fails when the process
   * exits first or after `timeoutMs`, with the end of its output. With `since` (an earlier `output.length`), only
   * output printed after that point counts.
   */
  waitFor(pattern: RegExp, timeoutMs: number, since = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.#watchers.delete(check);
        clearTimeout(timer);
      };
      const check = (): void => {
        const match = this.output.slice(since).match(pattern);
        if (match !== null) {
          done();
          resolve(match);
        } else if (this.exited) {
          done();
          reject(new Error(`${this.name} exited (${this.describeExit()}) before printing ${pattern}:\n${this.tail()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      this.#watchers.add(check);
      check();
    });
  }

  /** How it ended: `code N` or `signal S`. */
  describeExit(): string {
    return this.child.signalCode !== null ? `signal ${this.child.signalCode}` : `code ${this.child.exitCode}`;
  }

  /** The last `lines` lines of its output, for failure messages. */
  tail(lines = 40): string {
    return this.output.split("\n").slice(-lines).join("\n");
  }

  /** Stops the process and everything it started (`signal`, then SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.signal(signal);
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Sends `signal` to the process's whole group (npx, tsx and the like included), at once. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Options of {@link startProcess}. */
export interface StartOptions {
  /** The working folder. Default: this process's. */
  readonly cwd?: string;
  /** Add `env` to this process's environment (default), or run with `env` alone. */
  readonly inheritEnv?: boolean;
  /** Sees each chunk of output as it arrives (to show it live, say). */
  readonly onOutput?: (chunk: string) => void;
}

/** Starts `command` in its own process group, with `env` added to this process's environment (or alone). */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: StartOptions = {},
): Started {
  const child = spawn(command, args, {
    env: options.inheritEnv === false ? env : { ...process.env, ...env },
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return new Started(name, child, options.onOutput);
}

/** Stops every process given, in parallel, whatever state each is in; never throws. */
export async function stopAll(...started: readonly (Started | undefined)[]): Promise<void> {
  await Promise.allSettled(started.map((s) => (s === undefined ? Promise.resolve() : s.stop())));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Resolves once `port` on 127.0.0.1 accepts connections; fails if `started` exits first or after `timeoutMs`.
 * For processes that print nothing when ready; each try is a connection attempt, spaced by `intervalMs`.
 */
export async function waitForPort(port: number, started: Started, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (started.exited) throw new Error(`${started.name} exited (${started.describeExit()}):\n${started.tail()}`);
    if (Date.now() > deadline)
      throw new Error(`${started.name} did not listen on ${port} within ${timeoutMs} ms:\n${started.tail()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Calls `attempt` until it succeeds, for a server that is up but not yet serving (the proxy right after it opened
 * its port, a user function being restarted). An `AssertionError` is a real answer and is thrown at once.
 */
export async function retryUntil<T>(what: string, attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof Error && error.name === "AssertionError") throw error;
      if (Date.now() > deadline) throw new Error(`${what}: still failing after ${timeoutMs} ms`, { cause: error });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
