/** Ending request streams cleanly on shutdown. */

/**
 * Iterates `source` until `signal` aborts. A message already being handled when it aborts is finished (the
 * consumer pulls the next one only afterwards); a wait for the next message is cut short. Used so that shutdown
 * completes in-flight commands and then ends every entity stream.
 *
 * Written as a plain iterator rather than a generator racing each read against the signal: that would cost a
 * promise per message and pile a reaction per message onto the abort promise for the stream's whole life.
 * @internal
 */
export function untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const iterator = source[Symbol.asyncIterator]();
      let finished = false;
      let cutShort: ((result: IteratorResult<T>) => void) | undefined;
      const finish = (): IteratorResult<T> => {
        if (!finished) {
          finished = true;
          signal.removeEventListener("abort", onAbort);
          // Release the source without waiting: a pending read may only end when the peer closes its side.
          void iterator.return?.()?.catch(() => undefined);
        }
        return { value: undefined, done: true };
      };
      const onAbort = (): void => {
        const resolve = cutShort;
        cutShort = undefined;
        resolve?.(finish());
      };
      signal.addEventListener("abort", onAbort, { once: true });
      return {
        next(): Promise<IteratorResult<T>> {
          if (finished || signal.aborted) return Promise.resolve(finish());
          return new Promise((resolve, reject) => {
            cutShort = resolve;
            iterator.next().then(
              (result) => {
                if (cutShort !== resolve) return; // already cut short by an abort
                cutShort = undefined;
                resolve(result.done === true ? finish() : result);
              },
              (error: unknown) => {
                cutShort = undefined;
                finish();
                reject(error instanceof Error ? error : new Error(String(error)));
              },
            );
          });
        },
        return(): Promise<IteratorResult<T>> {
          return Promise.resolve(finish());
        },
      };
    },
  };
}
