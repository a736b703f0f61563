/**
 * A bidirectional stream driven step by step from a test: push requests, await each response.
 */

/**
 * An async-iterable queue of requests that a test pushes into and then closes. `onIdle`, if given, is called
 * whenever the reader waits on an empty queue: the reader has dealt with everything pushed so far.
 */
export class RequestQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #closed = false;

  constructor(private readonly onIdle?: () => void) {}

  /** Queues one request; it is handed to the reader at once if one is waiting. */
  push(item: T): void {
    if (this.#closed) throw new Error("the request stream is closed");
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  /** Ends the request stream (the gRPC half-close); queued requests are still delivered. */
  close(): void {
    this.#closed = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  /** Hands the requests out in order, waiting for the next push, and ends once the queue is closed and empty. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.#items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        const next = new Promise<IteratorResult<T>>((resolve) => {
          this.#waiting = resolve;
        });
        this.onIdle?.();
        return next;
      },
    };
  }
}

/**
 * Reads a response stream from the moment it is made (so the call starts at once, as the proxy's would) and hands
 * the messages out one at a time, with a time limit per read.
 */
export class ResponseReader<T> {
  readonly #received: IteratorResult<T>[] = [];
  readonly #waiting: ((result: IteratorResult<T>) => void)[] = [];
  #error: unknown;
  #failed = false;

  constructor(responses: AsyncIterable<T>) {
    void this.#pump(responses);
  }

  async #pump(responses: AsyncIterable<T>): Promise<void> {
    try {
      for await (const value of responses) this.#deliver({ value, done: false });
    } catch (error) {
      this.#error = error;
      this.#failed = true;
    }
    this.#deliver({ value: undefined, done: true });
  }

  #deliver(result: IteratorResult<T>): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter(result);
    else this.#received.push(result);
  }

  /** The next message; fails if the stream ends or nothing arrives within `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<T> {
    const result = await this.#read(timeoutMs);
    if (result.done === true) {
      throw this.#failed ? this.#error : new Error("the response stream ended");
    }
    return result.value;
  }

  /** Resolves once the stream ends; fails if a message arrives instead, or if the call failed. */
  async end(timeoutMs = 5000): Promise<void> {
    const result = await this.#read(timeoutMs);
    if (result.done !== true) throw new Error(`expected the stream to end, got ${JSON.stringify(result.value)}`);
    if (this.#failed) throw this.#error;
  }

  #read(timeoutMs: number): Promise<IteratorResult<T>> {
    const ready = this.#received.shift();
    if (ready !== undefined) {
      // Keep the end marker for later reads.
      if (ready.done === true) this.#received.unshift(ready);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (result: IteratorResult<T>): void => {
        clearTimeout(timer);
        if (result.done === true) this.#received.unshift(result);
        resolve(result);
      };
      this.#waiting.push(waiter);
    });
  }
}
