/**
 * `npm run gen:check`: runs every buf.gen.yaml of the repository into a temporary folder and fails if the result
 * differs from the committed generated code in any way (changed, missing or extra files).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readTree, ROOT } from "./plugin-cases.js";
import { generateStandalone, isStandalone } from "./standalone-gen.js";
import { checkProjectLock, describeLockCheck } from "../../devkit/cli/gen-lock.js";
import { outputsOf as outputsOfText } from "../../devkit/cli/buf-workspace.js";

/** The library's templates (its protocol code, the plugin's option descriptors), every example's and the soak's. */
const TEMPLATES = [
  "buf.gen.yaml",
  "plugin/buf.gen.yaml",
  ...readdirSync(join(ROOT, "examples"))
    .sort()
    .map((example) => `examples/${example}/buf.gen.yaml`)
    .filter((template) => existsSync(join(ROOT, template))),
  "test/soak/buf.gen.yaml",
  // The evolution suites' shop before and after (test/evolution): v2's lock holds what v1 stored.
  "test/evolution/v1/buf.gen.yaml",
  "test/evolution/v2/buf.gen.yaml",
];

function outputsOf(template: string): string[] {
  return outputsOfText(readFileSync(join(ROOT, template), "utf8"));
}

const work = mkdtempSync(join(tmpdir(), "cloudstate-gen-check-"));
const problems: string[] = [];

/** Compares the committed folder `out` (relative to the root) with the freshly generated `fresh`. */
function compare(out: string, freshDir: string): void {
  const fresh = readTree(freshDir);
  const committed = existsSync(join(ROOT, out)) ? readTree(join(ROOT, out)) : new Map<string, string>();
  for (const [path, content] of fresh) {
    if (!committed.has(path)) problems.push(`${out}/${path} is generated but not committed`);
    else if (committed.get(path) !== content) problems.push(`${out}/${path} differs from what buf generate writes`);
  }
  for (const path of committed.keys())
    if (!fresh.has(path)) problems.push(`${out}/${path} is committed but no longer generated`);
  console.log(`gen:check ${out}: ${fresh.size} files compared`);
}
try {
  for (const template of TEMPLATES) {
    const project = dirname(template);
    if (project !== "." && isStandalone(join(ROOT, project))) {
      // An example with its own buf.yaml: generated as outside the repository, outputs relative to it.
      const problem = generateStandalone(join(ROOT, project), join(work, project));
      if (problem !== undefined) {
        problems.push(`buf generate in ${project} failed:\n${problem}`);
        continue;
      }
      for (const out of new Set(outputsOf(template))) compare(join(project, out), join(work, project, out));
      // As `cloudstate-ts gen --check` does: every locked type still readable, every stored type locked.
      const lock = checkProjectLock(
        join(ROOT, project),
        [...new Set(outputsOf(template))].map((out) => join(work, project, out)),
      );
      problems.push(...describeLockCheck(lock).map((line) => `${project}: ${line}`));
      continue;
    }
    const text = readFileSync(join(ROOT, template), "utf8").replace(
      /^(\s*out:\s*)(\S+)\s*$/gm,
      (_, key: string, out: string) => `${key}${join(work, out)}`,
    );
    const copy = join(work, template.replaceAll("/", "_"));
    writeFileSync(copy, text);
    const run = spawnSync(join(ROOT, "node_modules/.bin/buf"), ["generate", "--template", copy], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (run.status !== 0) {
      problems.push(`buf generate --template ${template} failed:\n${run.stderr}`);
      continue;
    }
    for (const out of new Set(outputsOf(template))) compare(out, join(work, out));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(
    `gen:check failed; run \`npm run gen\` and commit the result:\n${problems.map((p) => `  ${p}`).join("\n")}`,
  );
  process.exit(1);
}
console.log("gen:check: generated code is up to date");
