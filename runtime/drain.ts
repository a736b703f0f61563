/** Ending request streams cleanly on shutdown. */

/**
 * The server's shutdown switch for its entity streams. Streams register a callback in a set (O(1) each) rather
 * than each adding a listener to one AbortSignal, whose listener list costs O(n) per addition: with tens of
 * thousands of open streams that was quadratic.
 * @internal
 */
export class Drain {
  readonly #waiting = new Set<() => void>();
  #draining = false;

  get draining(): boolean {
    return this.#draining;
  }

  /** How many streams are open (registered and not finished). */
  get open(): number {
    return this.#waiting.size;
  }

  /** Calls `callback` once draining starts (at once if it has); returns a function that unregisters it. */
  onDrain(callback: () => void): () => void {
    if (this.#draining) {
      callback();
      return () => undefined;
    }
    this.#waiting.add(callback);
    return () => this.#waiting.delete(callback);
  }

  start(): void {
    if (this.#draining) return;
    this.#draining = true;
    const callbacks = [...this.#waiting];
    this.#waiting.clear();
    for (const callback of callbacks) callback();
  }
}

/** A drain that never starts, for callers without a server. @internal */
export const NEVER_DRAINS = new Drain();

/**
 * Iterates `source` until `drain` starts. A message already being handled then is finished (the consumer pulls
 * the next one only afterwards); a wait for the next message is cut short. Used so that shutdown completes
 * in-flight commands and then ends every entity stream.
 *
 * Written as a plain iterator rather than a generator racing each read against a promise: that would cost a
 * promise per message and pile a reaction per message onto the shared promise for the stream's whole life.
 * @internal
 */
export function untilDrained<T>(source: AsyncIterable<T>, drain: Drain): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const iterator = source[Symbol.asyncIterator]();
      let finished = false;
      let cutShort: ((result: IteratorResult<T>) => void) | undefined;
      const finish = (): IteratorResult<T> => {
        if (!finished) {
          finished = true;
          unregister();
          // Release the source without waiting: a pending read may only end when the peer closes its side.
          void iterator.return?.()?.catch(() => undefined);
        }
        return { value: undefined, done: true };
      };
      const unregister = drain.onDrain(() => {
        const resolve = cutShort;
        cutShort = undefined;
        resolve?.(finish());
      });
      return {
        next(): Promise<IteratorResult<T>> {
          if (finished || drain.draining) return Promise.resolve(finish());
          return new Promise((resolve, reject) => {
            cutShort = resolve;
            iterator.next().then(
              (result) => {
                if (cutShort !== resolve) return; // already cut short by the drain
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
