/**
 * The real Cloudstate 0.6.0 proxy, started on loopback in front of a user function: development mode (in-memory
 * stores) or the PostgreSQL flavour, optionally with the fixes artifact first on its classpath.
 */
import { atExit } from "./lifecycle.js";
import { freePort, startProcess, type Started } from "./processes.js";
import type { ProxyFlavour } from "./maven.js";
import { chooseProxySource, type ProxySource } from "./proxy-source.js";
import { proxyContainerCommand, removeContainer } from "./proxy-image.js";

/** Where the PostgreSQL proxy finds its database. */
export interface PostgresConnection {
  /** The server's host, e.g. `127.0.0.1`. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /** The database holding the proxy's tables (`journal`, `snapshot`, `value_entity_state`). */
  readonly database: string;
  /** The role the proxy connects as. */
  readonly user: string;
  /** The role's password. */
  readonly password: string;
}

/** How to start a proxy. */
export interface ProxyOptions {
  /** Where the proxy finds the user function (or whatever sits in front of it, such as the TCK), on 127.0.0.1. */
  readonly userFunctionPort: number;
  /** Development mode (default) or the PostgreSQL flavour, which needs {@link postgres}. */
  readonly flavour?: ProxyFlavour;
  /** The database of the PostgreSQL flavour. */
  readonly postgres?: PostgresConnection;
  /**
   * Development mode (default true): the proxy joins itself as a cluster of one. False for a real cluster: it then
   * starts Akka Management and cluster bootstrap, which step aside when `akka.cluster.seed-nodes` is set (see
   * `CloudstateCluster`), and creates the PostgreSQL tables only once its `/ready` check is asked.
   */
  readonly devMode?: boolean;
  /** Put the fixes artifact (not upstream) first on the classpath. Default false: the released proxy. */
  readonly fixes?: boolean;
  /** The classpath to run; resolved with Maven from {@link flavour} and {@link fixes} unless given. */
  readonly classpath?: string;
  /**
   * Where the proxy comes from: `auto` (default; `CLOUDSTATE_PROXY_SOURCE` overrides it) runs the JVM on the
   * classpath Maven resolves and, when the coordinates do not resolve, the proxy's container image with podman or
   * Docker; `maven` or `image` ask for one of them.
   */
  readonly source?: ProxySource;
  /**
   * The image when it runs from one: default `cloudstateio/cloudstate-proxy-core:0.6.0` (development mode) or
   * `cloudstateio/cloudstate-proxy-postgres:0.6.0`; `CLOUDSTATE_PROXY_IMAGE` and `CLOUDSTATE_POSTGRES_PROXY_IMAGE`
   * override them.
   */
  readonly image?: string;
  /** The public port (gRPC, HTTP/JSON, reflection); a free one unless given (to restart on the same port, say). */
  readonly port?: number;
  /** More environment variables for the proxy, after the ones set here. */
  readonly env?: Readonly<Record<string, string>>;
  /** More JVM options (`-Dkey=value`, `-Xmx…`), after the ones set here so they can override them. */
  readonly jvmOptions?: readonly string[];
  /** Resolve once discovery succeeded and the port is bound (default), or once the JVM is up and retrying. */
  readonly waitUntil?: "online" | "started";
  /** How long to wait for {@link waitUntil}. Default 120 s (JVM start on a loaded machine included). */
  readonly timeoutMs?: number;
  /** Sees each chunk of the proxy's output as it arrives. */
  readonly onOutput?: (chunk: string) => void;
  /** The name in messages and logs. Default `proxy`. */
  readonly name?: string;
}

/** A running proxy. */
export interface ProxyProcess {
  /** The JVM (or the container engine's client running it), with its output. */
  readonly process: Started;
  /** Where it came from: `the Maven classpath`, or the image and the engine, e.g. `image … (podman)`. */
  readonly origin: string;
  /** The public port: gRPC, HTTP/JSON and server reflection. */
  readonly port: number;
  /** Everything the proxy printed so far. */
  readonly log: string;
  /** SIGTERM, then SIGKILL after 15 s; resolves when it has exited. */
  stop(): Promise<void>;
  /** SIGKILL (`kill -9`); resolves when it has exited. */
  kill(): Promise<void>;
}

/** The log line the proxy prints once discovery succeeded and its port is bound. */
export const PROXY_ONLINE = /CloudState proxy online at \S+:(\d+)/;
/** The log line the proxy prints once its actor system is up, before its first discovery attempt. */
export const PROXY_STARTED = /Starting Cloudstate Proxy version/;
/** What the proxy logs when it has received a discovery answer. */
const DISCOVERY_RECEIVED = /Received EntitySpec from user function/;

const MAIN_CLASSES: Readonly<Record<ProxyFlavour, string>> = {
  dev: "io.cloudstate.proxy.CloudStateProxyMain",
  postgres: "io.cloudstate.proxy.jdbc.CloudStateJdbcProxyMain",
};

/** Thrown when the proxy refused the user function's discovery answer; the message is the proxy's own. */
export class DiscoveryRejectedError extends Error {
  /** Always `DiscoveryRejectedError`. */
  override readonly name = "DiscoveryRejectedError";
}

/**
 * The proxy's error after it received a discovery answer, if it printed one: it then retries forever and never
 * opens its port, so waiting on would only time out.
 */
export function discoveryRejection(log: string): string | undefined {
  const received = log.search(DISCOVERY_RECEIVED);
  if (received < 0) return undefined;
  const after = log.slice(received).split("\n").slice(1);
  const at = after.findIndex((line) => /\bERROR\b/.test(line));
  if (at < 0) return undefined;
  return after
    .slice(at, at + 3)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("\n");
}

