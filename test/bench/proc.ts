/** Reading a process's CPU time and memory from /proc (Linux). */
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User plus system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

function statusKb(pid: number, key: string): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${key}:`));
  return line === undefined ? 0 : Number(line.split(/\s+/)[1]);
}

/** Resident memory now, in MiB. */
export function rssMiB(pid: number): number {
  return statusKb(pid, "VmRSS") / 1024;
}

/** Peak resident memory since the process started, in MiB. */
export function peakRssMiB(pid: number): number {
  return statusKb(pid, "VmHWM") / 1024;
}
