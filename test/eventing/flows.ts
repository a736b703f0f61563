/**
 * Counting a flow of messages end to end: what was emitted, what arrived (by id, duplicates included), and the
 * time from each emission to its first arrival. Each flow's line is printed and kept in .cache/eventing/flows.jsonl
 * for the runner's summary (test/eventing/run.ts).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/root.js";

export const FLOWS_FILE = join(ROOT, ".cache/eventing/flows.jsonl");

/** One flow's counts, as reported. */
export interface FlowReport {
  readonly flow: string;
  readonly emitted: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicates: number;
  /** Emission to first arrival, in ms, over the delivered ids. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly max: number } | undefined;
}

export class FlowTally {
  readonly #emittedAt = new Map<string, number>();
  readonly #arrivals = new Map<string, number[]>();
  readonly #waiters = new Set<() => void>();

  constructor(readonly flow: string) {}

  emitted(id: string, atMs = Date.now()): void {
    this.#emittedAt.set(id, atMs);
  }

  /** Records an arrival; ids never emitted count too (they show up as a failure in `lost`'s check). */
  arrived(id: string, atMs = Date.now()): void {
    const list = this.#arrivals.get(id) ?? [];
    list.push(atMs);
    this.#arrivals.set(id, list);
    for (const waiter of this.#waiters) waiter();
  }

  arrivals(id: string): number {
    return this.#arrivals.get(id)?.length ?? 0;
  }

  get missing(): string[] {
    return [...this.#emittedAt.keys()].filter((id) => !this.#arrivals.has(id));
  }

  get unexpected(): string[] {
    return [...this.#arrivals.keys()].filter((id) => !this.#emittedAt.has(id));
  }

  /** Resolves once every emitted id has arrived at least once; rejects after `timeoutMs` naming what is missing. */
  allArrived(timeoutMs: number, context: () => string = () => ""): Promise<void> {
    return this.arrivedAll([...this.#emittedAt.keys()], timeoutMs, context);
  }

  /** Resolves once each of `ids` has arrived at least once; rejects after `timeoutMs` naming what is missing. */
  arrivedAll(ids: readonly string[], timeoutMs: number, context: () => string = () => ""): Promise<void> {
    const missing = (): string[] => ids.filter((id) => !this.#arrivals.has(id));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (missing().length > 0) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const absent = missing();
        reject(
          new Error(
            `${this.flow}: ${absent.length} of ${ids.length} never arrived within ${timeoutMs} ms ` +
              `(${absent.slice(0, 10).join(", ")}${absent.length > 10 ? ", ..." : ""})\n${context()}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  report(): FlowReport {
    const latencies: number[] = [];
    let delivered = 0;
    let duplicates = 0;
    for (const [id, emittedAt] of this.#emittedAt) {
      const arrivals = this.#arrivals.get(id);
      if (arrivals === undefined) continue;
      delivered += 1;
      duplicates += arrivals.length - 1;
      latencies.push(Math.min(...arrivals) - emittedAt);
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return {
      flow: this.flow,
      emitted: this.#emittedAt.size,
      delivered,
      lost: this.#emittedAt.size - delivered,
      duplicates,
      latencyMs: latencies.length === 0 ? undefined : { p50: at(0.5), p95: at(0.95), max: latencies.at(-1) ?? 0 },
    };
  }
}

/** `flow: emitted N, delivered N, lost N, duplicates N, latency p50 X ms ...` */
export function formatFlow(report: FlowReport): string {
  const latency =
    report.latencyMs === undefined
      ? "no latency"
      : `latency p50 ${report.latencyMs.p50.toFixed(0)} ms, p95 ${report.latencyMs.p95.toFixed(0)} ms, max ${report.latencyMs.max.toFixed(0)} ms`;
  return `${report.flow}: emitted ${report.emitted}, delivered ${report.delivered}, lost ${report.lost}, duplicates ${report.duplicates}, ${latency}`;
}

/** Prints the flow's line (through `print`, e.g. a test's `diagnostic`) and keeps it for the runner's summary. */
export function recordFlow(tally: FlowTally, print: (line: string) => void = console.log): FlowReport {
  const report = tally.report();
  print(formatFlow(report));
  mkdirSync(join(FLOWS_FILE, ".."), { recursive: true });
  appendFileSync(FLOWS_FILE, `${JSON.stringify(report)}\n`);
  return report;
}
