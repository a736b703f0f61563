/**
 * Type-level tests: misuse of the generated interfaces must not compile. Each fixture marks the lines that must
 * fail with `expect-error TSnnnn`; the test compiles it under the strict settings and compares.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { typecheck } from "../support/typecheck.js";
import { generateCase, ROOT } from "../tools/plugin-cases.js";

const FIXTURES = new URL("./fixtures", import.meta.url).pathname;

function expectedErrors(file: string): string[] {
  return readFileSync(join(FIXTURES, file), "utf8")
    .split("\n")
    .flatMap((line, i) => {
      const match = /expect-error (TS\d+)/.exec(line);
      return match === null ? [] : [`${i + 1} ${match[1]}`];
    });
}

/** Compiles `file` (found in `dir`) and checks that exactly its marked lines fail, with the marked codes. */
function checkFixture(file: string, dir: string): void {
  const problems = typecheck([join(dir, file)], dir);
  const actual = problems.map((p) => {
    assert.equal(p.file, file, `unexpected error in ${p.file}:${p.line}: ${p.message}`);
    return `${p.line} TS${p.code}`;
  });
  assert.deepEqual(
    actual.sort(),
    expectedErrors(file).sort(),
    problems.map((p) => `${p.line}: ${p.message}`).join("\n"),
  );
}

describe("type-level tests of the generated interface", () => {
  for (const file of ["valid-usage.ts", "misuse.ts", "readonly-state.ts"]) {
    it(`${file}: exactly the marked lines fail, with the marked codes`, () => checkFixture(file, FIXTURES));
  }

  for (const [goldenCase, fixture] of [
    ["value_entity", "value-entity-misuse.ts"],
    ["action", "action-misuse.ts"],
    ["crdt", "crdt-misuse.ts"],
  ] as const) {
    it(`${fixture}: misuse of the generated ${goldenCase} code fails with the marked codes`, () => {
      // Compiled beside the golden case's freshly generated code (ts-proto's and ours).
      const dir = join(ROOT, ".cache/typecheck", goldenCase);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      assert.ok("files" in generateCase(goldenCase, dir));
      copyFileSync(join(FIXTURES, fixture), join(dir, fixture));
      checkFixture(fixture, dir);
    });
  }
});
