/**
 * This repository's packages as a new user gets them: the tarballs `npm pack` makes, used from folders outside
 * the repository, by a shell that inherits nothing of this run. Shared by every suite that works that way.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./root.js";

/** The packed tarballs, one per published package. */
export interface Tarballs {
  /** cloudstate-ts: the runtime. */
  readonly runtime: string;
  /** protoc-gen-cloudstate: the plugin. */
  readonly plugin: string;
  /** cloudstate-ts-devkit: the `cloudstate-ts` command and the integration testkit. */
  readonly devkit: string;
  /** create-cloudstate-ts: the project templates. */
  readonly create: string;
}

/**
 * Set by this run, not by a user: npm's settings for the running script, this repository's resolution of its own
 * TypeScript source (NODE_OPTIONS), and node:test's marker of a child test run (NODE_TEST_CONTEXT would make a
 * project's own `node --test` report to this runner instead of printing).
 */
function isUsers(key: string): boolean {
  return !key.toLowerCase().startsWith("npm_") && key !== "NODE_OPTIONS" && key !== "NODE_TEST_CONTEXT";
}

/** A new user's shell environment, with `extra` set. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (isUsers(key)) env[key] = value;
  return { ...env, ...extra };
}

/** The environment the docs and the create package read the tarballs from. */
export function tarballEnv(tarballs: Tarballs): NodeJS.ProcessEnv {
  return {
    CLOUDSTATE_TS: tarballs.runtime,
    CLOUDSTATE_TS_PLUGIN: tarballs.plugin,
    CLOUDSTATE_TS_DEVKIT: tarballs.devkit,
  };
}

/** Runs a command to success (the assertion shows its output otherwise), printing how long it took. */
export function run(cwd: string, env: NodeJS.ProcessEnv, command: string, ...args: string[]): string {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const shown = `${command} ${args.join(" ")}`;
  assert.equal(result.status, 0, `\`${shown}\` failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  console.log(`# ${shown}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.stdout;
}

function pack(dir: string, into: string): string {
  const result = spawnSync("npm", ["pack", "--pack-destination", into, "--json"], {
    cwd: dir,
    env: userEnv(),
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stderr);
  const [packed] = JSON.parse(result.stdout.slice(result.stdout.indexOf("["))) as { filename: string }[];
  assert.ok(packed !== undefined);
  return join(into, packed.filename);
}

/**
 * Packs every published package into `into`. cloudstate-ts first: its `prepare` builds all three (the plugin and
 * the devkit compile against the runtime's built types).
 */
export function packAll(into: string): Tarballs {
  const runtime = pack(ROOT, into);
  return {
    runtime,
    plugin: pack(join(ROOT, "plugin"), into),
    devkit: pack(join(ROOT, "devkit"), into),
    create: pack(join(ROOT, "create"), into),
  };
}

/**
 * `npm create cloudstate-ts` with the create package from its tarball, into `base/name`, then `npm install`
 * there (one npm cache for every project: what the first install downloaded, the others reuse).
 */
export function createProject(
  base: string,
  env: NodeJS.ProcessEnv,
  tarballs: Tarballs,
  template: string,
  name: string,
): string {
  const projectEnv = { ...env, ...tarballEnv(tarballs) };
  run(
    base,
    projectEnv,
    "npm",
    "exec",
    "--yes",
    `--package=${tarballs.create}`,
    "--",
    "create-cloudstate-ts",
    name,
    "--template",
    template,
  );
  const dir = join(base, name);
  run(dir, projectEnv, "npm", "install", "--prefer-offline", "--no-audit", "--no-fund");
  return dir;
}

/**
 * Points a stand-alone project of this repository (an example, copied out) at the tarballs, as a user's project
 * depends on the packages: inside the repository it uses the checkout and the workspaces.
 */
export function dependOnTarballs(dir: string, tarballs: Tarballs): void {
  const file = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(file, "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  assert.equal(pkg.dependencies["cloudstate-ts"], "file:../..", "inside the repository it uses the checkout");
  pkg.dependencies["cloudstate-ts"] = `file:${tarballs.runtime}`;
  const dev = pkg.devDependencies ?? {};
  dev["protoc-gen-cloudstate"] = `file:${tarballs.plugin}`;
  dev["cloudstate-ts-devkit"] = `file:${tarballs.devkit}`;
  pkg.devDependencies = dev;
  writeFileSync(file, JSON.stringify(pkg, null, 2));
}

/** What a production install (`npm ci --omit=dev`) of a project holds. */
export interface ProductionInstall {
  /** The bytes of every file under node_modules. */
  readonly bytes: number;
  /** How many files. */
  readonly files: number;
  /** Native addons (`.node` files), by path under node_modules. */
  readonly native: readonly string[];
  /** The packages installed, by name. */
  readonly packages: ReadonlySet<string>;
  /** The bytes of the OpenTelemetry packages (`node_modules/@opentelemetry/`), a part of {@link bytes}. */
  readonly telemetryBytes: number;
}

function walkInstall(
  dir: string,
  at: string,
  found: { bytes: number; files: number; native: string[]; telemetryBytes: number },
): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const shown = at === "" ? entry.name : `${at}/${entry.name}`;
    if (entry.isDirectory()) walkInstall(path, shown, found);
    else if (entry.isFile()) {
      const size = statSync(path).size;
      found.bytes += size;
      if (shown.startsWith("@opentelemetry/")) found.telemetryBytes += size;
      found.files++;
      if (entry.name.endsWith(".node")) found.native.push(shown);
    }
  }
}

/**
 * Installs the project in `dir` as its image does for production, in a copy (package.json, package-lock.json and
 * vendor/ only), and measures what that holds.
 */
export function productionInstall(dir: string, env: NodeJS.ProcessEnv): ProductionInstall {
  const copy = mkdtempSync(join(tmpdir(), "cloudstate-production-"));
  try {
    for (const file of ["package.json", "package-lock.json", "vendor"]) {
      if (existsSync(join(dir, file))) cpSync(join(dir, file), join(copy, file), { recursive: true });
    }
    // --ignore-scripts: the project's `prepare` generates code with development tools; its image runs it in the
    // build stage, before pruning to this.
    run(copy, env, "npm", "ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund");
    const found = { bytes: 0, files: 0, native: [] as string[], telemetryBytes: 0 };
    walkInstall(join(copy, "node_modules"), "", found);
    const names = new Set<string>();
    for (const line of run(copy, env, "npm", "ls", "--omit=dev", "--all", "--parseable").split("\n")) {
      const at = line.lastIndexOf("node_modules/");
      if (at >= 0) names.add(line.slice(at + "node_modules/".length));
    }
    return { ...found, packages: names };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
