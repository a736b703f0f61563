/**
 * `npm run test:eventing`: builds Google's Pub/Sub fake, runs the eventing end-to-end tests behind the real proxy
 * (node's test runner, one file at a time: each starts its own JVMs), then prints every flow's counts
 * (`emitted N, delivered N, lost N, duplicates N`) and latency. Exits with the tests' status.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FLOWS_FILE, formatFlow, type FlowReport } from "./flows.js";
import { buildPubsubFake } from "./pubsub-fake.js";

const HERE = new URL(".", import.meta.url).pathname;
const unknown = process.argv.slice(2);
if (unknown.length > 0) {
  console.error(`test:eventing takes no arguments (got ${unknown.join(" ")}); it runs every test/eventing/*.e2e.ts`);
  process.exit(2);
}

console.log(`test:eventing: the Pub/Sub fake is ${buildPubsubFake((line) => console.log(`test:eventing: ${line}`))}`);
rmSync(FLOWS_FILE, { force: true });
const files = readdirSync(HERE)
  .filter((f) => f.endsWith(".e2e.ts"))
  .sort()
  .map((f) => join(HERE, f));
console.log(`test:eventing: running ${files.length} files: ${files.map((f) => f.slice(HERE.length)).join(", ")}`);
const run = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=1", ...files],
  { stdio: "inherit" },
);

const reports: FlowReport[] = existsSync(FLOWS_FILE)
  ? readFileSync(FLOWS_FILE, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as FlowReport)
  : [];
console.log(`\ntest:eventing: ${reports.length} flows`);
for (const report of reports) console.log(`  ${formatFlow(report)}`);
const lost = reports.reduce((sum, r) => sum + r.lost, 0);
console.log(`test:eventing: ${lost} lost in all; tests ${run.status === 0 ? "passed" : "FAILED"}`);
process.exit(run.status ?? 1);
