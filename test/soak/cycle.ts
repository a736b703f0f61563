/**
 * One fault cycle: clients write to their entities of both kinds; once each kind has acknowledgements, the fault
 * is injected and the system restarted; once each kind has acknowledgements again, the clients stop and every
 * entity is read back and compared with every command ever sent to it.
 */
import { setMaxListeners } from "node:events";
import { performance } from "node:perf_hooks";
import { retryUntil } from "cloudstate-ts-devkit";
import { readBack, runClient, WRITES, type Api } from "./clients.js";
import { DEAD_VALUE_ENTITY, type Fault, type System } from "./faults.js";
import { addCounts, compare, KINDS, zeroCounts, type Command, type Counts, type Kind, type Ledger } from "./ledger.js";
import { countInto } from "./report.js";

/** What a cycle needs, shared across cycles. */
export interface CycleContext {
  readonly system: System;
  readonly api: Api;
  readonly ledger: Ledger;
  readonly nextId: (entity: string) => string;
  /** Clients, each on its own entity, per kind. */
  readonly clientsPerKind: number;
  /** Acknowledgements per kind to wait for before the fault, and again after the restart. */
  readonly acknowledgementsAround: number;
  readonly deadlineMs: number;
  readonly latencies: Record<Kind, number[]>;
}

/** A cycle's outcome, per kind. */
export interface CycleResult {
  /** Counts of the commands sent in this cycle. */
  readonly cycle: Record<Kind, Counts>;
  /** Counts of every command sent so far, against the state now. */
  readonly cumulative: Record<Kind, Counts>;
  /** From the fault to the first acknowledgement of each kind after it. */
  readonly recoveryMs: number;
  /** Set when value entities never answered after the fault and the proxy was restarted to reach them. */
  readonly zombieValueEntities?: { readonly confirmedInProxyLog: boolean };
  readonly failures: Map<string, number>;
  /** Problems found reading back: ids lost, applied twice, or never sent; inconsistent totals. */
  readonly problems: string[];
}

/**
 * The entity client `index` of `kind` writes to in `cycle`. A fresh one each cycle keeps a cart's snapshot to one
 * cycle's commands; every earlier entity is read back again after every later fault, so each is recovered from
 * PostgreSQL (snapshot plus events, or the stored value) many times.
 */
export function cycleEntity(kind: Kind, cycle: number, index: number): string {
  return `${kind === "event-sourced" ? "cart" : "tally"}-c${cycle}-${index}`;
}

/** How long value entities may stay silent, once the event-sourced ones answer again, before they count as zombies. */
const ZOMBIE_AFTER_MS = 30_000;

export async function runCycle(cycle: number, fault: Fault, context: CycleContext): Promise<CycleResult> {
  const { ledger } = context;
  const failures = new Map<string, number>();
  const stop = new AbortController();
  // Every client waits on it while backing off; more than Node's default of 10 listeners is expected, not a leak.
  setMaxListeners(0, stop.signal);
  const clients = KINDS.flatMap((kind) =>
    Array.from({ length: context.clientsPerKind }, (_, index) =>
      runClient({
        api: context.api,
        ledger,
        kind,
        entity: () => cycleEntity(kind, cycle, index),
        write: WRITES[kind],
        nextId: context.nextId,
        cycle,
        deadlineMs: context.deadlineMs,
        stop: stop.signal,
        onLatency: (ms) => context.latencies[kind].push(ms),
        onFailure: (failure) => countInto(failures, `${kind}: ${failure.message}`),
      }),
    ),
  );
  let recoveryMs: number;
  let zombieValueEntities: CycleResult["zombieValueEntities"];
  try {
    const each = (more: number, timeoutMs: number, what: string): Promise<void[]> =>
      Promise.all(KINDS.map((kind) => ledger.waitForAcknowledged(kind, more, timeoutMs, what)));
    await each(context.acknowledgementsAround, 120_000, `cycle ${cycle}, before the fault`);
    const faultAt = performance.now();
    await fault.inject(context.system);
    const after = `cycle ${cycle}, after ${fault.name}`;
    const eventSourcedBack = ledger.waitForAcknowledged("event-sourced", 1, 180_000, after);
    const valueBack = ledger.waitForAcknowledged("value", 1, 180_000, after);
    // Observed here; awaited (and any failure thrown) below.
    valueBack.catch(() => undefined);
    if (fault.failsStreamsUnderLiveProxy === true) {
      await eventSourcedBack;
      zombieValueEntities = await detectZombies(context.system, valueBack);
      if (zombieValueEntities !== undefined) {
        await context.system.stopProxy();
        await context.system.startProxy();
      }
    }
    await Promise.all([eventSourcedBack, valueBack]);
    recoveryMs = performance.now() - faultAt;
    await each(context.acknowledgementsAround, 120_000, after);
  } finally {
    stop.abort();
    await Promise.all(clients);
  }
  return {
    ...(await verify(context, cycle)),
    recoveryMs,
    failures,
    ...(zombieValueEntities === undefined ? {} : { zombieValueEntities }),
  };
}

