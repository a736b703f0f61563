/** The soak's report lines. Pure; unit-tested in report.test.ts. */
import type { Counts } from "./ledger.js";

/** `acknowledged N, survived N, lost N (in flight N, of which landed N; refused N)`, plus any inconsistency. */
export function formatCounts(counts: Counts): string {
  let line =
    `acknowledged ${counts.acknowledged}, survived ${counts.survived}, lost ${counts.lost}` +
    ` (in flight ${counts.inFlight}, of which landed ${counts.landed}; refused ${counts.refused})`;
  if (counts.duplicated > 0) line += `; DUPLICATED ${counts.duplicated}`;
  if (counts.unexpected > 0) line += `; NEVER SENT ${counts.unexpected}`;
  if (counts.refusedLanded > 0) line += `; REFUSED YET LANDED ${counts.refusedLanded}`;
  return line;
}

/** The most frequent failure messages, `  N× message`, most frequent first. */
export function formatFailures(failures: ReadonlyMap<string, number>, limit = 5): string[] {
  const sorted = [...failures].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = sorted.slice(0, limit).map(([message, count]) => `${count}× ${message}`);
  if (sorted.length > limit) lines.push(`… and ${sorted.length - limit} other messages`);
  return lines;
}

/** Counts one more occurrence of `key`. */
export function countInto(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
