/**
 * Debian's Prometheus (installed with apt-get when missing), started with our own configuration: it scrapes one
 * target every second, listens on a free loopback port and keeps its data in a temporary folder.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, waitForPort, type Started } from "cloudstate-ts-devkit";

const BINARY = "/usr/bin/prometheus";

/** Installs Debian's `prometheus` package if its binary is missing (CI runs as root). */
export function ensurePrometheus(log: (line: string) => void = () => undefined): string {
  if (existsSync(BINARY)) return BINARY;
  log("installing Debian's prometheus package");
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "prometheus"]]) {
    const run = spawnSync("apt-get", args, {
      encoding: "utf8",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
  }
  return BINARY;
}

/** A running Prometheus. */
export interface Prometheus {
  readonly process: Started;
  readonly url: string;
  /** The value of an instant query's single sample, or undefined when it has none. */
  query(expression: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `target` (host:port) every second. */
export async function startPrometheus(target: string, log?: (line: string) => void): Promise<Prometheus> {
  const binary = ensurePrometheus(log);
  const folder = mkdtempSync(join(tmpdir(), "cloudstate-ts-prometheus-"));
  const config = join(folder, "prometheus.yml");
  writeFileSync(
    config,
    `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: user-function
    static_configs:
      - targets: ["${target}"]
`,
  );
  const port = await freePort();
  const started = startProcess(
    "prometheus",
    binary,
    [
      `--config.file=${config}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(folder, "data")}`,
    ],
    {},
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForPort(port, started, 60_000);
  } catch (error) {
    await started.stop("SIGKILL", 0);
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    process: started,
    url,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expression }).toString()}`);
      const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
      const sample = body.data?.result?.[0];
      return sample === undefined ? undefined : Number(sample.value[1]);
    },
    async stop() {
      await started.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
