/** A logger that keeps its lines in memory, for assertions and for showing a user function's log on failure. */
import type { Logger } from "../logger.js";
import { Conditions } from "./conditions.js";

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
  /** The lines so far as text, each `<level> <message>` and a newline. */
  text(): string;
  /**
   * Resolves with the first match of `pattern` in {@link MemoryLogger.text} (at once if already there, else as
   * soon as a line makes it match); with `since` (an earlier `text().length`), only text logged after that point
   * counts, so a line that came later starts the searched text. Rejects after `timeoutMs`, quoting what was logged
   * since.
   */
  waitFor(pattern: RegExp, timeoutMs: number, since?: number): Promise<RegExpMatchArray>;
}

/** A new, empty {@link MemoryLogger}. */
export function memoryLogger(): MemoryLogger {
  const lines: LogLine[] = [];
  const logged = new Conditions();
  // Kept as it grows, so a wait re-reads only what came after its `since`, not the whole log joined again.
  let text = "";
  const at =
    (level: LogLine["level"]) =>
    (message: string, detail?: unknown): void => {
      lines.push({ level, message, detail });
      text += `${level} ${message}\n`;
      logged.changed();
    };
  const waitFor = async (pattern: RegExp, timeoutMs: number, since = 0): Promise<RegExpMatchArray> => {
    const find = (): RegExpMatchArray | null => text.slice(since).match(pattern);
    await logged.waitUntil(
      () => find() !== null,
      timeoutMs,
      () => new Error(`nothing logged matched ${pattern} within ${timeoutMs} ms; logged since:\n${text.slice(since)}`),
    );
    const match = find();
    if (match === null) throw new Error(`${pattern} matched, then no longer did`); // lines are only ever appended
    return match;
  };
  return {
    lines,
    text: () => text,
    waitFor,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}
