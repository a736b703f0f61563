/**
 * The TCK's CRDT model under the unit testkit: a streamed call that follows the state, carries side effects with
 * each message and ends itself when the state reaches its end state; and one whose cancellation changes the state.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Long from "long";
import { methodOf } from "cloudstate-ts";
import { CrdtTestKit } from "cloudstate-ts/testkit";
import { CrdtTwoDefinition } from "../gen/cloudstate/tck/model/crdt.js";
import { crdtTckModelEntity } from "../gen/cloudstate/tck/model/crdt_cloudstate.js";
import { crdtTckModelHandlers } from "../src/crdt.js";

const two = methodOf(CrdtTwoDefinition, "call");
const increment = (by: number) => ({
  action: {
    $case: "update" as const,
    value: { update: { $case: "gcounter" as const, value: { increment: Long.fromNumber(by, true) } } },
  },
});

describe("CRDT TCK model (unit testkit)", () => {
  it("a streamed call hears each change, with its side effects, until the end state ends it", async () => {
    const counter = await CrdtTestKit.create(crdtTckModelEntity(crdtTckModelHandlers), { entityId: "GCounter-1" });
    const stream = await counter.subscribe("processStreamed", {
      id: "GCounter-1",
      endState: { value: { $case: "gcounter", value: { value: Long.fromNumber(3, true) } } },
      effects: [{ id: "watched", synchronous: false }],
    });
    assert.equal(stream.ended, false);
    const first = await counter.call("process", { id: "GCounter-1", actions: [increment(1)] });
    assert.equal(first.streamed.length, 1, "the change is streamed to the subscriber");
    assert.equal(stream.messages[0]?.sideEffects[0]?.requestAs(two).id, "watched");
    await counter.call("process", { id: "GCounter-1", actions: [increment(2)] });
    const values = stream.replies.map((r) =>
      r.state?.value?.$case === "gcounter" ? r.state.value.value.value.toNumber() : -1,
    );
    assert.deepEqual(values, [1, 3]);
    assert.equal(stream.ended, true);
    assert.equal(stream.messages.at(-1)?.endStream, true);
    const after = await counter.call("process", { id: "GCounter-1", actions: [increment(1)] });
    assert.deepEqual(after.streamed, [], "an ended stream hears nothing more");
  });

  it("a cancellation runs its handler, whose change is replicated", async () => {
    const counter = await CrdtTestKit.create(crdtTckModelEntity(crdtTckModelHandlers), { entityId: "GCounter-2" });
    const stream = await counter.subscribe("processStreamed", {
      id: "GCounter-2",
      cancelUpdate: { update: { $case: "gcounter", value: { increment: Long.fromNumber(5, true) } } },
    });
    const cancelled = await stream.cancel();
    assert.equal(cancelled.delta?.delta?.$case, "gcounter");
    assert.equal(stream.ended, true);
    const read = await counter.call("process", { id: "GCounter-2", actions: [] });
    assert.equal(
      read.reply?.state?.value?.$case === "gcounter" ? read.reply.state.value.value.value.toNumber() : -1,
      5,
    );
  });
});
