// The counter's rule, tested without any proxy. (The proxy-side behaviour is in test/integration/.)
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Long from "long";
import { increaseProblem } from "../../src/counter.js";

describe("increaseProblem", () => {
  it("accepts a positive amount", () => {
    assert.equal(increaseProblem(Long.ONE), undefined);
    assert.equal(increaseProblem(Long.MAX_VALUE), undefined);
  });

  it("refuses zero and negative amounts, saying why", () => {
    assert.equal(increaseProblem(Long.ZERO), "Cannot increase by 0: it must be positive");
    assert.equal(increaseProblem(Long.fromNumber(-3)), "Cannot increase by -3: it must be positive");
  });
});
