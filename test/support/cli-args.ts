/**
 * The suites' command lines: node's `parseArgs` (strict, so an unknown or misspelt flag is refused), with a refusal
 * printed as one line naming the command and the flag, and exit code 2, rather than a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Parses `process.argv` with `config` (strict); on a bad flag prints `<command>: <why>` and `usage`, then exits 2. */
export function commandLine<T extends ParseArgsConfig>(
  command: string,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config); // strict unless config says otherwise; none of ours does
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) throw error;
    console.error(`${command}: ${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
