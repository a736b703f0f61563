/**
 * A user function run as a child process, for tests that must kill it as the operating system would (`kill -9`)
 * or that run one the test did not build itself.
 */
import { startProcess, type StartOptions, type Started } from "./processes.js";

/** The line the runtime logs once it listens (see `CloudstateServer.start`). */
export const USER_FUNCTION_LISTENING = /user function listening/;

/** How to run a user function's `main` in a child process. */
export interface UserFunctionProcessOptions extends StartOptions {
  /** The script to run with `node`: JavaScript, or TypeScript (run with `--import tsx`, which must be installed). */
  readonly script: string;
  /** The port it listens on (`PORT`), on 127.0.0.1 (`HOST`). */
  readonly port: number;
  /** More environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** The name in messages. Default `user function`. */
  readonly name?: string;
  /** How long it may take to listen. Default 60 s. */
  readonly timeoutMs?: number;
}

/**
 * Starts a user function's script on 127.0.0.1 and resolves once it logs that it listens; stops it before
 * throwing if it never does.
 */
export async function startUserFunctionProcess(options: UserFunctionProcessOptions): Promise<Started> {
  const typescript = /\.(c|m)?tsx?$/.test(options.script);
  const { script, port, env, name, timeoutMs, ...startOptions } = options;
  const fn = startProcess(
    name ?? "user function",
    "node",
    [...(typescript ? ["--import", "tsx"] : []), script],
    { HOST: "127.0.0.1", PORT: String(port), ...env },
    startOptions,
  );
  try {
    await fn.waitFor(USER_FUNCTION_LISTENING, timeoutMs ?? 60_000);
  } catch (error) {
    await fn.stop();
    throw error;
  }
  return fn;
}
