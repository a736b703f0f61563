/**
 * Sends the inspector's feed records to the dev session over loopback HTTP, as batches of JSON lines. Sending never
 * blocks the caller: records wait in a bounded queue and go out in the background, one request at a time, each on
 * a new loopback connection (a kept-alive one can be closed by the server just as a batch goes out). When the dev
 * session does not answer, the batch goes back to the queue and the next try waits a second; once the queue is
 * full, newer records are counted, not kept, and the count goes out with the next batch that arrives. A batch the
 * dev session answers but refuses is counted as dropped, never sent again.
 */
import { request } from "node:http";
import type { Logger } from "../logger.js";

/** How many records may wait; past it they are dropped and counted. */
const QUEUE_LIMIT = 5_000;
/** How many records one request carries at most. */
const BATCH_LIMIT = 500;
/** How many characters one request carries, past its first record (the dev session takes up to 32 MB). */
const BATCH_BYTES = 4 * 1024 * 1024;
/** How long to wait after the dev session did not answer. */
const RETRY_MS = 1_000;
/** How long one request may take. */
const REQUEST_TIMEOUT_MS = 5_000;

/** One feed record: a JSON object with its kind in `t`. */
export type FeedRecord = { readonly t: string } & Record<string, unknown>;

export class FeedSender {
  #queue: string[] = [];
  #dropped = 0;
  #sending = false;
  #timer: NodeJS.Timeout | undefined;
  #retryAt = 0;
  #warned = false;

  constructor(
    private readonly base: URL,
    private readonly logger: Logger,
  ) {}

  /** Queues a record; returns at once. */
  send(record: FeedRecord): void {
    if (this.#queue.length >= QUEUE_LIMIT) {
      this.#dropped += 1;
      return;
    }
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch (error) {
      this.logger.warn(`inspector feed: a ${record.t} record is not JSON; dropped`, error);
      return;
    }
    this.#queue.push(line);
    this.#schedule();
  }

  /** GETs `path` from the dev session as JSON; undefined when it does not answer or the answer is not JSON. */
  get<T>(path: string): Promise<T | undefined> {
    return new Promise((resolve) => {
      const req = request(new URL(path, this.base), { timeout: REQUEST_TIMEOUT_MS }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          try {
            resolve(res.statusCode === 200 ? (JSON.parse(body) as T) : undefined);
          } catch {
            resolve(undefined);
          }
        });
        res.on("error", () => resolve(undefined));
      });
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", () => resolve(undefined));
      req.end();
    });
  }

  #schedule(): void {
    if (this.#sending || this.#timer !== undefined) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#flush();
      },
      Math.max(0, this.#retryAt - Date.now()),
    );
    this.#timer.unref();
  }

  #flush(): void {
    if (this.#queue.length === 0) return;
    let count = 0;
    let bytes = 0;
    while (count < Math.min(BATCH_LIMIT, this.#queue.length) && (count === 0 || bytes < BATCH_BYTES)) {
      bytes += this.#queue[count]!.length;
      count += 1;
    }
    const batch = this.#queue.splice(0, count);
    const dropped = this.#dropped;
    const lines = dropped > 0 ? [JSON.stringify({ t: "dropped", count: dropped }), ...batch] : batch;
    this.#sending = true;
    const done = (ok: boolean | "refused"): void => {
      if (!this.#sending) return;
      this.#sending = false;
      if (ok === "refused") {
        // The dev session answered but would not take the batch: sending it again would be refused again.
        this.#dropped += batch.length;
        this.logger.warn(`inspector feed: the dev session refused a batch of ${batch.length} records; dropped`);
      } else if (ok) {
        this.#dropped -= dropped;
        if (this.#warned) {
          this.#warned = false;
          this.logger.info(`inspector feed: the dev session at ${this.base.origin} answers again`);
        }
      } else {
        // Back to the front of the queue, as far as it has room; what does not fit is counted as dropped.
        const room = Math.max(0, QUEUE_LIMIT - this.#queue.length);
        this.#queue.unshift(...batch.slice(0, room));
        this.#dropped += batch.length - Math.min(room, batch.length);
        this.#retryAt = Date.now() + RETRY_MS;
        if (!this.#warned) {
          this.#warned = true;
          this.logger.warn(
            `inspector feed: the dev session at ${this.base.origin} does not answer; keeping ${QUEUE_LIMIT} ` +
              "records at most until it does",
          );
        }
      }
      this.#schedule();
    };
    const body = lines.join("\n") + "\n";
    const req = request(
      new URL(`/feed?pid=${process.pid}`, this.base),
      {
        method: "POST",
        timeout: REQUEST_TIMEOUT_MS,
        headers: { "content-type": "application/x-ndjson", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => done(res.statusCode === 204 || res.statusCode === 200 ? true : "refused"));
        res.on("error", () => done(false));
      },
    );
    req.on("socket", (socket) => socket.unref());
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", () => done(false));
    req.end(body);
  }
}
