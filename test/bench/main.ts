/**
 * `npm run bench`: the shopping cart on this library, on the Go and Java supports, and two bare echo servers
 * (nice-grpc, and grpc-js alone), driven side by side at the protocol level. Prints one table row per scenario and implementation, with
 * the ratio to ours, and writes the results as JSON (bench-results/latest.json, or --json=PATH).
 *
 *   npm run bench                 full run, all implementations (several minutes)
 *   npm run bench -- --quick      a short run of ours and the two echo ceilings, to prove the harness works
 *   npm run bench -- --only=ours,go
 *   npm run bench -- --e2e        through the real Cloudstate proxy to ours and Go's (see e2e.ts); --quick shortens it
 *
 * With `ours`, it also measures the unit testkit in this process (commands per second through EventSourcedTestKit).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { memory, replay, throughput } from "./driver.js";
import { testkitThroughput } from "./testkit.js";
import { observationCost } from "./observability.js";
import {
  IMPLEMENTATIONS,
  startImplementation,
  type Implementation,
  type ImplementationName,
} from "./implementations.js";
import { commandLine } from "../support/cli-args.js";
import { E2E_IMPLEMENTATIONS, endToEnd, endToEndTable, type EndToEndImplementation } from "./e2e.js";

const { values: args } = commandLine(
  "bench",
  "usage: npm run bench -- [--quick] [--only=ours,go,java,echo,echo-grpc-js] [--json=FILE]\n" +
    "       npm run bench -- --e2e [--quick] [--only=ours,go] [--json=FILE]",
  {
    options: {
      quick: { type: "boolean", default: false },
      e2e: { type: "boolean", default: false },
      only: { type: "string" },
      json: { type: "string" },
    },
  },
);
const quick = args.quick;
const machine = (): string =>
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}; ` +
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; mode: ${quick ? "quick" : "full"}`;

if (args.e2e) {
  const chosen = (args.only?.split(",") ?? [...E2E_IMPLEMENTATIONS]) as EndToEndImplementation[];
  const unknown = chosen.filter((name) => !(E2E_IMPLEMENTATIONS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    console.error(`bench: --e2e --only names ${unknown.join(", ")}; known: ${E2E_IMPLEMENTATIONS.join(", ")}`);
    process.exit(2);
  }
  const plan = quick
    ? { rounds: 1, proxyWarmupMs: 3000, warmupMs: 1000, measureMs: 5000 }
    : { rounds: 2, proxyWarmupMs: 10_000, warmupMs: 3000, measureMs: 20_000 };
  console.error(`${machine()} (at the start)`);
  const runs = await endToEnd({ implementations: chosen, callers: 32, carts: 100, ...plan });
  console.log(`\n${machine()}\n32 callers, 100 carts, ${plan.measureMs / 1000} s per run, ${plan.rounds} round(s)\n`);
  console.log(endToEndTable(runs));
  const file = args.json ?? join(new URL("../..", import.meta.url).pathname, "bench-results/e2e.json");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ quick, node: process.version, cpus: cpus().length, plan, runs }, null, 2));
  console.log(`\nresults written to ${file}`);
  process.exit(runs.length === 0 ? 1 : 0);
}

const only = (args.only?.split(",") ??
  (quick ? ["ours", "echo", "echo-grpc-js"] : ["ours", "go", "java", "echo", "echo-grpc-js"])) as ImplementationName[];
const unknownImplementations = only.filter((name) => !(name in IMPLEMENTATIONS));
if (unknownImplementations.length > 0) {
  console.error(
    `bench: --only names ${unknownImplementations.join(", ")}; known: ${Object.keys(IMPLEMENTATIONS).join(", ")}`,
  );
  process.exit(2);
}
const output = args.json ?? join(new URL("../..", import.meta.url).pathname, "bench-results/latest.json");

interface Row {
  scenario: string;
  implementation: ImplementationName;
  metric: string;
  value: number;
  details: Record<string, number | boolean | string>;
}

const rows: Row[] = [];
const skipped: { implementation: string; reason: string }[] = [];

async function withFresh<T>(impl: Implementation, body: (port: number, pid: number) => Promise<T>): Promise<T> {
  const { process: child, port } = await startImplementation(impl);
  try {
    const pid = child.child.pid;
    if (pid === undefined) throw new Error("no pid");
    return await body(port, pid);
  } finally {
    await child.stop();
  }
}

const plan = quick
  ? { entities: [1, 100], warmupMs: 500, measureMs: 1500, replays: [1000], snapshotReplay: 100, memory: [500] }
  : {
      entities: [1, 100, 10_000],
      warmupMs: 3000,
      measureMs: 10_000,
      replays: [10_000, 100_000],
      snapshotReplay: 1000,
      memory: [10_000, 50_000],
    };

const implementations: Implementation[] = [];
for (const name of only) {
  const impl = IMPLEMENTATIONS[name];
  try {
    impl.prepare();
    implementations.push(impl);
  } catch (error) {
    skipped.push({
      implementation: name,
      reason: error instanceof Error ? error.message.split("\n").slice(0, 4).join(" ") : String(error),
    });
  }
}

for (const impl of implementations) {
  for (const entities of plan.entities) {
    const r = await withFresh(impl, (port, pid) => throughput(port, pid, entities, plan.warmupMs, plan.measureMs));
    const details = { ...r };
    rows.push({
      scenario: `throughput, ${entities} entities`,
      implementation: impl.name,
      metric: "commands/s",
      value: r.commandsPerSecond,
      details,
    });
    rows.push({
      scenario: `throughput, ${entities} entities`,
      implementation: impl.name,
      metric: "commands/CPU-s",
      value: r.commandsPerCpuSecond,
      details,
    });
    console.error(
      `${impl.name}: ${entities} entities: ${r.commandsPerSecond.toFixed(0)} commands/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.commandsPerCpuSecond.toFixed(0)} per CPU-s, driver CPU ${r.driverCpuSeconds.toFixed(1)} s of ${r.seconds.toFixed(1)} s`,
    );
  }
  // The echo server keeps no state: its replay and memory figures are the transport's own cost, the floor.
  for (const events of plan.replays) {
    const r = await withFresh(impl, (port, pid) => replay(port, pid, events, false));
    rows.push({
      scenario: `replay, ${events} events`,
      implementation: impl.name,
      metric: "events/s",
      value: r.eventsPerSecond,
      details: { ...r },
    });
    console.error(`${impl.name}: replay ${events}: ${r.seconds.toFixed(3)} s`);
  }
  const snap = await withFresh(impl, (port, pid) => replay(port, pid, plan.snapshotReplay, true));
  rows.push({
    scenario: `replay, snapshot + ${plan.snapshotReplay} events`,
    implementation: impl.name,
    metric: "events/s",
    value: snap.eventsPerSecond,
    details: { ...snap },
  });
  for (const entities of plan.memory) {
    const r = await withFresh(impl, (port, pid) => memory(port, pid, entities));
    rows.push({
      scenario: `memory, ${entities} entities`,
      implementation: impl.name,
      metric: "KiB/entity",
      value: r.kibPerEntity,
      details: { ...r },
    });
    console.error(`${impl.name}: memory ${entities}: ${r.kibPerEntity.toFixed(1)} KiB/entity`);
  }
}

// The unit testkit runs in this process: what a test suite of many short-lived entities, and one long-lived
// entity, costs per command, with the checks on (the default) and off.
if (only.includes("ours")) {
  const runs = quick
    ? ([
        [50, 10],
        [1, 200],
      ] as const)
    : ([
        [1000, 10],
        [1, 5000],
      ] as const);
  for (const [entities, perEntity] of runs) {
    for (const checks of [true, false]) {
      const r = await testkitThroughput(entities, perEntity, checks);
      rows.push({
        scenario: `unit testkit, ${entities} carts x ${perEntity} commands, checks ${checks ? "on" : "off"}`,
        implementation: "ours",
        metric: "commands/s",
        value: r.commandsPerSecond,
        details: { ...r },
      });
      console.error(
        `unit testkit: ${entities} x ${perEntity}, checks ${checks ? "on" : "off"}: ${r.commandsPerSecond.toFixed(0)} commands/s`,
      );
    }
  }
  {
    const [entities, perEntity] = quick ? [20, 50] : [100, 200];
    const cost = await observationCost(entities, perEntity);
    for (const [state, r] of [
      ["off", cost.off],
      ["on", cost.on],
      ["tracing only", cost.tracingOnly],
      ["metrics only", cost.metricsOnly],
    ] as const) {
      rows.push({
        scenario: `unit testkit, ${entities} carts x ${perEntity} commands, tracing+metrics ${state}`,
        implementation: "ours",
        metric: "commands/s",
        value: r.commandsPerSecond,
        details: { ...r, microsecondsPerCommand: 1e6 / r.commandsPerSecond },
      });
    }
    const us = (r: { commandsPerSecond: number }): number => 1e6 / r.commandsPerSecond;
    console.error(
      `observation: ${us(cost.off).toFixed(1)} µs/command off, ${us(cost.on).toFixed(1)} with tracing+metrics on ` +
        `(+${(us(cost.on) - us(cost.off)).toFixed(1)}; tracing alone ${us(cost.tracingOnly).toFixed(1)}, metrics ` +
        `alone ${us(cost.metricsOnly).toFixed(1)}), fastest of ${cost.rounds} rounds each`,
    );
  }
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const lines = [`| scenario | implementation | metric | value | vs ours |`, `| --- | --- | --- | ---: | ---: |`];
for (const row of rows) {
  const ours = rows.find((r) => r.scenario === row.scenario && r.metric === row.metric && r.implementation === "ours");
  const ratio = ours === undefined || ours.value === 0 ? "" : `${(row.value / ours.value).toFixed(2)}x`;
  lines.push(
    `| ${row.scenario} | ${IMPLEMENTATIONS[row.implementation].description} | ${row.metric} | ${fmt(row.value)} | ${ratio} |`,
  );
}
console.log(`\n${machine()}\n`);
console.log(lines.join("\n"));
for (const s of skipped) console.log(`\nnot measured: ${s.implementation}: ${s.reason}`);
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, JSON.stringify({ quick, node: process.version, cpus: cpus().length, rows, skipped }, null, 2));
console.log(`\nresults written to ${output}`);
if (rows.length === 0) process.exit(1);
