/** Reading the TCK's ScalaTest output: per-test outcomes, groups, totals, and the verdict. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countsByGroup, parseTckOutput, verdict } from "./results.js";

const RUN = `Run starting. Expected test count is: 6
ConfiguredCloudstateTCK:
Cloudstate TCK
  when verifying discovery protocol
  - must verify proxy info and entity discovery (44 milliseconds)
  when verifying model test: action
  - must verify unary command reply (1 second, 12 milliseconds)
  - must verify unary command forward *** FAILED *** (3 seconds, 5 milliseconds)
    Expected forward but got reply (ActionTckModelTest.scala:120)
  - must verify streamed-in command reply (pending)
  - must verify something odd !!! CANCELED !!! (1 millisecond)
  when verifying proxy test: gRPC server reflection
  - must verify that the proxy supports server reflection (264 milliseconds)
Run completed in 10 seconds, 145 milliseconds.
Total number of tests run: 4
Suites: completed 1, aborted 0
Tests: succeeded 3, failed 1, canceled 1, ignored 0, pending 1
*** 1 TEST FAILED ***
`;

describe("TCK results", () => {
  it("reads each test's group, name and outcome", () => {
    const report = parseTckOutput(RUN);
    assert.deepEqual(
      report.tests.map((t) => [t.group, t.name, t.outcome]),
      [
        ["discovery protocol", "must verify proxy info and entity discovery", "passed"],
        ["model test: action", "must verify unary command reply", "passed"],
        ["model test: action", "must verify unary command forward", "failed"],
        ["model test: action", "must verify streamed-in command reply", "pending"],
        ["model test: action", "must verify something odd", "canceled"],
        ["proxy test: gRPC server reflection", "must verify that the proxy supports server reflection", "passed"],
      ],
    );
    assert.deepEqual(report.totals, { succeeded: 3, failed: 1, canceled: 1, ignored: 0, pending: 1 });
    assert.equal(report.aborted, false);
  });

  it("counts per group in the order the groups ran", () => {
    const groups = countsByGroup(parseTckOutput(RUN).tests);
    assert.deepEqual(
      [...groups.keys()],
      ["discovery protocol", "model test: action", "proxy test: gRPC server reflection"],
    );
    assert.deepEqual(groups.get("model test: action"), { passed: 1, failed: 1, pending: 1, canceled: 1, ignored: 0 });
  });

  it("fails a run with a failed or canceled test, an abort, no totals, or too few passes", () => {
    assert.match(verdict(parseTckOutput(RUN), 1) ?? "", /1 TCK test\(s\) failed/);
    const clean = RUN.replace("Tests: succeeded 3, failed 1, canceled 1", "Tests: succeeded 3, failed 0, canceled 0");
    assert.equal(verdict(parseTckOutput(clean), 3), undefined);
    assert.match(verdict(parseTckOutput(clean), 4) ?? "", /only 3 TCK test\(s\) passed; at least 4 expected/);
    assert.match(verdict(parseTckOutput(clean.replace(/Tests: .*\n/, "")), 0) ?? "", /did not finish/);
    assert.match(verdict(parseTckOutput(`${clean}*** RUN ABORTED ***\n`), 0) ?? "", /aborted/);
  });
});
