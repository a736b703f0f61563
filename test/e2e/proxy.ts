/**
 * The real Cloudstate proxy for end-to-end tests: resolved from Maven Central with Maven (cached in ~/.m2) and
 * started on loopback in its development mode (in-memory journal) in front of a user function.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, start, waitForPort, type Started } from "./processes.js";

const HERE = new URL(".", import.meta.url).pathname;
const CACHE = join(HERE, ".proxy");

/** The coordinates the tests use unless `CLOUDSTATE_PROXY_ARTIFACT` / `CLOUDSTATE_PROXY_VERSION` say otherwise. */
export const PROXY_ARTIFACT = process.env["CLOUDSTATE_PROXY_ARTIFACT"] ?? "cloudstate-proxy-core_2.13";
export const PROXY_VERSION = process.env["CLOUDSTATE_PROXY_VERSION"] ?? "0.6.0";
export const PROXY_MAIN_CLASS = "io.cloudstate.proxy.CloudStateProxyMain";

/** The proxy cannot be had: Maven could not resolve it. The message carries Maven's words. */
export class ProxyUnavailable extends Error {
  override readonly name = "ProxyUnavailable";
}

/**
 * The proxy's classpath: `CLOUDSTATE_PROXY_CLASSPATH` if set, else resolved by Maven from Maven Central.
 * @throws ProxyUnavailable with Maven's explanation when the artifact cannot be resolved.
 */
export function proxyClasspath(): string {
  const given = process.env["CLOUDSTATE_PROXY_CLASSPATH"];
  if (given !== undefined && given !== "") return given;
  mkdirSync(CACHE, { recursive: true });
  const output = join(CACHE, `classpath-${PROXY_ARTIFACT}-${PROXY_VERSION}.txt`);
  const run = spawnSync(
    "mvn",
    [
      "-B",
      "-q",
      // Ask Central again rather than trusting a cached "not found".
      "-U",
      "-f",
      join(HERE, "proxy/pom.xml"),
      `-Dproxy.artifactId=${PROXY_ARTIFACT}`,
      `-Dproxy.version=${PROXY_VERSION}`,
      "dependency:build-classpath",
      `-Dmdep.outputFile=${output}`,
    ],
    { encoding: "utf8" },
  );
  if (run.status !== 0) {
    const reason = `${run.stdout}\n${run.stderr}`
      .split("\n")
      .filter((l) => l.includes("ERROR"))
      .slice(0, 3)
      .join("\n");
    throw new ProxyUnavailable(
      `Maven could not resolve io.cloudstate:${PROXY_ARTIFACT}:${PROXY_VERSION}:\n${reason || run.stderr}\n` +
        "Set CLOUDSTATE_PROXY_CLASSPATH to a classpath holding the proxy to run against it anyway.",
    );
  }
  return readFileSync(output, "utf8").trim();
}

/** A running proxy and the port its public gRPC and HTTP/JSON API listens on. */
export interface RunningProxy {
  readonly process: Started;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts the proxy in development mode, pointed at a user function on 127.0.0.1:`userFunctionPort`, and waits
 * until it has bound its port.
 */
export async function startProxy(
  classpath: string,
  userFunctionPort: number,
  extraConfig: readonly string[] = [],
): Promise<RunningProxy> {
  const port = await freePort();
  const proxy = start(
    "proxy",
    "java",
    [
      "-Dconfig.resource=dev-mode.conf",
      "-Dcloudstate.proxy.dev-mode-enabled=true",
      ...extraConfig,
      "-cp",
      classpath,
      PROXY_MAIN_CLASS,
    ],
    {
      HTTP_PORT: String(port),
      USER_FUNCTION_HOST: "127.0.0.1",
      USER_FUNCTION_PORT: String(userFunctionPort),
    },
  );
  // The JVM and Akka take a while; the port accepting connections means the HTTP and gRPC server is up.
  await waitForPort(port, proxy, 120_000);
  return { process: proxy, port, stop: () => proxy.stop() };
}

/** Starts an example's user function (`npm start` in its folder) on 127.0.0.1:`port`. */
export async function startUserFunction(example: string, port: number): Promise<Started> {
  const root = join(HERE, "../..");
  const fn = start(
    "user function",
    "node",
    ["--import", "tsx", join(root, "examples", example, "src/main.ts")],
    {
      HOST: "127.0.0.1",
      PORT: String(port),
    },
    join(root, "examples", example),
  );
  await fn.waitFor(/user function listening/, 30_000);
  return fn;
}
