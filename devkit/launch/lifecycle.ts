/**
 * The one owner of process-wide exit and signal handling in the devkit. What the devkit starts (child processes,
 * temporary folders) is registered here, and nothing else in it touches `process.on`:
 *
 * - on exit, however it comes (normal end, an uncaught error), every registered child is killed and every
 *   registered folder removed, so no JVM or user function outlives the run;
 * - on SIGINT/SIGTERM, when a command waits for it ({@link untilInterrupted}: `cloudstate-ts dev` and `proxy`
 *   stop their own things in order), the signal is handed to that command; a second signal, or a signal when no
 *   command waits (a test run interrupted), stops every registered child and exits 130 (SIGINT) or 143 (SIGTERM).
 *
 * Handlers are installed on first use, never on import: a library that only imports the devkit keeps its
 * process's own signal handling.
 */

/** Something started that must not outlive this process. */
export interface Stoppable {
  /** Ends it at once (SIGKILL): what exit handlers may do, synchronously. */
  kill(): void;
  /** Ends it in order, resolving once it is gone. */
  stop(): Promise<void>;
}

const children = new Set<Stoppable>();
const onExit = new Set<() => void>();
const waiters = new Set<(signal: NodeJS.Signals) => void>();
let installed = false;
let interrupted = false;

function exitNow(): void {
  for (const child of children) child.kill();
  for (const cleanup of onExit) cleanup();
}

function stopEverythingAndExit(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: stopping ${children.size} started process(es)\n`);
  void Promise.allSettled([...children].map((child) => child.stop())).then(() =>
    process.exit(signal === "SIGINT" ? 130 : 143),
  );
}

function onSignal(signal: NodeJS.Signals): void {
  if (!interrupted && waiters.size > 0) {
    interrupted = true;
    const waiting = [...waiters];
    waiters.clear();
    for (const resolve of waiting) resolve(signal);
    return;
  }
  stopEverythingAndExit(signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", exitNow);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** Registers a started child; returns the function that forgets it (call it once the child has exited). */
export function track(child: Stoppable): () => void {
  install();
  children.add(child);
  return () => children.delete(child);
}

/** Runs `cleanup` (synchronous: a folder removed, say) when this process exits; returns the function that forgets it. */
export function atExit(cleanup: () => void): () => void {
  install();
  onExit.add(cleanup);
  return () => onExit.delete(cleanup);
}

/**
 * Resolves with the signal when this process is told to stop (Ctrl-C, SIGTERM). While a command waits here, the
 * first signal is its to act on; a second one stops everything at once.
 */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  install();
  return new Promise((resolve) => waiters.add(resolve));
}
