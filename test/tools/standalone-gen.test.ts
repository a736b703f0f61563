/**
 * The repository's `npm run gen` for stand-alone projects checks the lock before it writes, as `cloudstate-ts gen`
 * does: a stored event renamed without its previous name leaves the project's generated code and lock untouched.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ROOT } from "../support/root.js";
import { generateWithLock } from "./standalone-gen.js";

const work = mkdtempSync(join(tmpdir(), "cloudstate-standalone-gen-test-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir` with its text, to compare before and after. */
function contents(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Map(files.map((f) => [join(f.parentPath, f.name), readFileSync(join(f.parentPath, f.name), "utf8")]));
}

describe("npm run gen for a stand-alone project", () => {
  it("writes nothing when a stored event type would become unreadable", () => {
    const project = join(work, "shopping-cart");
    cpSync(join(ROOT, "examples/shopping-cart"), project, {
      recursive: true,
      filter: (path) => !path.includes("node_modules"),
    });
    const protos = join(project, "proto/com/example/shoppingcart");
    for (const file of ["persistence/domain.proto", "shoppingcart.proto", "summary.proto"]) {
      const path = join(protos, file);
      writeFileSync(path, readFileSync(path, "utf8").replaceAll("ItemAdded", "ItemPut"));
    }
    const gen = contents(join(project, "gen"));
    const lock = readFileSync(join(project, "cloudstate.lock.json"), "utf8");

    const problems = generateWithLock(project);

    assert.match(problems.join("\n"), /ItemAdded .* is no longer readable: it looks renamed to .*ItemPut/);
    assert.deepEqual(contents(join(project, "gen")), gen, "the generated code is as it was");
    assert.equal(readFileSync(join(project, "cloudstate.lock.json"), "utf8"), lock, "the lock is as it was");
  });
});
