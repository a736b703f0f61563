/**
 * Jaeger v1.75.0 (its v2 binary, `github.com/jaegertracing/jaeger/cmd/jaeger`) as a process the suite starts and
 * stops: built once from the Go module proxy into ~/.cache/cloudstate-ts/jaeger/ (a few minutes on two cores),
 * then started in memory with a configuration of our own that binds OTLP/HTTP ingest and the query API on
 * loopback, on free ports.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, waitForPort, type Started } from "cloudstate-ts-devkit";

const VERSION = "v1.75.0";
const MODULE = "github.com/jaegertracing/jaeger/cmd/jaeger";
const CACHE = join(homedir(), ".cache/cloudstate-ts/jaeger", VERSION);

function go(args: readonly string[], cwd: string): void {
  const run = spawnSync("go", args, { cwd, encoding: "utf8", env: { ...process.env, GOFLAGS: "-mod=mod" } });
  if (run.status !== 0) throw new Error(`go ${args.join(" ")} failed in ${cwd}:\n${run.stdout}\n${run.stderr}`);
}

/** The cached binary, built first if missing. @throws Error with Go's output when the build fails. */
export function buildJaeger(log: (line: string) => void = () => undefined): string {
  const binary = join(CACHE, "jaeger");
  if (existsSync(binary)) return binary;
  const module = join(CACHE, "module");
  mkdirSync(module, { recursive: true });
  if (!existsSync(join(module, "go.mod"))) go(["mod", "init", "cloudstate-ts/jaeger-build"], module);
  log(`building Jaeger ${VERSION} from the Go module proxy into ${binary} (a few minutes)`);
  go(["get", "-tool", `${MODULE}@${VERSION}`], module);
  go(["build", "-o", `${binary}.tmp`, MODULE], module);
  renameSync(`${binary}.tmp`, binary);
  return binary;
}

/** A running Jaeger. */
export interface Jaeger {
  readonly process: Started;
  /** Where OTLP/HTTP traces go, e.g. `http://127.0.0.1:PORT/v1/traces`. */
  readonly otlpTracesUrl: string;
  /** The query API's base, e.g. `http://127.0.0.1:PORT`. */
  readonly queryUrl: string;
  stop(): Promise<void>;
}

/** Starts Jaeger in memory, every port on 127.0.0.1. */
export async function startJaeger(log?: (line: string) => void): Promise<Jaeger> {
  const binary = buildJaeger(log);
  const [otlp, query, queryGrpc] = [await freePort(), await freePort(), await freePort()];
  const config = join(tmpdir(), `cloudstate-ts-jaeger-${process.pid}-${otlp}.yaml`);
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${query}
    grpc:
      endpoint: 127.0.0.1:${queryGrpc}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`,
  );
  const started = startProcess("jaeger", binary, ["--config", config], {});
  try {
    await waitForPort(query, started, 60_000);
    await waitForPort(otlp, started, 60_000);
  } catch (error) {
    await started.stop("SIGKILL", 0);
    throw error;
  }
  return {
    process: started,
    otlpTracesUrl: `http://127.0.0.1:${otlp}/v1/traces`,
    queryUrl: `http://127.0.0.1:${query}`,
    // Jaeger does not always exit promptly on SIGTERM: give it a few seconds, then kill it.
    stop: () => started.stop("SIGTERM", 5000),
  };
}

/** A span as Jaeger's query API returns it. */
export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: readonly { readonly refType: string; readonly traceID: string; readonly spanID: string }[];
  readonly tags: readonly { readonly key: string; readonly value: unknown }[];
}

/** The spans of one trace, or none yet. */
export async function traceSpans(jaeger: Jaeger, traceId: string): Promise<readonly JaegerSpan[]> {
  const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`Jaeger answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { data?: { spans: JaegerSpan[] }[] };
  return body.data?.[0]?.spans ?? [];
}

/** The traces of a service whose operation is `operation` (newest first), as Jaeger's search finds them. */
export async function findTraces(
  jaeger: Jaeger,
  service: string,
  operation: string,
  tags: Readonly<Record<string, string>> = {},
): Promise<readonly (readonly JaegerSpan[])[]> {
  const query = new URLSearchParams({ service, operation, limit: "50", lookback: "1h", tags: JSON.stringify(tags) });
  const response = await fetch(`${jaeger.queryUrl}/api/traces?${query.toString()}`);
  if (!response.ok) throw new Error(`Jaeger answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { data?: { spans: JaegerSpan[] }[] };
  return (body.data ?? []).map((t) => t.spans);
}

/** A tag's value. */
export function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}

/** The span's parent in its trace (CHILD_OF), if any. */
export function parentOf(span: JaegerSpan): string | undefined {
  return span.references.find((r) => r.refType === "CHILD_OF")?.spanID;
}
