/**
 * `npm run bench -- --e2e`: the same shopping-cart load through the real Cloudstate 0.6.0 proxy (development mode,
 * in-memory journal) to our shopping cart (compiled) and to the Go support's, over gRPC and HTTP/JSON. Each run
 * starts a fresh user function and a fresh proxy in front of it; runs alternate between the implementations (and
 * the order of the transports alternates between rounds) so that a change in the machine's load falls on both.
 */
import { loadavg } from "node:os";
import { startProxy } from "cloudstate-ts-devkit";
import { endToEndLoad, type LoadResult, type Transport } from "./e2e-load.js";
import { IMPLEMENTATIONS, startImplementation, type ImplementationName } from "./implementations.js";

/** The implementations that can sit behind the proxy: both serve the same shopping cart service. */
export const E2E_IMPLEMENTATIONS = ["ours", "go"] as const satisfies readonly ImplementationName[];
export type EndToEndImplementation = (typeof E2E_IMPLEMENTATIONS)[number];

export interface EndToEndPlan {
  readonly implementations: readonly EndToEndImplementation[];
  readonly rounds: number;
  readonly callers: number;
  readonly carts: number;
  /**
   * Load on each transport in turn once the proxy is up, before any window: the proxy's JIT compiles its gRPC and
   * its HTTP/JSON paths apart, and a transport measured cold costs several times its warm CPU per command.
   */
  readonly proxyWarmupMs: number;
  /** Load before each measured window, not counted. */
  readonly warmupMs: number;
  readonly measureMs: number;
}

export interface EndToEndRun extends LoadResult {
  readonly implementation: EndToEndImplementation;
  readonly round: number;
  /** The machine's one-minute load average when the window ended. */
  readonly loadAverage: number;
}

/** Runs the plan, printing each run as it ends; resolves with every run. */
export async function endToEnd(plan: EndToEndPlan): Promise<EndToEndRun[]> {
  for (const name of plan.implementations) IMPLEMENTATIONS[name].prepare();
  const runs: EndToEndRun[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const transports: Transport[] = round % 2 === 0 ? ["grpc", "http"] : ["http", "grpc"];
    for (const name of plan.implementations) {
      const userFunction = await startImplementation(IMPLEMENTATIONS[name]);
      try {
        const proxy = await startProxy({ userFunctionPort: userFunction.port, name: `proxy (${name})` });
        try {
          const proxyPid = proxy.process.child.pid;
          const userFunctionPid = userFunction.process.child.pid;
          if (proxyPid === undefined || userFunctionPid === undefined) throw new Error("a process has no pid");
          const load = (transport: Transport, warmupMs: number, measureMs: number): Promise<LoadResult> =>
            endToEndLoad({
              port: proxy.port,
              transport,
              callers: plan.callers,
              carts: plan.carts,
              warmupMs,
              measureMs,
              proxyPid,
              userFunctionPid,
            });
          for (const transport of transports) await load(transport, plan.proxyWarmupMs, 0);
          for (const transport of transports) {
            const result = await load(transport, plan.warmupMs, plan.measureMs);
            const run = { ...result, implementation: name, round, loadAverage: loadavg()[0] ?? 0 };
            runs.push(run);
            console.error(describeRun(run));
          }
        } finally {
          await proxy.stop();
        }
      } finally {
        await userFunction.process.stop();
      }
    }
  }
  return runs;
}

function describeRun(run: EndToEndRun): string {
  return (
    `e2e ${run.implementation} ${run.transport} (round ${run.round + 1}): ${run.commandsPerSecond.toFixed(0)} commands/s, ` +
    `p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms; CPU-ms per command: user function ` +
    `${run.userFunctionCpuMsPerCommand.toFixed(3)}, proxy ${run.proxyCpuMsPerCommand.toFixed(3)}, driver ` +
    `${run.driverCpuMsPerCommand.toFixed(3)}; load average ${run.loadAverage.toFixed(1)}`
  );
}

/** A range over the rounds: `a` when they agree to the shown precision, else `min–max`. */
function range(values: readonly number[], digits: number): string {
  const low = Math.min(...values).toFixed(digits);
  const high = Math.max(...values).toFixed(digits);
  return low === high ? low : `${low}–${high}`;
}

/**
 * The summary table: per implementation and transport, the range over the rounds of each figure, the user
 * function's share of the CPU spent per command (user function and proxy), and the median of the user function's
 * CPU per command against the median of Go's.
 */
export function endToEndTable(runs: readonly EndToEndRun[]): string {
  const lines = [
    "| implementation | transport | commands/s | p50 ms | p99 ms | user function CPU-ms/command | proxy CPU-ms/command | user function share | vs Go (user function CPU) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length / 2;
    return Number.isInteger(middle)
      ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
      : (sorted[Math.floor(middle)] ?? 0);
  };
  for (const transport of ["grpc", "http"] as const) {
    const goRuns = runs.filter((r) => r.implementation === "go" && r.transport === transport);
    for (const name of E2E_IMPLEMENTATIONS) {
      const these = runs.filter((r) => r.implementation === name && r.transport === transport);
      if (these.length === 0) continue;
      const of = (pick: (r: EndToEndRun) => number): number[] => these.map(pick);
      const share = these.map(
        (r) => r.userFunctionCpuMsPerCommand / (r.userFunctionCpuMsPerCommand + r.proxyCpuMsPerCommand),
      );
      const vsGo =
        goRuns.length === 0
          ? ""
          : `${(median(of((r) => r.userFunctionCpuMsPerCommand)) / median(goRuns.map((r) => r.userFunctionCpuMsPerCommand))).toFixed(2)}x`;
      lines.push(
        `| ${IMPLEMENTATIONS[name].description} | ${transport === "grpc" ? "gRPC" : "HTTP/JSON"} | ` +
          `${range(
            of((r) => r.commandsPerSecond),
            0,
          )} | ${range(
            of((r) => r.p50Ms),
            1,
          )} | ${range(
            of((r) => r.p99Ms),
            1,
          )} | ` +
          `${range(
            of((r) => r.userFunctionCpuMsPerCommand),
            3,
          )} | ${range(
            of((r) => r.proxyCpuMsPerCommand),
            3,
          )} | ` +
          `${range(
            share.map((s) => s * 100),
            0,
          )} % | ${vsGo} |`,
      );
    }
  }
  return lines.join("\n");
}
