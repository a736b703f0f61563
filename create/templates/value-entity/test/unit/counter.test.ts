// Unit tests of the counter on the unit testkit: each command runs through the real runtime in memory, with the
// command, the stored state and the reply crossing protobuf bytes as they do behind the proxy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Long from "long";
import { ValueEntityTestKit } from "cloudstate-ts/testkit";
import { counter } from "../../src/counter.js";

const by = (n: number) => ({ counterId: "c1", by: Long.fromNumber(n) });

describe("the counter (unit testkit)", () => {
  it("starts at zero and stores each increase", async () => {
    const kit = await ValueEntityTestKit.create(counter, { entityId: "c1" });
    assert.equal((await kit.call("getValue", { counterId: "c1" })).reply?.value.toString(), "0");
    const first = await kit.call("increase", by(2));
    assert.equal(first.reply?.value.toString(), "2");
    assert.equal(first.stored.kind, "update");
    const second = await kit.call("increase", by(3));
    assert.equal(second.reply?.value.toString(), "5");
    assert.equal(kit.stored?.value.toString(), "5");
  });

  it("refuses to increase by zero or less, storing nothing", async () => {
    const kit = await ValueEntityTestKit.create(counter, { entityId: "c1", state: { value: Long.fromNumber(4) } });
    const refused = await kit.call("increase", by(0));
    assert.equal(refused.failure, "Cannot increase by 0: it must be positive");
    assert.deepEqual(refused.stored, { kind: "none" });
    assert.equal(kit.state.value.toString(), "4");
  });

  it("resets by deleting the state", async () => {
    const kit = await ValueEntityTestKit.create(counter, { entityId: "c1", state: { value: Long.fromNumber(4) } });
    const reset = await kit.call("reset", { counterId: "c1" });
    assert.deepEqual(reset.stored, { kind: "delete" });
    assert.equal((await kit.call("getValue", { counterId: "c1" })).reply?.value.toString(), "0");
  });
});
