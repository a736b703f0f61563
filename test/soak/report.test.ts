import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { zeroCounts } from "./ledger.js";
import { countInto, formatCounts, formatFailures } from "./report.js";

describe("the soak's report lines", () => {
  it("says acknowledged, survived and lost, with the commands in flight apart", () => {
    assert.equal(
      formatCounts({ ...zeroCounts(), acknowledged: 5, survived: 5, inFlight: 2, landed: 1, refused: 3 }),
      "acknowledged 5, survived 5, lost 0 (in flight 2, of which landed 1; refused 3)",
    );
  });

  it("shouts every inconsistency", () => {
    const line = formatCounts({ ...zeroCounts(), duplicated: 1, unexpected: 2, refusedLanded: 3 });
    assert.match(line, /DUPLICATED 1; NEVER SENT 2; REFUSED YET LANDED 3$/);
  });

  it("lists the most frequent failures first, and how many more there are", () => {
    const failures = new Map<string, number>();
    for (const message of ["b", "a", "a", "c", "a", "b"]) countInto(failures, message);
    assert.deepEqual(formatFailures(failures, 2), ["3× a", "2× b", "… and 1 other messages"]);
  });
});
