/**
 * The cluster run's writers and readers of event-sourced and value entities: the soak's clients and ledger, with
 * clients spread over the nodes, and the wait for a set of entities to be served again after a node went away.
 */
import { setMaxListeners } from "node:events";
import { performance } from "node:perf_hooks";
import { readBack, runClient, WRITES, type Api, type Failure } from "../soak/clients.js";
import type { Kind, Ledger } from "../soak/ledger.js";
import { countInto } from "../soak/report.js";

/** The service name each kind's user function prints in its first-command lines (entities.ts). */
export const SERVICE: Record<Kind, string> = { "event-sourced": "cart", value: "tally" };

/** An entity of one kind. */
export interface EntityRef {
  readonly kind: Kind;
  readonly entity: string;
}

/** Clients writing to a fixed set of entities, client i through node i mod n, until stopped. */
export class WriterPool {
  readonly #stop = new AbortController();
  readonly #clients: Promise<void>[];
  /** Failure messages by kind and text, for the report. */
  readonly failures = new Map<string, number>();
  /** Failures a user could not act on (no status, or a status without a message). */
  unclear = 0;

  constructor(options: {
    readonly apis: readonly Api[];
    readonly ledger: Ledger;
    readonly entities: readonly EntityRef[];
    readonly nextId: (entity: string) => string;
    readonly phase: number;
    readonly deadlineMs: number;
    /** Which node client i writes through (default i mod the number of nodes). */
    readonly nodeOf?: (index: number) => number;
  }) {
    setMaxListeners(0, this.#stop.signal);
    this.#clients = options.entities.map((ref, index) => {
      const api = options.apis[(options.nodeOf ?? ((i: number) => i % options.apis.length))(index)];
      if (api === undefined) throw new Error(`no node for client ${index}`);
      return runClient({
        api,
        ledger: options.ledger,
        kind: ref.kind,
        entity: () => ref.entity,
        write: WRITES[ref.kind],
        nextId: options.nextId,
        cycle: options.phase,
        deadlineMs: options.deadlineMs,
        stop: this.#stop.signal,
        onFailure: (failure: Failure) => {
          countInto(this.failures, `${ref.kind}: ${failure.message}`);
          if (!failure.clear) this.unclear++;
        },
      });
    });
  }

  /** Stops every client after its command in hand is settled. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#clients);
  }
}

/**
 * Reads each entity through the given nodes (in turn) until it answers; resolves with the time from `since` to
 * each entity's first answer, in ms. Fails naming the entities still silent after `timeoutMs`.
 */
export async function servedAgain(
  entities: readonly EntityRef[],
  apis: readonly Api[],
  since: number,
  timeoutMs: number,
): Promise<number[]> {
  const end = since + timeoutMs;
  const silent = new Set(entities.map((e) => `${e.kind} ${e.entity}`));
  const times = await Promise.all(
    entities.map(async (ref, index) => {
      for (let attempt = index; ; attempt++) {
        const api = apis[attempt % apis.length];
        if (api === undefined) throw new Error("no node to read through");
        try {
          await readBack(api, ref.kind, ref.entity, AbortSignal.timeout(5000));
          silent.delete(`${ref.kind} ${ref.entity}`);
          return performance.now() - since;
        } catch {
          if (performance.now() > end) {
            const names = [...silent].slice(0, 5).join(", ");
            throw new Error(`${silent.size} entities not served again within ${timeoutMs} ms: ${names}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }),
  );
  return times;
}

/** Median and maximum of some times in ms, for a report line. */
export function spread(times: readonly number[]): { median: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN };
}
