/**
 * Projects as a new user makes them: outside this repository, from the tarballs `npm pack` makes of cloudstate-ts
 * and create-cloudstate-ts, in a shell that inherits nothing from the npm run that started the suite. Shared by
 * the template suites (end-to-end and containers).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./root.js";

/**
 * A new user's shell: nothing inherited from the npm run that started this test, nor from its test runner
 * (NODE_TEST_CONTEXT would make the projects' own `node --test` report to this runner instead of printing).
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith("npm_") && key !== "NODE_OPTIONS" && key !== "NODE_TEST_CONTEXT") {
      env[key] = value;
    }
  }
  return env;
}

/** Runs a command to completion, failing the test with its output unless it exits 0; prints how long it took. */
export function run(cwd: string, env: NodeJS.ProcessEnv, command: string, ...args: string[]): string {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const shown = `${command} ${args.join(" ")}`;
  assert.equal(result.status, 0, `\`${shown}\` failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  console.log(`# ${shown}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.stdout;
}

/** `npm pack` of the package in `dir` into `into`; returns the tarball's path. */
export function pack(dir: string, into: string): string {
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

/** The packed packages a project is created from, in `base`. */
export interface PackedPackages {
  /** The user's shell, with `CLOUDSTATE_TS` pointing the create package at the runtime's tarball. */
  readonly env: NodeJS.ProcessEnv;
  /** The create package's tarball. */
  readonly createTarball: string;
}

/** Packs cloudstate-ts and create-cloudstate-ts into `base`. */
export function packPackages(base: string): PackedPackages {
  const env = userEnv();
  env["CLOUDSTATE_TS"] = pack(ROOT, base);
  return { env, createTarball: pack(join(ROOT, "create"), base) };
}

/**
 * `npm create cloudstate-ts <name> --template <template>` in `base`, with the create package from its tarball,
 * then `npm install` (which writes the package-lock.json the Dockerfile's `npm ci` needs). Returns the folder.
 */
export function createProject(base: string, packed: PackedPackages, template: string, name: string): string {
  const { env, createTarball } = packed;
  run(
    base,
    env,
    "npm",
    "exec",
    "--yes",
    `--package=${createTarball}`,
    "--",
    "create-cloudstate-ts",
    name,
    "--template",
    template,
  );
  const dir = join(base, name);
  // One npm cache for every project: what the first install downloaded, the others reuse.
  run(dir, env, "npm", "install", "--prefer-offline", "--no-audit", "--no-fund");
  return dir;
}
