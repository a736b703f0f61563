/**
 * Running `buf generate` for a project wherever its `cloudstate-ts` is installed. A project's buf.yaml names
 * `node_modules/cloudstate-ts/protocols` (cloudstate-ts's option files), which exists only when npm installed the
 * package in the project's own folder; in an npm workspace it is hoisted to a parent's node_modules. Then buf runs
 * in a temporary folder that mirrors the project (each entry linked) with `node_modules/cloudstate-ts` linked to
 * the package Node resolves from the project, so the project's files work unchanged in both places.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** What one `buf generate` run printed, and whether it succeeded. */
export interface BufRun {
  readonly ok: boolean;
  /** buf's error output, or why it could not start. */
  readonly errors: string;
}

/** The folder of the `cloudstate-ts` package as Node resolves it from `cwd`, or undefined when none is installed. */
export function installedLibrary(cwd: string): string | undefined {
  try {
    return dirname(createRequire(join(cwd, "package.json")).resolve("cloudstate-ts/package.json"));
  } catch {
    return undefined;
  }
}

/** The `buf` to run: the project's own, else one found up the folder tree, else the one on PATH. */
function bufOf(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const local = join(dir, "node_modules", ".bin", "buf");
    if (existsSync(local)) return local;
    if (dirname(dir) === dir) return "buf";
  }
}

/** The `out:` folders of a buf.gen.yaml, as written. */
export function outputsOf(template: string): string[] {
  return [...template.matchAll(OUT)].map((m) => m[2] ?? "");
}

const OUT = /^(\s*(?:-\s*)?out:\s*)(\S+)\s*$/gm;

/**
 * Runs `buf generate` with the project's buf.gen.yaml for the project in `cwd`, in place or through a mirror (see
 * the module's note), writing each `out:` folder under `outRoot` (default: the project itself).
 */
export function bufGenerate(cwd: string, outRoot: string = cwd): BufRun {
  const templateFile = join(cwd, "buf.gen.yaml");
  if (!existsSync(templateFile)) return { ok: false, errors: `no buf.gen.yaml in ${cwd}` };
  const buf = bufOf(cwd);
  const work = mkdtempSync(join(tmpdir(), "cloudstate-ts-buf-"));
  try {
    // Absolute outputs, so that generated code lands in the project (or outRoot) wherever buf runs.
    const template = join(work, "buf.gen.yaml");
    writeFileSync(
      template,
      readFileSync(templateFile, "utf8").replace(
        OUT,
        (_, key: string, out: string) => `${key}${resolve(outRoot, out)}`,
      ),
    );
    let where = cwd;
    if (!existsSync(join(cwd, "node_modules", "cloudstate-ts"))) {
      const library = installedLibrary(cwd);
      if (library === undefined) {
        return { ok: false, errors: `cloudstate-ts is not installed for ${cwd}: run \`npm install\` first` };
      }
      where = join(work, "project");
      mkdirSync(join(where, "node_modules"), { recursive: true });
      for (const entry of readdirSync(cwd)) {
        if (entry !== "node_modules") symlinkSync(join(cwd, entry), join(where, entry));
      }
      symlinkSync(library, join(where, "node_modules", "cloudstate-ts"));
    }
    const result = spawnSync(buf, ["generate", "--template", template], { cwd: where, encoding: "utf8" });
    return { ok: result.status === 0, errors: `${result.stderr ?? ""}${result.error?.message ?? ""}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