/**
 * Once the event-sourced entities answer again: either a value entity answers too (undefined), or the proxy logs
 * a command sent to a dead value entity actor, the mark of the 0.6.0 defect, or neither happens within
 * {@link ZOMBIE_AFTER_MS} (the log can be rate-limited).
 */
async function detectZombies(system: System, valueBack: Promise<void>): Promise<CycleResult["zombieValueEntities"]> {
  const proxy = system.proxy;
  if (proxy === undefined) throw new Error("no proxy");
  const verdict = await Promise.race([
    valueBack.then(
      () => "answered" as const,
      () => "silent" as const,
    ),
    proxy.waitFor(DEAD_VALUE_ENTITY, ZOMBIE_AFTER_MS, proxy.output.length).then(
      () => "dead letters" as const,
      () => "silent" as const,
    ),
  ]);
  return verdict === "answered" ? undefined : { confirmedInProxyLog: verdict === "dead letters" };
}

/** Reads back every entity written so far and compares it with the ledger. */
export async function verify(
  context: Pick<CycleContext, "api" | "ledger">,
  cycle?: number,
): Promise<Omit<CycleResult, "recoveryMs" | "failures">> {
  const problems: string[] = [];
  const perCycle = { "event-sourced": zeroCounts(), value: zeroCounts() };
  const cumulative = { "event-sourced": zeroCounts(), value: zeroCounts() };
  for (const kind of KINDS) {
    for (const [entity, commands] of context.ledger.byEntity(kind)) {
      // Right after a restart a shard may still be starting: a read is retried until it answers.
      const state = await retryUntil(
        `reading ${kind} entity ${entity} back`,
        () => readBack(context.api, kind, entity, AbortSignal.timeout(20_000)),
        120_000,
      );
      const all = compare(commands, state.observed);
      addCounts(cumulative[kind], all.counts);
      if (cycle !== undefined)
        addCounts(perCycle[kind], compare(commands, state.observed, (c: Command) => c.cycle === cycle).counts);
      const show = (ids: readonly string[]): string => ids.slice(0, 10).join(", ") + (ids.length > 10 ? ", …" : "");
      if (all.lostIds.length > 0) problems.push(`${kind} ${entity}: lost ${show(all.lostIds)}`);
      if (all.duplicatedIds.length > 0) problems.push(`${kind} ${entity}: applied twice ${show(all.duplicatedIds)}`);
      if (all.unexpectedIds.length > 0) problems.push(`${kind} ${entity}: never sent ${show(all.unexpectedIds)}`);
      const listed = [...state.observed.values()].reduce((a, b) => a + b, 0);
      if (listed !== state.total)
        problems.push(`${kind} ${entity}: total ${state.total} but ${listed} request ids in the state`);
    }
  }
  return { cycle: perCycle, cumulative, problems };
}
