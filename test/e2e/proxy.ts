/**
 * The real Cloudstate 0.6.0 proxy for end-to-end tests, the demo and the TCK: resolved with Maven from the local
 * repository (`~/.m2`, where CI installs Cloudstate's artifacts) or Maven Central, and started on loopback.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, start, type Started, type StartOptions } from "./processes.js";

const HERE = new URL(".", import.meta.url).pathname;
export const ROOT = join(HERE, "../..");
const CACHE = join(HERE, ".proxy");

/** The Cloudstate release every real component comes from. */
export const CLOUDSTATE_VERSION = process.env["CLOUDSTATE_VERSION"] ?? "0.6.0";

/** Cloudstate's artifacts, by their Maven artifact id (group `io.cloudstate`). */
export const ARTIFACTS = {
  /** The proxy in development mode: in-memory journal, snapshots and value store, one node. */
  proxy: "cloudstate-proxy-core_2.13",
  /** The proxy with a PostgreSQL journal, snapshot store and value store. */
  postgresProxy: "cloudstate-proxy-postgres_2.13",
  /** The official TCK. */
  tck: "cloudstate-tck",
  /** The Java support's implementation of the TCK models. */
  javaTck: "cloudstate-java-support-tck",
} as const;

const MAIN_CLASSES = {
  proxy: "io.cloudstate.proxy.CloudStateProxyMain",
  postgresProxy: "io.cloudstate.proxy.jdbc.CloudStateJdbcProxyMain",
} as const;

/**
 * The classpath of `io.cloudstate:<artifactId>:<version>` and its dependencies, from `mvn dependency:build-classpath`.
 * `CLOUDSTATE_PROXY_CLASSPATH` overrides the proxy's.
 * @throws Error with Maven's explanation when the artifact cannot be resolved.
 */
export function classpathOf(artifactId: string, version = CLOUDSTATE_VERSION): string {
  const given = artifactId === ARTIFACTS.proxy ? process.env["CLOUDSTATE_PROXY_CLASSPATH"] : undefined;
  if (given !== undefined && given !== "") return given;
  mkdirSync(CACHE, { recursive: true });
  const output = join(CACHE, `classpath-${artifactId}-${version}.txt`);
  const run = spawnSync(
    "mvn",
    [
      "-B",
      "-q",
      "-f",
      join(HERE, "proxy/pom.xml"),
      `-Dproxy.artifactId=${artifactId}`,
      `-Dproxy.version=${version}`,
      "dependency:build-classpath",
      `-Dmdep.outputFile=${output}`,
    ],
    { encoding: "utf8" },
  );
  if (run.status !== 0) {
    const reason = `${run.stdout}\n${run.stderr}`
      .split("\n")
      .filter((line) => line.includes("ERROR"))
      .slice(0, 3)
      .join("\n");
    throw new Error(
      `Maven could not resolve io.cloudstate:${artifactId}:${version}:\n${reason || run.stderr}\n` +
        "Cloudstate never published it to Maven Central: install it into ~/.m2 first (see README, " +
        '"Where the proxy comes from").',
    );
  }
  return readFileSync(output, "utf8").trim();
}

/** A running proxy and the port of its public gRPC, HTTP/JSON and reflection API. */
export interface RunningProxy {
  readonly process: Started;
  readonly port: number;
  stop(): Promise<void>;
}

/** How to start a proxy. */
export interface ProxyOptions {
  /** Where the proxy finds the user function (or the TCK in front of it), on 127.0.0.1. */
  readonly userFunctionPort: number;
  /** Which flavour; development mode unless `postgres`. */
  readonly flavour?: "dev" | "postgres";
  /** The public port; a free one unless given (to restart a proxy on the same port, say). */
  readonly port?: number;
  /** More environment, e.g. the PostgreSQL connection. */
  readonly env?: NodeJS.ProcessEnv;
  /** More JVM options (`-Dkey=value`), after the harness's own so they can override them. */
  readonly jvmOptions?: readonly string[];
  /** Wait for discovery and the bound port before resolving (default), or only for the JVM to be up. */
  readonly waitUntil?: "online" | "started";
  readonly timeoutMs?: number;
  readonly onOutput?: StartOptions["onOutput"];
}

/** The log line the proxy prints once discovery succeeded and its port is bound. */
export const PROXY_ONLINE = /CloudState proxy online at \S+:(\d+)/;
/** The log line the proxy prints once its actor system is up, before its first discovery attempt. */
const PROXY_STARTED = /Starting Cloudstate Proxy version/;

/**
 * Starts the proxy on loopback: public port on 127.0.0.1, Akka remoting on a free port (two proxies never collide
 * on 25520), discovery retried every 0.5 to 1 s. Resolves when it is online (or started, see
 * {@link ProxyOptions.waitUntil}); on any failure it stops the proxy before throwing.
 */
export async function startProxy(classpath: string, options: ProxyOptions): Promise<RunningProxy> {
  const port = options.port ?? (await freePort());
  const flavour = options.flavour ?? "dev";
  const config =
    flavour === "dev"
      ? ["-Dconfig.resource=dev-mode.conf"]
      : // The JDBC proxy's own application.conf; development mode keeps it from expecting Kubernetes.
        ["-Dcloudstate.proxy.dev-mode-enabled=true"];
  const proxy = start(
    "proxy",
    "java",
    [
      ...config,
      "-Dcloudstate.proxy.http-interface=127.0.0.1",
      "-Dakka.remote.artery.canonical.hostname=127.0.0.1",
      "-Dcloudstate.proxy.backoff.min=500ms",
      "-Dcloudstate.proxy.backoff.max=1s",
      ...(options.jvmOptions ?? []),
      "-cp",
      classpath,
      flavour === "dev" ? MAIN_CLASSES.proxy : MAIN_CLASSES.postgresProxy,
    ],
    {
      HTTP_PORT: String(port),
      USER_FUNCTION_HOST: "127.0.0.1",
      USER_FUNCTION_PORT: String(options.userFunctionPort),
      REMOTING_PORT: "0",
      ...options.env,
    },
    options.onOutput === undefined ? {} : { onOutput: options.onOutput },
  );
  try {
    await proxy.waitFor(options.waitUntil === "started" ? PROXY_STARTED : PROXY_ONLINE, options.timeoutMs ?? 120_000);
  } catch (error) {
    await proxy.stop();
    throw error;
  }
  return { process: proxy, port, stop: () => proxy.stop("SIGTERM", 15_000) };
}

/** Starts an example's user function (`src/main.ts` in its folder) on 127.0.0.1:`port`. */
export async function startUserFunction(example: string, port: number, env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const folder = join(ROOT, "examples", example);
  return startNodeUserFunction(`user function (${example})`, join(folder, "src/main.ts"), port, env, { cwd: folder });
}

/**
 * Starts a user function written as a TypeScript `script` (run with tsx) on 127.0.0.1:`port`; resolves once it
 * prints that it listens, and stops it before throwing if it never does.
 */
export async function startNodeUserFunction(
  name: string,
  script: string,
  port: number,
  env: NodeJS.ProcessEnv = {},
  options: StartOptions = {},
): Promise<Started> {
  const fn = start(
    name,
    "node",
    ["--import", "tsx", script],
    { HOST: "127.0.0.1", PORT: String(port), ...env },
    options,
  );
  try {
    await fn.waitFor(/user function listening/, 60_000);
  } catch (error) {
    await fn.stop();
    throw error;
  }
  return fn;
}
