/**
 * Generates a stand-alone project of this repository (an example with its own buf.yaml and buf.gen.yaml naming
 * `local: protoc-gen-cloudstate`, as a generated project has) the way it generates outside the repository, but
 * with this checkout's plugin source: in a temporary workspace holding its buf.yaml, its proto/ (linked) and
 * `node_modules/cloudstate-ts` linked to this repository, so buf.yaml's `node_modules/cloudstate-ts/protocols`
 * resolves as it does in an installed project. Used by `npm run gen` and `npm run gen:check`.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "../support/root.js";
import { checkProjectLock } from "../../devkit/cli/gen-lock.js";
import { LOCK_FILE, lockText } from "../../devkit/cli/stored-lock.js";
import { outputsOf } from "../../devkit/cli/buf-workspace.js";

export { outputsOf };

/** Whether `dir` is generated stand-alone: it has its own buf.yaml. */
export function isStandalone(dir: string): boolean {
  return existsSync(join(dir, "buf.yaml")) && existsSync(join(dir, "buf.gen.yaml"));
}

/**
 * Runs `buf generate` for the project in `dir`, writing each `out:` folder under `outRoot` (default: `dir` itself,
 * i.e. in place). Returns buf's error output when it fails.
 */
export function generateStandalone(dir: string, outRoot: string = dir): string | undefined {
  const work = mkdtempSync(join(tmpdir(), "cloudstate-standalone-gen-"));
  try {
    copyFileSync(join(dir, "buf.yaml"), join(work, "buf.yaml"));
    symlinkSync(resolve(dir, "proto"), join(work, "proto"));
    mkdirSync(join(work, "node_modules"));
    symlinkSync(ROOT, join(work, "node_modules", "cloudstate-ts"));
    const tsx = fileURLToPath(import.meta.resolve("tsx"));
    const plugin = JSON.stringify(["node", "--import", tsx, join(ROOT, "plugin/bin.ts")]);
    const template = readFileSync(join(dir, "buf.gen.yaml"), "utf8")
      .replace(/^(\s*-\s*local:\s*)protoc-gen-cloudstate\s*$/gm, (_, key: string) => `${key}${plugin}`)
      .replace(
        /^(\s*(?:-\s*)?out:\s*)(\S+)\s*$/gm,
        (_, key: string, out: string) => `${key}${isAbsolute(out) ? out : join(resolve(outRoot), out)}`,
      );
    writeFileSync(join(work, "buf.gen.yaml"), template);
    const run = spawnSync(join(ROOT, "node_modules/.bin/buf"), ["generate"], { cwd: work, encoding: "utf8" });
    return run.status === 0 ? undefined : `${run.stderr}${run.error?.message ?? ""}`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Generates the project in `dir` as `cloudstate-ts gen` does: first into a scratch folder, to check the types its
 * entities store against its cloudstate.lock.json; only when every locked type is still readable, in place, with
 * the lock brought up to date. Returns what stopped it (nothing was written then).
 */
export function generateWithLock(dir: string): readonly string[] {
  const scratch = mkdtempSync(join(tmpdir(), "cloudstate-standalone-check-"));
  try {
    const problem = generateStandalone(dir, scratch);
    if (problem !== undefined) return [`buf generate failed:\n${problem}`];
    const outs = outputsOf(readFileSync(join(dir, "buf.gen.yaml"), "utf8")).map((out) => join(scratch, out));
    const check = checkProjectLock(dir, outs);
    if (check.updated === undefined) {
      return [`stored data would be unreadable; nothing written, ${LOCK_FILE} left as it is:`, ...check.problems];
    }
    const written = generateStandalone(dir);
    if (written !== undefined) return [`buf generate failed:\n${written}`];
    if (check.updated.entities.length > 0) writeFileSync(join(dir, LOCK_FILE), lockText(check.updated));
    return [];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// `node test/tools/standalone-gen.ts DIR...`: generates each in place, and records its stored types in its lock.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const dir of process.argv.slice(2)) {
    const problems = generateWithLock(resolve(dir));
    if (problems.length > 0) {
      console.error(`${dir}:\n${problems.join("\n")}`);
      failed = true;
    } else console.log(`generated ${dir}`);
  }
  process.exit(failed ? 1 : 0);
}
