/**
 * Type-level tests: misuse of the generated interfaces must not compile. Each fixture marks the lines that must
 * fail with `expect-error TSnnnn`; the test compiles it under the strict settings and compares.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { typecheck } from "../support/typecheck.js";

const FIXTURES = new URL("./fixtures", import.meta.url).pathname;

function expectedErrors(file: string): string[] {
  return readFileSync(join(FIXTURES, file), "utf8")
    .split("\n")
    .flatMap((line, i) => {
      const match = /expect-error (TS\d+)/.exec(line);
      return match === null ? [] : [`${i + 1} ${match[1]}`];
    });
}

describe("type-level tests of the generated interface", () => {
  for (const file of ["valid-usage.ts", "misuse.ts"]) {
    it(`${file}: exactly the marked lines fail, with the marked codes`, () => {
      const problems = typecheck([join(FIXTURES, file)], FIXTURES);
      const actual = problems.map((p) => {
        assert.equal(p.file, file, `unexpected error in ${p.file}:${p.line}: ${p.message}`);
        return `${p.line} TS${p.code}`;
      });
      assert.deepEqual(
        actual.sort(),
        expectedErrors(file).sort(),
        problems.map((p) => `${p.line}: ${p.message}`).join("\n"),
      );
    });
  }
});
