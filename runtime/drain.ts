/** Ending request streams cleanly on shutdown. */

/**
 * Yields `source` until `signal` aborts. A message already being handled when it aborts is finished (the consumer
 * pulls the next one only afterwards); a wait for the next message is cut short. Used so that shutdown completes
 * in-flight commands and then ends every entity stream.
 * @internal
 */
export async function* untilAborted<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  if (signal.aborted) return;
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === "aborted" || next.done === true) return;
      yield next.value;
      if (signal.aborted) return;
    }
  } finally {
    if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
    // Release the source without waiting: a pending read may only end when the peer closes its side.
    void iterator.return?.()?.catch(() => undefined);
  }
}
