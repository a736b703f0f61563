/**
 * Cloudstate's JVM components by their Maven coordinates: the proxy (both flavours, with or without the fixes
 * artifact), the TCK and the Java support's TCK user function. Maven resolves them from the local repository
 * (`~/.m2`) or Maven Central; the classpath it prints is cached on disk and reused while every jar on it exists.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The Cloudstate release every component comes from (`CLOUDSTATE_VERSION` overrides it). */
export const CLOUDSTATE_VERSION = process.env["CLOUDSTATE_VERSION"] ?? "0.6.0";

/** Cloudstate's artifacts, by their Maven artifact id (group `io.cloudstate`). */
export const ARTIFACTS = {
  /** The proxy in development mode: in-memory journal, snapshots and value store, one node. */
  proxy: "cloudstate-proxy-core_2.13",
  /** The proxy with a PostgreSQL journal, snapshot store and value store. */
  postgresProxy: "cloudstate-proxy-postgres_2.13",
  /**
   * Not upstream: classes of the 0.6.0 proxy recompiled with fixes (eventing to Google Pub/Sub, value entities
   * after a user-function restart). Must come first on the classpath.
   */
  proxyFixes: "cloudstate-proxy-fixes_2.13",
  /** The official TCK. */
  tck: "cloudstate-tck",
  /** The Java support's implementation of the TCK models. */
  javaTck: "cloudstate-java-support-tck",
} as const;

/** Which proxy: development mode (in-memory stores) or the PostgreSQL flavour. */
export type ProxyFlavour = "dev" | "postgres";

/** How to find the proxy. */
export interface ProxyClasspathOptions {
  /** Default `dev`. */
  readonly flavour?: ProxyFlavour;
  /** Put `cloudstate-proxy-fixes_2.13` first (not upstream; see {@link ARTIFACTS.proxyFixes}). Default false. */
  readonly fixes?: boolean;
}

/** Where the pom and resolved classpaths are kept (`CLOUDSTATE_TS_CACHE` overrides it). */
function cacheDir(): string {
  return process.env["CLOUDSTATE_TS_CACHE"] ?? join(homedir(), ".cache", "cloudstate-ts");
}

const HOW_TO_GET_IT =
  "Cloudstate never published its proxy or TCK to Maven Central. Either install builds of the 0.6.0 sources " +
  "into ~/.m2 under their coordinates (io.cloudstate:cloudstate-proxy-core_2.13:0.6.0, ...), or set " +
  "CLOUDSTATE_PROXY_CLASSPATH to the proxy's classpath (e.g. the jars in /opt/docker/lib of the " +
  "cloudstateio/cloudstate-proxy-core:0.6.0 image). With podman or Docker installed, the proxy runs from that " +
  'image instead. See the README of cloudstate-ts, "Where the proxy comes from".';

/** A pom whose only purpose is to list `artifacts`, in order, as dependencies. */
function pomFor(artifacts: readonly string[], version: string): string {
  const dependencies = artifacts
    .map(
      (artifactId) =>
        `    <dependency><groupId>io.cloudstate</groupId><artifactId>${artifactId}</artifactId>` +
        `<version>${version}</version></dependency>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by cloudstate-ts/testkit to resolve Cloudstate's components with Maven. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.cloudstate.ts</groupId>
  <artifactId>testkit-classpath</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`;
}

const resolved = new Map<string, string>();

/**
 * The classpath of `io.cloudstate:<artifactId>:<version>` for each of `artifacts` and their dependencies, in
 * declaration order (`mvn dependency:build-classpath` keeps it, so an earlier artifact's classes win).
 * @throws Error with Maven's explanation and how to get the artifacts when they cannot be resolved.
 */
export function classpathOf(artifacts: readonly string[], version = CLOUDSTATE_VERSION): string {
  const key = `${artifacts.join("+")}-${version}`;
  const known = resolved.get(key);
  if (known !== undefined) return known;
  const dir = join(cacheDir(), createHash("sha256").update(key).digest("hex").slice(0, 16));
  mkdirSync(dir, { recursive: true });
  const output = join(dir, "classpath.txt");
  if (existsSync(output)) {
    const cached = readFileSync(output, "utf8").trim();
    if (cached !== "" && cached.split(":").every((jar) => existsSync(jar))) {
      resolved.set(key, cached);
      return cached;
    }
  }
  const pom = join(dir, "pom.xml");
  writeFileSync(pom, pomFor(artifacts, version));
  const run = spawnSync("mvn", ["-B", "-q", "-f", pom, "dependency:build-classpath", `-Dmdep.outputFile=${output}`], {
    encoding: "utf8",
  });
  const coordinates = artifacts.map((a) => `io.cloudstate:${a}:${version}`).join(", ");
  if (run.error !== undefined) {
    throw new Error(`Cannot run Maven (mvn) to resolve ${coordinates}: ${run.error.message}.\n${HOW_TO_GET_IT}`);
  }
  if (run.status !== 0) {
    const reason = `${run.stdout}\n${run.stderr}`
      .split("\n")
      .filter((line) => line.includes("ERROR"))
      .slice(0, 3)
      .join("\n");
    throw new Error(`Maven could not resolve ${coordinates}:\n${reason || run.stderr}\n${HOW_TO_GET_IT}`);
  }
  const classpath = readFileSync(output, "utf8").trim();
  resolved.set(key, classpath);
  return classpath;
}

/**
 * The proxy's classpath. `CLOUDSTATE_PROXY_CLASSPATH` (development mode) and `CLOUDSTATE_POSTGRES_PROXY_CLASSPATH`
 * skip Maven; with `fixes`, the fixes artifact is resolved and put in front of either.
 */
export function proxyClasspath(options: ProxyClasspathOptions = {}): string {
  const flavour = options.flavour ?? "dev";
  const main = flavour === "dev" ? ARTIFACTS.proxy : ARTIFACTS.postgresProxy;
  const given = process.env[flavour === "dev" ? "CLOUDSTATE_PROXY_CLASSPATH" : "CLOUDSTATE_POSTGRES_PROXY_CLASSPATH"];
  if (given !== undefined && given !== "") {
    return options.fixes === true ? `${classpathOf([ARTIFACTS.proxyFixes])}:${given}` : given;
  }
  return classpathOf(options.fixes === true ? [ARTIFACTS.proxyFixes, main] : [main]);
}
