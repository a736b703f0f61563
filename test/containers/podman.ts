/**
 * Podman for the container suite: installed from Debian's packages when missing (as the testkit installs
 * PostgreSQL), configured through a `containers.conf` of our own (given in `CONTAINERS_CONF`, the machine's own
 * left alone), and checked to run a container at all before anything else is tried.
 *
 * Why the configuration: on this project's machines crun refuses hybrid cgroups, so the runtime is runc; and
 * podman's default ulimits lie above the machine's hard limits (`setrlimit … Operation not permitted`), so the
 * defaults are lowered to the hard limits this process has.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where the suite keeps what it builds once per machine (`CLOUDSTATE_TS_CACHE` overrides the root). */
export function cacheDir(...parts: string[]): string {
  const root = process.env["CLOUDSTATE_TS_CACHE"] ?? join(homedir(), ".cache", "cloudstate-ts");
  const dir = join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const DEBIAN_PACKAGES = ["podman", "buildah", "debootstrap", "runc"];

function has(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).status === 0;
}

/** `sh -c 'ulimit -H…'`: node has no call for the process's hard limits. */
function hardLimit(flag: "-n" | "-u", fallback: number): number {
  const out = spawnSync("sh", ["-c", `ulimit -H ${flag}`], { encoding: "utf8" }).stdout.trim();
  const value = Number(out);
  return out === "unlimited" || !Number.isFinite(value) || value <= 0 ? fallback : value;
}

/** Writes the suite's containers.conf and returns its path. */
function writeContainersConf(): string {
  const nofile = Math.min(hardLimit("-n", 20_000), 1_048_576);
  const nproc = Math.min(hardLimit("-u", 4096), 4096);
  const file = join(cacheDir("containers"), "containers.conf");
  writeFileSync(
    file,
    [
      "# Written by cloudstate-ts's container suite (test/containers/podman.ts): runc, and ulimits within",
      "# this machine's hard limits.",
      "[containers]",
      `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
      "[engine]",
      'runtime = "runc"',
      "",
    ].join("\n"),
  );
  return file;
}

let conf: string | undefined;

/** The environment every podman command of the suite runs with: ours plus `CONTAINERS_CONF`. */
export function podmanEnv(): NodeJS.ProcessEnv {
  conf ??= writeContainersConf();
  return { ...process.env, CONTAINERS_CONF: conf };
}

/** A podman command that failed: the command and podman's own words. */
export class PodmanError extends Error {
  /** Always `PodmanError`. */
  override readonly name = "PodmanError";
}

/** Options for {@link podman}. */
export interface PodmanRunOptions {
  /** Folder to run in. */
  readonly cwd?: string;
  /** Written to standard input. */
  readonly input?: string | Buffer;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
}

/** Runs `podman ...args` to completion; throws {@link PodmanError} with its output unless it exits 0. */
export function podman(args: readonly string[], options: PodmanRunOptions = {}): SpawnSyncReturns<string> {
  const result = spawnSync("podman", args, {
    cwd: options.cwd,
    env: podmanEnv(),
    input: options.input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error !== undefined) throw new PodmanError(`podman ${args.join(" ")}: ${result.error.message}`);
  if (result.status !== 0 && options.allowFailure !== true) {
    throw new PodmanError(`podman ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Runs a command to completion, throwing with its output unless it exits 0. */
export function runOrThrow(command: string, args: readonly string[], what: string): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * Podman, buildah, debootstrap and runc are there, installed with apt-get if not (as root; otherwise an error
 * saying what to install). Returns podman's version.
 */
export function ensurePodman(log: (line: string) => void = () => undefined): string {
  const missing = DEBIAN_PACKAGES.filter((name) => !has(name === "debootstrap" ? "debootstrap" : name));
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      throw new Error(`The container suite needs ${missing.join(", ")}; as root: apt-get install ${missing.join(" ")}`);
    }
    log(`installing ${missing.join(", ")} (Debian's packages)`);
    runOrThrow("apt-get", ["update", "-q"], "apt-get update");
    runOrThrow("apt-get", ["install", "-y", "-q", ...missing], `apt-get install ${missing.join(" ")}`);
  }
  return podman(["--version"]).stdout.trim();
}

/**
 * Fails with the reason when this machine cannot run a container from `image` (one the suite made): podman's
 * own error, and what was tried, rather than a test timing out later.
 */
export function assertCanRunContainers(image: string): void {
  const result = podman(["run", "--rm", "--network", "host", "--entrypoint", "true", image], { allowFailure: true });
  if (result.status === 0) return;
  throw new Error(
    `This machine cannot run containers with podman (runtime runc, ulimits lowered to the hard limits, ` +
      `CONTAINERS_CONF=${podmanEnv()["CONTAINERS_CONF"] ?? ""}): \`podman run --rm --entrypoint true ${image}\` exited ` +
      `${result.status}:\n${result.stderr.trim()}\nContainers need root or user namespaces, cgroups and an OCI ` +
      `runtime (runc); in a container without them, podman cannot start one.`,
  );
}
