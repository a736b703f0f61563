import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLatency, percentile, summarize } from "./stats.js";

describe("the soak's latency percentiles", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("takes the nearest rank", () => {
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 90), 90);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 99.9), 100);
    assert.equal(percentile(hundred, 100), 100);
    assert.equal(percentile([7], 50), 7);
    assert.equal(percentile([1, 2, 3], 1), 1);
  });

  it("has no percentile of nothing and rejects one out of range", () => {
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.throws(() => percentile(hundred, 0), RangeError);
    assert.throws(() => percentile(hundred, 101), RangeError);
  });

  it("sorts before summarizing, without changing its input", () => {
    const values = [5, 1, 4, 2, 3];
    assert.deepEqual(summarize(values), { count: 5, p50: 3, p90: 5, p99: 5, p999: 5, max: 5 });
    assert.deepEqual(values, [5, 1, 4, 2, 3]);
  });

  it("formats a summary, and an empty one with dashes", () => {
    assert.equal(
      formatLatency(summarize([1.23, 45.6])),
      "p50 1.2 ms, p90 46 ms, p99 46 ms, p99.9 46 ms, max 46 ms (2 commands)",
    );
    assert.match(formatLatency(summarize([])), /^p50 - ms, .* \(0 commands\)$/);
  });
});
