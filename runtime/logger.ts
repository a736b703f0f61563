/** Where the runtime writes what it has to say. Replace it to route logs elsewhere. */
export interface Logger {
  /** Fine-grained detail for debugging; `consoleLogger` drops it unless `LOG_LEVEL=debug`. */
  debug(message: string, detail?: unknown): void;
  /** What an operator wants to see once: the server listening, a proxy discovering it, a shutdown. */
  info(message: string, detail?: unknown): void;
  /** Something went wrong but the server carries on: a command it could not run, a proxy reporting an error. */
  warn(message: string, detail?: unknown): void;
  /** A failure, such as a handler that threw unexpectedly; `detail` is then the error, stack included. */
  error(message: string, detail?: unknown): void;
}

const levels = ["debug", "info", "warn", "error", "silent"] as const;
type Level = (typeof levels)[number];

function parseLevel(value: string | undefined): Level {
  const wanted = (value ?? "info").toLowerCase();
  return (levels as readonly string[]).includes(wanted) ? (wanted as Level) : "info";
}

/**
 * A logger that writes one line per message to stderr, filtered by `LOG_LEVEL` (debug, info, warn, error, silent;
 * default info). Errors carry their stack.
 */
export function consoleLogger(level: string | undefined = process.env["LOG_LEVEL"]): Logger {
  const threshold = levels.indexOf(parseLevel(level));
  const write = (at: Level, message: string, detail?: unknown): void => {
    if (levels.indexOf(at) < threshold) return;
    const suffix = detail === undefined ? "" : ` ${formatDetail(detail)}`;
    process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase()} cloudstate: ${message}${suffix}\n`);
  };
  return {
    debug: (m, d) => write("debug", m, d),
    info: (m, d) => write("info", m, d),
    warn: (m, d) => write("warn", m, d),
    error: (m, d) => write("error", m, d),
  };
}

function formatDetail(detail: unknown): string {
  if (detail instanceof Error) {
    const own = detail.stack ?? `${detail.name}: ${detail.message}`;
    // A failure that wraps the user's error (an upcaster's, say) keeps the user's in the log.
    return detail.cause === undefined ? own : `${own}\ncaused by: ${formatDetail(detail.cause)}`;
  }
  if (typeof detail === "string") return detail;
  try {
    return JSON.stringify(detail);
  } catch {
    return String(detail);
  }
}
