/** Child processes for end-to-end tests: free ports, started processes with captured logs, cleanup. */
import { spawn, type ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";

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

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.#output.push(chunk.toString("utf8"));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.#exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  get output(): string {
    return this.#output.join("");
  }

  /** Resolves when `pattern` appears in the output; fails on exit or after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null)
        throw new Error(`${this.name} exited (${this.child.exitCode}) before ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not log ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  tail(lines = 40): string {
    return this.output.split("\n").slice(-lines).join("\n");
  }

  /** Stops the process and everything it started (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.#signalGroup(signal);
    const timer = setTimeout(() => this.#signalGroup("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      // The child leads its own process group (see start), so this reaches npx, tsx and the like too.
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}

export function start(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Started {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return new Started(name, child);
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

/** Resolves once `port` on 127.0.0.1 accepts connections; fails if `started` exits first or after `timeoutMs`. */
export async function waitForPort(port: number, started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (started.child.exitCode !== null) throw new Error(`${started.name} exited:\n${started.tail()}`);
    if (Date.now() > deadline)
      throw new Error(`${started.name} did not listen on ${port} within ${timeoutMs} ms:\n${started.tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
