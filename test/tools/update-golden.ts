/** Regenerates test/plugin/golden from test/plugin/cases. Review the diff before committing it. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { caseNames, generateCase, GOLDEN } from "./plugin-cases.js";

rmSync(GOLDEN, { recursive: true, force: true });
for (const name of caseNames()) {
  const output = generateCase(name);
  const dir = join(GOLDEN, name);
  mkdirSync(dir, { recursive: true });
  if ("error" in output) {
    writeFileSync(join(dir, "error.txt"), `${output.error}\n`);
  } else {
    writeFileSync(join(dir, "files.txt"), [...output.files.keys()].map((f) => `${f}\n`).join(""));
    for (const [path, content] of output.files) {
      mkdirSync(dirname(join(dir, "out", path)), { recursive: true });
      writeFileSync(join(dir, "out", path), content);
    }
  }
  console.log(`${name}: ${"error" in output ? "error" : `${output.files.size} file(s)`}`);
}
