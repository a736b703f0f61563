/**
 * Waiting for a condition over state that changes on events (log lines, membership changes): whoever changes the
 * state calls `changed()`, and each waiter checks its condition then, rather than polling.
 */
export class Conditions {
  readonly #waiters = new Set<() => void>();

  /** Re-checks every pending condition; call it after the state they read has changed. */
  changed(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /**
   * Resolves once `done()` holds (checked at once and after each change); rejects with `timeoutError()` after
   * `timeoutMs`.
   */
  waitUntil(done: () => boolean, timeoutMs: number, timeoutError: () => Error): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(timeoutError());
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}
