/**
 * `cloudstate-ts gen --check`: runs `buf generate` with the project's buf.gen.yaml into a temporary folder and
 * compares the result with the generated code on disk: changed, missing and extra files all fail.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { bufGenerate, outputsOf } from "./buf-workspace.js";

function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), readFileSync(path, "utf8"));
  }
  return files;
}

/**
 * The differences, one line each; empty when the generated folders are up to date. `onFresh` is given the freshly
 * generated output folders before they are removed (the stored-types lock is checked against them).
 */
export function genCheck(cwd: string, onFresh?: (outDirs: readonly string[]) => void): string[] {
  const template = join(cwd, "buf.gen.yaml");
  if (!existsSync(template)) return [`no buf.gen.yaml in ${cwd}`];
  const outs = outputsOf(readFileSync(template, "utf8"));
  if (outs.length === 0) return ["buf.gen.yaml names no `out:` folder"];
  const work = mkdtempSync(join(tmpdir(), "cloudstate-gen-check-"));
  try {
    const run = bufGenerate(cwd, work);
    if (!run.ok) return [`buf generate failed:\n${run.errors}`];
    onFresh?.([...new Set(outs)].map((out) => join(work, out)));
    const problems: string[] = [];
    for (const out of new Set(outs)) {
      const fresh = tree(join(work, out));
      const onDisk = tree(join(cwd, out));
      for (const [path, content] of fresh) {
        if (!onDisk.has(path)) problems.push(`${out}/${path} is generated but missing`);
        else if (onDisk.get(path) !== content) problems.push(`${out}/${path} differs from what buf generate writes`);
      }
      for (const path of onDisk.keys()) if (!fresh.has(path)) problems.push(`${out}/${path} is no longer generated`);
    }
    return problems;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
