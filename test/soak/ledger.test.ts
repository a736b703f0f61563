import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compare, compareTotals, isClean, Ledger, zeroCounts, type Command } from "./ledger.js";

function sent(ledger: Ledger, id: string, outcome: Command["outcome"], cycle = 1): Command {
  const command = ledger.send("value", "tally-0", id, cycle);
  if (outcome !== "pending") ledger.settle(command, outcome);
  return command;
}

describe("the soak's ledger comparison", () => {
  it("counts every acknowledged command found as survived", () => {
    const ledger = new Ledger();
    const commands = [sent(ledger, "r1", "acknowledged"), sent(ledger, "r2", "acknowledged")];
    const { counts, lostIds } = compare(
      commands,
      new Map([
        ["r1", 1],
        ["r2", 1],
      ]),
    );
    assert.deepEqual(counts, { ...zeroCounts(), acknowledged: 2, survived: 2 });
    assert.deepEqual(lostIds, []);
    assert.ok(isClean(counts));
  });

  it("reports an acknowledged command missing from the state as lost, by id", () => {
    const ledger = new Ledger();
    const commands = [sent(ledger, "r1", "acknowledged"), sent(ledger, "r2", "acknowledged")];
    const { counts, lostIds } = compare(commands, new Map([["r1", 1]]));
    assert.equal(counts.lost, 1);
    assert.equal(counts.survived, 1);
    assert.deepEqual(lostIds, ["r2"]);
    assert.ok(!isClean(counts));
  });

  it("lets a command in flight land or not, counting the landed ones apart", () => {
    const ledger = new Ledger();
    const commands = [sent(ledger, "r1", "in-flight"), sent(ledger, "r2", "in-flight")];
    const { counts } = compare(commands, new Map([["r2", 1]]));
    assert.deepEqual(counts, { ...zeroCounts(), inFlight: 2, landed: 1 });
    assert.ok(isClean(counts));
  });

  it("flags a refused command found in the state, a command applied twice, and one never sent", () => {
    const ledger = new Ledger();
    const commands = [sent(ledger, "r1", "refused"), sent(ledger, "r2", "acknowledged")];
    const result = compare(
      commands,
      new Map([
        ["r1", 1],
        ["r2", 2],
        ["r9", 1],
      ]),
    );
    assert.equal(result.counts.refusedLanded, 1);
    assert.deepEqual(result.duplicatedIds, ["r2"]);
    assert.deepEqual(result.unexpectedIds, ["r9"]);
    assert.ok(!isClean(result.counts));
  });

  it("counts only the included commands, but judges ids never sent against all of them", () => {
    const ledger = new Ledger();
    const commands = [sent(ledger, "r1", "acknowledged", 1), sent(ledger, "r2", "acknowledged", 2)];
    const { counts } = compare(
      commands,
      new Map([
        ["r1", 1],
        ["r2", 1],
      ]),
      (c) => c.cycle === 2,
    );
    assert.deepEqual(counts, { ...zeroCounts(), acknowledged: 1, survived: 1 });
  });

  it("refuses to compare while a command is still pending", () => {
    const ledger = new Ledger();
    assert.throws(() => compare([sent(ledger, "r1", "pending")], new Map()), /still pending/);
  });

  it("refuses to settle a command twice", () => {
    const ledger = new Ledger();
    const command = sent(ledger, "r1", "acknowledged");
    assert.throws(() => ledger.settle(command, "in-flight"), /settled twice/);
  });

  it("groups commands by entity in the order sent", () => {
    const ledger = new Ledger();
    ledger.send("value", "a", "r1", 1);
    ledger.send("event-sourced", "a", "r1", 1);
    ledger.send("value", "b", "r1", 1);
    ledger.send("value", "a", "r2", 1);
    const byEntity = ledger.byEntity("value");
    assert.deepEqual(
      [...byEntity].map(([entity, list]) => [entity, list.map((c) => c.id)]),
      [
        ["a", ["r1", "r2"]],
        ["b", ["r1"]],
      ],
    );
  });

  it("resolves a wait once enough commands of the kind are acknowledged after it began", async () => {
    const ledger = new Ledger();
    sent(ledger, "r0", "acknowledged");
    const waiting = ledger.waitForAcknowledged("value", 2, 5000, "test");
    let resolved = false;
    void waiting.then(() => (resolved = true));
    ledger.settle(ledger.send("event-sourced", "cart", "r1", 1), "acknowledged");
    ledger.settle(ledger.send("value", "tally", "r1", 1), "acknowledged");
    await Promise.resolve();
    assert.equal(resolved, false);
    ledger.settle(ledger.send("value", "tally", "r2", 1), "acknowledged");
    await waiting;
  });

  it("fails a wait that times out, saying how far it got", async () => {
    const ledger = new Ledger();
    const waiting = ledger.waitForAcknowledged("value", 3, 10, "the test");
    sent(ledger, "r1", "acknowledged");
    await assert.rejects(waiting, /the test: 1 of 3 value commands acknowledged within 10 ms/);
  });
});

describe("the soak's comparison of totals", () => {
  it("finds nothing lost when the total holds every acknowledged command", () => {
    assert.deepEqual(compareTotals(10, 2, 11), { lost: 0, landed: 1, excess: 0 });
  });

  it("reports the missing acknowledged commands as lost", () => {
    assert.deepEqual(compareTotals(10, 2, 8), { lost: 2, landed: 0, excess: 0 });
  });

  it("reports more than was sent as excess", () => {
    assert.deepEqual(compareTotals(10, 2, 13), { lost: 0, landed: 2, excess: 1 });
  });
});
