/**
 * Overload through the proxy: many concurrent clients on few entities (each entity's commands queue in the
 * proxy) and on many entities (one stream per entity into the user function), with the user function's resident
 * memory sampled from /proc throughout. Every command's outcome is kept; afterwards each entity's total is read
 * back and must hold every acknowledged command.
 */
import { setMaxListeners } from "node:events";
import { performance } from "node:perf_hooks";
import { rssMiB } from "../bench/proc.js";
import { retryUntil } from "cloudstate-ts-devkit";
import { BUMPS, readBack, runClient, type Api } from "./clients.js";
import { compareTotals, KINDS, Ledger, type Kind } from "./ledger.js";
import { countInto } from "./report.js";
import { summarize, type LatencySummary } from "./stats.js";

/** One overload phase. */
export interface OverloadPlan {
  readonly name: string;
  /** Concurrent clients per kind. */
  readonly clientsPerKind: number;
  /** Entities per kind; each client goes round its share of them. */
  readonly entitiesPerKind: number;
  readonly durationMs: number;
}

export interface OverloadResult {
  readonly plan: OverloadPlan;
  readonly latency: Record<Kind, LatencySummary>;
  readonly acknowledged: Record<Kind, number>;
  readonly inFlight: Record<Kind, number>;
  readonly lost: Record<Kind, number>;
  /** More counted than sent: a command applied twice. */
  readonly excess: Record<Kind, number>;
  /** The same, per entity that had any: kind and entity name, and how many extra. */
  readonly excessByEntity: readonly { readonly kind: Kind; readonly entity: string; readonly extra: number }[];
  readonly failures: Map<string, number>;
  /** Failures without a message a user could act on. */
  readonly unclear: number;
  readonly rss: { readonly before: number; readonly peak: number; readonly after: number };
  readonly commandsPerSecond: number;
}

/** Samples a process's resident memory every `intervalMs` until stopped; keeps the peak. */
export function sampleRss(pid: number, intervalMs = 200): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // The process is gone; the failure shows elsewhere.
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Runs `tasks` with at most `limit` at once. */
async function limited<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        const task = tasks[index];
        if (task !== undefined) results[index] = await task();
      }
    }),
  );
  return results;
}

export async function runOverload(
  plan: OverloadPlan,
  api: Api,
  userFunctionPid: number,
  deadlineMs: number,
): Promise<OverloadResult> {
  const ledger = new Ledger();
  const failures = new Map<string, number>();
  const latencies: Record<Kind, number[]> = { "event-sourced": [], value: [] };
  let unclear = 0;
  const entityName = (kind: Kind, index: number): string =>
    `${plan.name}-${kind === "event-sourced" ? "cart" : "tally"}-${index}`;
  const before = rssMiB(userFunctionPid);
  const sampler = sampleRss(userFunctionPid);
  const stop = new AbortController();
  // Every client waits on it while backing off; more than Node's default of 10 listeners is expected, not a leak.
  setMaxListeners(0, stop.signal);
  const started = performance.now();
  const clients = KINDS.flatMap((kind) =>
    Array.from({ length: plan.clientsPerKind }, (_, client) => {
      // Client c takes entities c, c + clients, c + 2 × clients, … in turn (all of them share entity c % n when
      // there are fewer entities than clients).
      let turn = 0;
      return runClient({
        api,
        ledger,
        kind,
        entity: () => {
          const index =
            plan.entitiesPerKind <= plan.clientsPerKind
              ? client % plan.entitiesPerKind
              : (client + plan.clientsPerKind * turn++) % plan.entitiesPerKind;
          return entityName(kind, index);
        },
        write: BUMPS[kind],
        nextId: () => "",
        cycle: 0,
        deadlineMs,
        stop: stop.signal,
        onLatency: (ms) => latencies[kind].push(ms),
        onFailure: (failure) => {
          countInto(failures, `${kind}: ${failure.message}`);
          if (!failure.clear) unclear++;
        },
      });
    }),
  );
  const timer = setTimeout(() => stop.abort(), plan.durationMs);
  await Promise.all(clients);
  clearTimeout(timer);
  const elapsedS = (performance.now() - started) / 1000;
  const peak = sampler.stop();
  const after = rssMiB(userFunctionPid);

  const acknowledged = { "event-sourced": 0, value: 0 };
  const inFlight = { "event-sourced": 0, value: 0 };
  const lost = { "event-sourced": 0, value: 0 };
  const excess = { "event-sourced": 0, value: 0 };
  const excessByEntity: { kind: Kind; entity: string; extra: number }[] = [];
  for (const kind of KINDS) {
    const entities = [...ledger.byEntity(kind)];
    const totals = await limited(
      16,
      entities.map(
        ([entity]) =>
          () =>
            retryUntil(
              `reading ${entity} back`,
              async () => (await readBack(api, kind, entity, AbortSignal.timeout(20_000))).total,
              60_000,
            ),
      ),
    );
    entities.forEach(([entity, commands], index) => {
      const acked = commands.filter((c) => c.outcome === "acknowledged").length;
      const unsure = commands.filter((c) => c.outcome === "in-flight").length;
      const compared = compareTotals(acked, unsure, totals[index] ?? 0);
      acknowledged[kind] += acked;
      inFlight[kind] += unsure;
      lost[kind] += compared.lost;
      excess[kind] += compared.excess;
      if (compared.excess > 0) excessByEntity.push({ kind, entity, extra: compared.excess });
    });
  }
  return {
    plan,
    latency: { "event-sourced": summarize(latencies["event-sourced"]), value: summarize(latencies.value) },
    acknowledged,
    inFlight,
    lost,
    excess,
    excessByEntity,
    failures,
    unclear,
    rss: { before, peak, after },
    commandsPerSecond: (acknowledged["event-sourced"] + acknowledged.value) / elapsedS,
  };
}