function environment(options: ProxyOptions, port: number): Record<string, string> {
  const env: Record<string, string> = {
    HTTP_PORT: String(port),
    USER_FUNCTION_HOST: "127.0.0.1",
    USER_FUNCTION_PORT: String(options.userFunctionPort),
    // Akka remoting on a free port: two proxies on one machine never collide on 25520.
    REMOTING_PORT: "0",
  };
  const db = options.postgres;
  if (db !== undefined) {
    Object.assign(env, {
      POSTGRES_SERVICE: db.host,
      POSTGRES_PORT: String(db.port),
      POSTGRES_DATABASE: db.database,
      POSTGRES_USERNAME: db.user,
      POSTGRES_PASSWORD: db.password,
    });
  }
  return { ...env, ...options.env };
}

/**
 * Starts the proxy on 127.0.0.1: Akka remoting on a free port, discovery retried every 0.5 to 1 s. Resolves when
 * it is online (or started, see {@link ProxyOptions.waitUntil}). Fails at once with the proxy's own error line
 * when it refuses the discovery answer, and stops the proxy before throwing on any failure.
 */
export async function startProxy(options: ProxyOptions): Promise<ProxyProcess> {
  const flavour = options.flavour ?? "dev";
  if (flavour === "postgres" && options.postgres === undefined && options.env?.["POSTGRES_SERVICE"] === undefined) {
    throw new Error("the PostgreSQL proxy needs a database: pass `postgres` (see startPostgres)");
  }
  const port = options.port ?? (await freePort());
  const config =
    flavour === "dev"
      ? ["-Dconfig.resource=dev-mode.conf"]
      : // The JDBC proxy's own application.conf; development mode keeps it from expecting Kubernetes.
        ["-Dcloudstate.proxy.dev-mode-enabled=true"];
  // A system property wins over dev-mode.conf and the JDBC proxy's application.conf alike (the last -D wins).
  if (options.devMode === false) config.push("-Dcloudstate.proxy.dev-mode-enabled=false");
  const jvmOptions = [
    ...config,
    "-Dcloudstate.proxy.http-interface=127.0.0.1",
    "-Dakka.remote.artery.canonical.hostname=127.0.0.1",
    "-Dcloudstate.proxy.backoff.min=500ms",
    "-Dcloudstate.proxy.backoff.max=1s",
    ...(options.jvmOptions ?? []),
  ];
  const name = options.name ?? "proxy";
  const output = options.onOutput === undefined ? {} : { onOutput: options.onOutput };
  const source =
    options.classpath !== undefined
      ? ({ kind: "maven", classpath: options.classpath } as const)
      : chooseProxySource({
          flavour,
          fixes: options.fixes ?? false,
          ...(options.source === undefined ? {} : { source: options.source }),
          ...(options.image === undefined ? {} : { image: options.image }),
        });
  let proxy: Started;
  let removeLeftovers = (): void => undefined;
  let forgetLeftovers = (): void => undefined;
  if (source.kind === "maven") {
    proxy = startProcess(
      name,
      "java",
      [...jvmOptions, "-cp", source.classpath, MAIN_CLASSES[flavour]],
      environment(options, port),
      output,
    );
  } else {
    const env = environment(options, port);
    const container = `cloudstate-proxy-${process.pid}-${port}`;
    const managementPort = Number(env["MANAGEMENT_PORT"] ?? "0");
    const metricsPort = Number(env["METRICS_PORT"] ?? "0");
    const { command, args } = proxyContainerCommand({
      engine: source.engine,
      image: source.image,
      name: container,
      env,
      jvmOptions,
      ports: [port, managementPort, metricsPort].filter((p) => p > 0),
    });
    // Killing the engine's client (SIGKILL, or this process dying) leaves the container running: remove it too.
    removeLeftovers = () => removeContainer(source.engine, container);
    forgetLeftovers = atExit(removeLeftovers);
    proxy = startProcess(name, command, args, {}, output);
  }
  const origin = source.kind === "maven" ? "the Maven classpath" : `image ${source.image} (${source.engine})`;
  const cleanUp = (): void => {
    removeLeftovers();
    forgetLeftovers();
  };
  const running: ProxyProcess = {
    process: proxy,
    origin,
    port,
    get log() {
      return proxy.output;
    },
    async stop() {
      await proxy.stop("SIGTERM", 15_000);
      cleanUp();
    },
    async kill() {
      // The container first: a SIGKILL only ends the engine's client.
      cleanUp();
      proxy.signal("SIGKILL");
      await proxy.exit();
    },
  };
  try {
    if (options.waitUntil === "started") await proxy.waitFor(PROXY_STARTED, options.timeoutMs ?? 120_000);
    else await waitOnline(proxy, options.timeoutMs ?? 120_000);
  } catch (error) {
    await proxy.stop();
    cleanUp();
    throw error;
  }
  return running;
}

/** Waits for the online line, failing early when the proxy refuses discovery. */
async function waitOnline(proxy: Started, timeoutMs: number): Promise<void> {
  let online = false;
  const rejected = proxy.waitFor(DISCOVERY_RECEIVED, timeoutMs).then(async () => {
    // The error follows the received line within moments: look again at each new line until online.
    while (!online) {
      const problem = discoveryRejection(proxy.output);
      if (problem !== undefined) throw new DiscoveryRejectedError(`the proxy refused discovery:\n${problem}`);
      await proxy.waitFor(/\n/, timeoutMs, proxy.output.length);
    }
  });
  // Whichever settles second is of no interest.
  rejected.catch(() => undefined);
  try {
    await Promise.race([proxy.waitFor(PROXY_ONLINE, timeoutMs), rejected]);
  } finally {
    online = true;
  }
}
