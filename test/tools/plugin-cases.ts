/**
 * Runs protoc-gen-cloudstate through the real `buf generate` on each folder of test/plugin/cases, for the golden
 * test and for `npm run golden:update`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

import { ROOT } from "../support/root.js";

export { ROOT };
export const CASES = join(ROOT, "test/plugin/cases");
export const GOLDEN = join(ROOT, "test/plugin/golden");
/** The plugin, run from source. */
const PLUGIN = ["node", "--import", "tsx", join(ROOT, "plugin/bin.ts")];

/** What the plugin made of one case: its files, or the error buf reported. */
export type CaseOutput = { readonly files: Map<string, string> } | { readonly error: string };

export function caseNames(): string[] {
  return readdirSync(CASES)
    .filter((name) => statSync(join(CASES, name)).isDirectory())
    .sort();
}

/** All files below `dir`, by path relative to it. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Runs the plugin on one case. With `withMessagesIn`, ts-proto's output for the case is also written to that
 * folder (next to a copy of the plugin's), so that the result can be type-checked.
 */
export function generateCase(name: string, withMessagesIn?: string): CaseOutput {
  const options = readFileSync(join(CASES, name, "options"), "utf8").trim();
  const work = mkdtempSync(join(tmpdir(), `cloudstate-golden-${name}-`));
  try {
    const template = join(work, "buf.gen.yaml");
    // The golden files hold the plugin's own output; ts-proto's is generated only for type-checking.
    const caseOptions = options === "" ? [] : [options];
    const plugins: object[] = [
      { local: PLUGIN, out: join(work, "out"), strategy: "all", opt: [...caseOptions, "ts_proto=false"] },
    ];
    if (withMessagesIn !== undefined) {
      plugins.push({ local: PLUGIN, out: withMessagesIn, strategy: "all", opt: caseOptions });
    }
    writeFileSync(template, JSON.stringify({ version: "v2", plugins }));
    const buf = join(ROOT, "node_modules/.bin/buf");
    const run = spawnSync(buf, ["generate", "--template", template, "--path", `test/plugin/cases/${name}`], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (run.status !== 0) {
      // buf prefixes the plugin's message with "Failure: plugin <command>: "; keep the plugin's words only.
      const error = run.stderr.replace(/^Failure: plugin .*?plugin\/bin\.ts: /, "").trim();
      return { error };
    }
    let files = new Map<string, string>();
    try {
      files = readTree(join(work, "out"));
    } catch {
      // no output folder: the plugin wrote nothing
    }
    return { files };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
