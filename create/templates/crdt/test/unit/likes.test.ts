// The like counter's rule, tested without any proxy. (The proxy-side behaviour is in test/integration/.)
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Long from "long";
import { likeProblem } from "../../src/likes.js";

describe("likeProblem", () => {
  it("accepts zero or more likes", () => {
    assert.equal(likeProblem(Long.ZERO), undefined);
    assert.equal(likeProblem(Long.fromNumber(5)), undefined);
  });

  it("refuses to take likes away", () => {
    assert.equal(likeProblem(Long.fromNumber(-1)), "Cannot take likes away (by -1)");
  });
});
