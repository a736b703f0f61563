/**
 * `npm run bench:ab`: one change measured alone. Two compiled trees of the shopping cart (a saved baseline and
 * today's tree) are driven in alternating rounds, A B A B…, each started fresh, so that a machine whose load drifts
 * (other suites running) weighs on both alike. Compare CPU per command and the ratio B/A within one run.
 *
 *   npm run bench:ab -- --save=before         compile today's tree and keep it as the baseline "before"
 *   npm run bench:ab -- --a=before            before (A) against today's tree (B), 3 rounds
 *   npm run bench:ab -- --a=before --b=after --rounds=5 --entities=100 --memory=10000,50000
 *
 * Saved trees live in the ignored `.cache/bench/ab/<name>`; each resolves its dependencies from the repository's
 * node_modules, as the compiled tree of `npm run bench` does (see compiled.ts).
 */
import { cpSync, existsSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, waitForPort } from "cloudstate-ts-devkit";
import { commandLine } from "../support/cli-args.js";
import { ROOT } from "../support/root.js";
import { COMPILED, compileNodeImplementations } from "./compiled.js";
import { memory, throughput } from "./driver.js";

const { values: args } = commandLine(
  "bench:ab",
  "usage: npm run bench:ab -- --save=NAME\n" +
    "       npm run bench:ab -- --a=NAME [--b=NAME] [--rounds=N] [--entities=100,10000] [--memory=10000]",
  {
    options: {
      save: { type: "string" },
      a: { type: "string" },
      b: { type: "string" },
      rounds: { type: "string", default: "3" },
      entities: { type: "string", default: "100,10000" },
      memory: { type: "string", default: "10000" },
      "measure-ms": { type: "string", default: "8000" },
    },
  },
);

const SAVED = join(ROOT, ".cache/bench/ab");

/** A saved tree's folder, or today's compiled tree for "current". */
function tree(name: string): string {
  if (name === "current") return COMPILED;
  const folder = join(SAVED, name);
  if (!existsSync(folder)) {
    console.error(`bench:ab: no saved tree ${name} (save one with --save=${name})`);
    process.exit(2);
  }
  return folder;
}

const numbers = (list: string): number[] =>
  list
    .split(",")
    .filter((s) => s !== "")
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) {
        console.error(`bench:ab: not a count: ${s}`);
        process.exit(2);
      }
      return n;
    });

compileNodeImplementations();
if (args.save !== undefined) {
  const target = join(SAVED, args.save);
  rmSync(target, { recursive: true, force: true });
  cpSync(COMPILED, target, { recursive: true });
  console.log(`saved today's compiled tree as ${args.save} (${target})`);
  process.exit(0);
}
if (args.a === undefined) {
  console.error("bench:ab: --a=NAME (a saved tree) or --save=NAME is required");
  process.exit(2);
}
const sides = [
  { label: "A", name: args.a, folder: tree(args.a) },
  { label: "B", name: args.b ?? "current", folder: tree(args.b ?? "current") },
] as const;
const rounds = numbers(args.rounds)[0] ?? 3;
const entityCounts = numbers(args.entities);
const memoryCounts = numbers(args.memory);
const measureMs = numbers(args["measure-ms"])[0] ?? 8000;

async function withCart<T>(folder: string, body: (port: number, pid: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const script = join(folder, "examples/shopping-cart/src/main.js");
  const child = startProcess("cart", process.execPath, [script], {
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
  });
  try {
    await waitForPort(port, child, 60_000);
    const pid = child.child.pid;
    if (pid === undefined) throw new Error("no pid");
    return await body(port, pid);
  } finally {
    await child.stop();
  }
}

type Figures = Record<string, number[]>;
const results: Record<"A" | "B", Figures> = { A: {}, B: {} };
const record = (side: "A" | "B", key: string, value: number): void => {
  (results[side][key] ??= []).push(value);
};

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
console.log(`A = ${sides[0].name}, B = ${sides[1].name}; ${cpus().length} cores; load average ${load()} at the start`);
for (let round = 1; round <= rounds; round++) {
  // Alternate which side goes first, so neither always runs on a warmer or quieter machine.
  const order = round % 2 === 1 ? sides : ([sides[1], sides[0]] as const);
  for (const side of order) {
    for (const entities of entityCounts) {
      const r = await withCart(side.folder, (port, pid) => throughput(port, pid, entities, 2000, measureMs));
      record(side.label, `commands/CPU-s, ${entities} entities`, r.commandsPerCpuSecond);
      record(side.label, `commands/s, ${entities} entities`, r.commandsPerSecond);
      console.log(
        `round ${round} ${side.label}: ${entities} entities: ${r.commandsPerCpuSecond.toFixed(0)} commands/CPU-s, ` +
          `${r.commandsPerSecond.toFixed(0)} commands/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms ` +
          `(load ${load()})`,
      );
    }
    for (const entities of memoryCounts) {
      const r = await withCart(side.folder, (port, pid) => memory(port, pid, entities));
      record(side.label, `KiB/entity, ${entities} entities`, r.kibPerEntity);
      console.log(`round ${round} ${side.label}: memory ${entities}: ${r.kibPerEntity.toFixed(1)} KiB/entity`);
    }
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
console.log(`\nmedians of ${rounds} round(s); load average ${load()} at the end`);
console.log("| metric | A | B | B/A |\n| --- | ---: | ---: | ---: |");
for (const key of Object.keys(results.A)) {
  const a = median(results.A[key] ?? []);
  const b = median(results.B[key] ?? []);
  console.log(`| ${key} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(3)} |`);
}
