/** A logger that keeps its lines in memory, for assertions and for showing a user function's log on failure. */
import type { Logger } from "../logger.js";

/** One line a {@link MemoryLogger} was told. */
export interface LogLine {
  /** The level it was logged at. */
  readonly level: "debug" | "info" | "warn" | "error";
  /** The message. */
  readonly message: string;
  /** The detail passed with it (an error, say), or undefined. */
  readonly detail: unknown;
}

/** A logger that keeps what it is told. */
export interface MemoryLogger extends Logger {
  /** Every line logged so far, in order. */
  readonly lines: readonly LogLine[];
}

/** A new, empty {@link MemoryLogger}. */
export function memoryLogger(): MemoryLogger {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (message: string, detail?: unknown): void => {
      lines.push({ level, message, detail });
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
