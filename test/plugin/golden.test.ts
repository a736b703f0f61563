/**
 * Golden tests of protoc-gen-cloudstate: each folder of test/plugin/cases is run through the real buf and the
 * plugin, and the output (or the error) must equal test/plugin/golden/<case>. `npm run golden:update` refreshes
 * the golden files. Cases that generate code are also type-checked with ts-proto's output under the strictest
 * settings.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { caseNames, generateCase, GOLDEN, readTree, ROOT } from "../tools/plugin-cases.js";
import { typecheck } from "../support/typecheck.js";

describe("protoc-gen-cloudstate golden cases", () => {
  for (const name of caseNames()) {
    it(`${name} matches test/plugin/golden/${name}`, () => {
      const golden = join(GOLDEN, name);
      const output = generateCase(name);
      if (existsSync(join(golden, "error.txt"))) {
        assert.ok("error" in output, `expected an error, got files`);
        assert.equal(`${output.error}\n`, readFileSync(join(golden, "error.txt"), "utf8"));
        return;
      }
      assert.ok("files" in output, `expected files, got: ${"error" in output ? output.error : ""}`);
      const expected = existsSync(join(golden, "out")) ? readTree(join(golden, "out")) : new Map<string, string>();
      assert.deepEqual([...output.files.keys()], [...expected.keys()]);
      for (const [path, content] of expected) assert.equal(output.files.get(path), content, `${path} differs`);
    });
  }

  for (const name of caseNames().filter((n) => existsSync(join(GOLDEN, n, "out")))) {
    it(`${name}: generated code type-checks with ts-proto's output under strict settings`, () => {
      const dir = join(ROOT, ".cache/golden-typecheck", name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const output = generateCase(name, dir);
      assert.ok("files" in output);
      const ours = [...readTree(dir).keys()].filter((f) => f.endsWith("_cloudstate.ts") || f.endsWith("_starter.ts"));
      assert.ok(ours.length > 0);
      const problems = typecheck(
        ours.map((f) => join(dir, f)),
        dir,
      );
      assert.deepEqual(problems, []);
    });
  }
});
