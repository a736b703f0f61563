/** Peak resident memory of running processes, sampled from /proc (Linux) once a second. */
import { readFileSync } from "node:fs";

/** Resident set size of `pid` in MiB, or undefined once it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Samples every process `targets()` names, keeping each name's peak. */
export class PeakMemory {
  readonly peaks = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(targets: () => ReadonlyMap<string, number | undefined>, intervalMs = 1000) {
    this.#timer = setInterval(() => this.sample(targets()), intervalMs);
    this.#timer.unref();
  }

  sample(targets: ReadonlyMap<string, number | undefined>): void {
    for (const [name, pid] of targets) {
      if (pid === undefined) continue;
      const rss = rssMiB(pid);
      if (rss !== undefined && rss > (this.peaks.get(name) ?? 0)) this.peaks.set(name, rss);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
