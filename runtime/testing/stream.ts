/**
 * A bidirectional stream driven step by step from a test: push requests, await each response.
 */

/** An async-iterable queue of requests that a test pushes into and then closes. */
export class RequestQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #closed = false;

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

  close(): void {
    this.#closed = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.#items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.#waiting = resolve;
        });
      },
    };
  }
}

/** Reads a response stream one message at a time, with a time limit per read. */
export class ResponseReader<T> {
  readonly #iterator: AsyncIterator<T>;

  constructor(responses: AsyncIterable<T>) {
    this.#iterator = responses[Symbol.asyncIterator]();
  }

  /** The next message; fails if the stream ends or nothing arrives within `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<T> {
    const result = await this.#read(timeoutMs);
    if (result.done === true) throw new Error("the response stream ended");
    return result.value;
  }

  /** Resolves once the stream ends; fails if a message arrives instead. */
  async end(timeoutMs = 5000): Promise<void> {
    const result = await this.#read(timeoutMs);
    if (result.done !== true) throw new Error(`expected the stream to end, got ${JSON.stringify(result.value)}`);
  }

  async #read(timeoutMs: number): Promise<IteratorResult<T>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.#iterator.next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
