/**
 * The Cloudstate proxy from its container image, as Cloudstate 0.6.0 shipped it to users
 * (`cloudstateio/cloudstate-proxy-core` and `cloudstateio/cloudstate-proxy-postgres`), run with podman or Docker:
 * for everyone whose local Maven repository has no Cloudstate artifacts (they were never on Maven Central).
 *
 * On Linux the container shares the host's network, so the proxy binds the same loopback ports as the JVM would
 * and finds the user function on 127.0.0.1. Elsewhere (Docker Desktop, podman machine: no host network) its ports
 * are published on 127.0.0.1 and it finds the user function through the engine's alias for the host.
 */
import { spawnSync } from "node:child_process";
import { CLOUDSTATE_VERSION, type ProxyFlavour } from "./maven.js";

/** A container engine the proxy can run with. */
export type ContainerEngine = "podman" | "docker";

/** The 0.6.0 images, by flavour (the core image runs development mode with `-Dconfig.resource=dev-mode.conf`). */
export const PROXY_IMAGE_NAMES: Readonly<Record<ProxyFlavour, string>> = {
  dev: "cloudstateio/cloudstate-proxy-core",
  postgres: "cloudstateio/cloudstate-proxy-postgres",
};

/**
 * The image for `flavour`: `CLOUDSTATE_PROXY_IMAGE` (development mode) or `CLOUDSTATE_POSTGRES_PROXY_IMAGE` if set,
 * else the 0.6.0 image of {@link PROXY_IMAGE_NAMES} tagged with the Cloudstate version.
 */
export function proxyImage(flavour: ProxyFlavour): string {
  const given = process.env[flavour === "dev" ? "CLOUDSTATE_PROXY_IMAGE" : "CLOUDSTATE_POSTGRES_PROXY_IMAGE"];
  return given !== undefined && given !== "" ? given : `${PROXY_IMAGE_NAMES[flavour]}:${CLOUDSTATE_VERSION}`;
}

/** What was found when looking for an engine: the one to use, or why none can be used. */
export interface EngineSearch {
  /** The first engine that answered `info`, if any. */
  readonly engine?: ContainerEngine;
  /** Why each engine tried could not be used (not installed, or its daemon not answering). */
  readonly problems: readonly string[];
}

let searched: EngineSearch | undefined;

/**
 * The container engine to run the proxy with: `CLOUDSTATE_CONTAINER_ENGINE` if set, else podman, else Docker,
 * whichever answers `info` (a Docker client whose daemon is not running does not count). Looked up once.
 */
export function findContainerEngine(): EngineSearch {
  if (searched !== undefined) return searched;
  const chosen = process.env["CLOUDSTATE_CONTAINER_ENGINE"];
  const candidates: ContainerEngine[] = chosen === "podman" || chosen === "docker" ? [chosen] : ["podman", "docker"];
  const problems: string[] = [];
  for (const engine of candidates) {
    const result = spawnSync(engine, ["info"], { encoding: "utf8", timeout: 30_000 });
    if (result.error !== undefined) {
      problems.push(
        `${engine}: ${(result.error as NodeJS.ErrnoException).code === "ENOENT" ? "not installed" : result.error.message}`,
      );
    } else if (result.status !== 0) {
      const why =
        result.stderr
          .trim()
          .split("\n")
          .filter((line) => line !== "")
          .slice(-1)[0] ?? `exit ${result.status}`;
      problems.push(`${engine}: ${why}`);
    } else {
      searched = { engine, problems };
      return searched;
    }
  }
  searched = { problems };
  return searched;
}

/** How to run the proxy's container. */
export interface ProxyContainerOptions {
  /** The engine. */
  readonly engine: ContainerEngine;
  /** The image. */
  readonly image: string;
  /** The container's name (unique on the machine: it is how the container is removed). */
  readonly name: string;
  /** The proxy's environment (`HTTP_PORT`, `USER_FUNCTION_PORT`, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** JVM options (`-D…`, `-Xmx…`), handed to the image's start script. */
  readonly jvmOptions: readonly string[];
  /** The host's ports the proxy listens on; published when there is no host network. */
  readonly ports: readonly number[];
  /** Share the host's network (Linux); default: on Linux. */
  readonly hostNetwork?: boolean;
}

/** Names of the host's loopback, which a container without the host's network reaches by the engine's alias. */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
/** The proxy's HTTP interface as the launcher sets it (loopback), and as a container needs it. */
const LOOPBACK_INTERFACE = "-Dcloudstate.proxy.http-interface=127.0.0.1";
const ANY_INTERFACE = "-Dcloudstate.proxy.http-interface=0.0.0.0";

/** The engine's alias for the host, for a container without the host's network. */
const HOST_ALIAS: Readonly<Record<ContainerEngine, string>> = {
  docker: "host.docker.internal",
  podman: "host.containers.internal",
};

/**
 * The command line that runs the proxy in the foreground (`<engine> run --rm`): its output is the proxy's log,
 * and SIGTERM or SIGINT to it reach the proxy (the engine's client forwards them). The image's start script, as
 * sbt-native-packager wrote it for 0.6.0, takes `-D…` arguments as system properties and `-J…` as JVM options.
 */
export function proxyContainerCommand(options: ProxyContainerOptions): { command: string; args: string[] } {
  const hostNetwork = options.hostNetwork ?? process.platform === "linux";
  const env = { ...options.env };
  const network: string[] = [];
  const jvm = [...options.jvmOptions];
  if (hostNetwork) {
    network.push("--network", "host");
  } else {
    for (const port of options.ports) network.push("--publish", `127.0.0.1:${port}:${port}`);
    // The host's loopback, seen from the container, is the engine's alias: for the user function and a database.
    for (const key of ["USER_FUNCTION_HOST", "POSTGRES_SERVICE"]) {
      if (key === "USER_FUNCTION_HOST" && env[key] === undefined) env[key] = HOST_ALIAS[options.engine];
      if (env[key] !== undefined && LOOPBACK.has(env[key])) env[key] = HOST_ALIAS[options.engine];
    }
    // Published ports reach the container's own interface, not its loopback. The loopback default is replaced
    // where it stands (or put first), so an interface the caller chose, later in the list, still wins.
    const loopbackInterface = jvm.indexOf(LOOPBACK_INTERFACE);
    if (loopbackInterface >= 0) jvm[loopbackInterface] = ANY_INTERFACE;
    else jvm.unshift(ANY_INTERFACE);
    if (options.engine === "docker") network.push("--add-host", "host.docker.internal:host-gateway");
  }
  const envArgs = Object.entries(env).flatMap(([key, value]) => ["--env", `${key}=${value}`]);
  const scriptArgs = jvm.map((option) => (option.startsWith("-D") ? option : `-J${option}`));
  return {
    command: options.engine,
    args: ["run", "--rm", "--name", options.name, ...network, ...envArgs, options.image, ...scriptArgs],
  };
}

/** Removes the container if it is still there (`rm --force`); never throws. */
export function removeContainer(engine: ContainerEngine, name: string): void {
  const args = engine === "podman" ? ["rm", "--force", "--time", "0", name] : ["rm", "--force", name];
  spawnSync(engine, args, { encoding: "utf8", timeout: 60_000 });
}
