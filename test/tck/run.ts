/**
 * `npm run tck`: the official Cloudstate TCK (`io.cloudstate:cloudstate-tck`) against one of our examples, behind
 * the real proxy. The TCK sits between the proxy and the user function and records every protocol message:
 *
 *   TCK test clients -> proxy :proxyPort -> TCK :tckPort -> user function :servicePort
 *
 * Order and timing follow the TCK: the user function listens first; the proxy's JVM is up and retrying discovery
 * (every 0.5 to 1 s) before the TCK starts, because the TCK discovers the user function itself, then binds its
 * port and gives the proxy only 10 s to come online through it.
 *
 * Prints every test's result as it runs, a table per group and the counts; writes JUnit XML; exits 1 when a test
 * failed or was canceled, the run aborted, or fewer tests passed than `--min-passed`.
 *
 *   npm run tck [-- --example tck] [--reference] [--proxy dev|postgres] [--min-passed N] [--junit DIR]
 *
 * `--proxy postgres` runs the same tests behind the PostgreSQL flavour (journal, snapshots and value store in a
 * private PostgreSQL cluster, started here) instead of development mode's in-memory stores.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, classpathOf } from "../../devkit/launch/maven.js";
import {
  freePort,
  startProcess,
  startProxy,
  startUserFunctionProcess,
  startPostgres,
  stopAll,
  waitForPort,
  type Postgres,
  type ProxyProcess,
  type Started,
} from "cloudstate-ts-devkit";
import { commandLine } from "../support/cli-args.js";
import { ROOT } from "../support/root.js";
import { countsByGroup, parseTckOutput, verdict, type Outcome } from "./results.js";

const { values: args } = commandLine(
  "tck",
  "usage: npm run tck -- [--proxy=dev|postgres] [--min-passed=N] [--reference] [--example=NAME] [--junit=DIR]",
  {
    options: {
      example: { type: "string" },
      reference: { type: "boolean", default: false },
      proxy: { type: "string", default: "dev" },
      "min-passed": { type: "string", default: "1" },
      junit: { type: "string", default: join(ROOT, "tck-results") },
    },
  },
);

/** The TCK model example once it exists, the shopping cart until then. */
const example = args.example ?? (existsSync(join(ROOT, "examples/tck")) ? "tck" : "shopping-cart");
const minPassed = Number(args["min-passed"]);
if (!Number.isInteger(minPassed) || minPassed < 0)
  throw new Error(`--min-passed must be a count, got ${args["min-passed"]}`);
if (args.proxy !== "dev" && args.proxy !== "postgres")
  throw new Error(`--proxy must be dev or postgres, got ${args.proxy}`);
const flavour = args.proxy;
const subject = args.reference ? "the Java support's TCK user function (reference)" : `examples/${example}`;

/** Starts the reference implementation of the TCK models, to compare behaviour with. */
async function startReference(port: number): Promise<Started> {
  const fn = startProcess(
    "reference user function",
    "java",
    ["-cp", classpathOf([ARTIFACTS.javaTck]), "io.cloudstate.javasupport.tck.JavaSupportTck"],
    {
      HOST: "127.0.0.1",
      PORT: String(port),
    },
  );
  try {
    // It prints nothing when ready.
    await waitForPort(port, fn, 120_000);
  } catch (error) {
    await fn.stop();
    throw error;
  }
  return fn;
}

function printTable(groups: Map<string, Record<Outcome, number>>): void {
  const rows = [...groups].map(([group, c]) => [group, c.passed, c.failed, c.pending, c.canceled + c.ignored] as const);
  const width = Math.max(5, ...rows.map(([group]) => group.length));
  const line = (cells: readonly (string | number)[]): string =>
    cells.map((cell, i) => (i === 0 ? String(cell).padEnd(width) : String(cell).padStart(8))).join("  ");
  console.log(`\n${line(["group", "passed", "failed", "pending", "other"])}`);
  for (const row of rows) console.log(line(row));
}

let userFunction: Started | undefined;
let proxy: ProxyProcess | undefined;
let tck: Started | undefined;
let postgres: Postgres | undefined;
let exitCode = 1;
try {
  console.log(
    `Cloudstate TCK against ${subject}, behind the ${flavour === "dev" ? "development-mode" : "PostgreSQL"} proxy`,
  );
  if (flavour === "postgres") {
    postgres = await startPostgres({ log: (line) => console.log(line) });
    console.log(`PostgreSQL: private cluster on 127.0.0.1:${postgres.port}`);
  }
  const tckClasspath = classpathOf([ARTIFACTS.tck]);
  const [servicePort, tckPort] = [await freePort(), await freePort()];

  userFunction = args.reference
    ? await startReference(servicePort)
    : await startUserFunctionProcess({
        name: `user function (${example})`,
        script: join(ROOT, "examples", example, "src/main.ts"),
        cwd: join(ROOT, "examples", example),
        port: servicePort,
      });
  proxy = await startProxy({
    userFunctionPort: tckPort,
    waitUntil: "started",
    ...(postgres === undefined ? {} : { flavour: "postgres" as const, postgres: postgres.connection }),
  });
  console.log(`user function :${servicePort}, TCK :${tckPort}, proxy :${proxy.port}\n`);

  rmSync(args.junit, { recursive: true, force: true });
  mkdirSync(args.junit, { recursive: true });
  tck = startProcess(
    "TCK",
    "java",
    [
      "-cp",
      tckClasspath,
      "org.scalatest.tools.Runner",
      "-oWD",
      "-u",
      args.junit,
      "-s",
      "io.cloudstate.tck.ConfiguredCloudstateTCK",
    ],
    {
      TCK_HOST: "127.0.0.1",
      TCK_PORT: String(tckPort),
      TCK_PROXY_HOST: "127.0.0.1",
      TCK_PROXY_PORT: String(proxy.port),
      TCK_SERVICE_HOST: "127.0.0.1",
      TCK_SERVICE_PORT: String(servicePort),
    },
    { onOutput: (chunk) => process.stdout.write(chunk) },
  );
  // A full run takes about 40 s; the bound only keeps a stuck run from holding CI.
  const finished = await Promise.race([
    tck.exit(),
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 15 * 60_000).unref()),
  ]);

  const report = parseTckOutput(tck.output);
  printTable(countsByGroup(report.tests));
  const t = report.totals;
  if (t !== undefined) {
    console.log(
      `\nTCK: ${t.succeeded} passed, ${t.failed} failed, ${t.pending} pending, ${t.canceled} canceled, ${t.ignored} ignored`,
    );
  }
  console.log(`JUnit XML: ${args.junit}`);
  const problem = finished === "timeout" ? "the TCK did not finish within 15 minutes" : verdict(report, minPassed);
  if (problem === undefined) {
    exitCode = 0;
  } else {
    console.error(`\nTCK NOT PASSED: ${problem}.`);
    if (report.totals === undefined) console.error(`The proxy's last lines:\n${proxy.process.tail(30)}`);
  }
  if (t !== undefined)
    console.log(`tck: ${t.succeeded} passed, ${t.failed} failed, ${t.pending + t.canceled + t.ignored} skipped`);
} catch (error) {
  console.error(`\nThe TCK could not run: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await stopAll(tck, proxy?.process, userFunction);
  await postgres?.stop();
}
process.exitCode = exitCode;
