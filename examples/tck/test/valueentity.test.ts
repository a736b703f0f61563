/**
 * The TCK's value-entity model under the unit testkit: updates and deletes stored, forwards and side effects
 * decoded with their target rpc, failures keeping nothing, and a restart from what was stored.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { methodOf } from "cloudstate-ts";
import { ValueEntityTestKit } from "cloudstate-ts/testkit";
import { ValueEntityTwoDefinition } from "../gen/cloudstate/tck/model/valueentity.js";
import { valueEntityTckModel } from "../src/valueentity.js";

const two = methodOf(ValueEntityTwoDefinition, "call");
const update = (value: string) => ({ action: { $case: "update" as const, value: { value } } });

describe("value entity TCK model (unit testkit)", () => {
  it("stores each update and replies with the state", async () => {
    const entity = await ValueEntityTestKit.create(valueEntityTckModel, { entityId: "v1" });
    const first = await entity.call("process", { id: "v1", actions: [update("one")] });
    assert.deepEqual(first.stored, {
      kind: "update",
      state: { $type: "cloudstate.tck.model.valueentity.Persisted", value: "one" },
    });
    assert.equal(first.reply?.message, "one");
    const none = await entity.call("process", { id: "v1", actions: [] });
    assert.deepEqual(none.stored, { kind: "none" });
    assert.equal(none.reply?.message, "one");
    assert.equal(entity.stored?.value, "one");
  });

  it("deletes the state", async () => {
    const entity = await ValueEntityTestKit.create(valueEntityTckModel, {
      entityId: "v2",
      state: { value: "stored before" },
    });
    assert.equal(entity.state.value, "stored before");
    const deleted = await entity.call("process", { id: "v2", actions: [{ action: { $case: "delete", value: {} } }] });
    assert.deepEqual(deleted.stored, { kind: "delete" });
    assert.equal(deleted.state.value, "");
    assert.equal(entity.stored, undefined);
  });

  it("forwards to ValueEntityTwo and asks for side effects, decoded with the target's request type", async () => {
    const entity = await ValueEntityTestKit.create(valueEntityTckModel, { entityId: "v3" });
    const result = await entity.call("process", {
      id: "v3",
      actions: [
        { action: { $case: "effect", value: { id: "e1", synchronous: true } } },
        { action: { $case: "forward", value: { id: "f1" } } },
      ],
    });
    assert.equal(result.reply, undefined);
    assert.equal(result.forward?.serviceName, "cloudstate.tck.model.valueentity.ValueEntityTwo");
    assert.equal(result.forward?.requestAs(two).id, "f1");
    assert.equal(result.sideEffects.length, 1);
    assert.equal(result.sideEffects[0]?.synchronous, true);
    assert.equal(result.sideEffects[0]?.requestAs(two).id, "e1");
  });

  it("a failure keeps neither the update nor the side effects", async () => {
    const entity = await ValueEntityTestKit.create(valueEntityTckModel, { entityId: "v4", state: { value: "kept" } });
    const failed = await entity.call("process", {
      id: "v4",
      actions: [
        update("lost"),
        { action: { $case: "effect", value: { id: "e", synchronous: false } } },
        { action: { $case: "fail", value: { message: "no" } } },
      ],
    });
    assert.equal(failed.failure, "no");
    assert.deepEqual(failed.stored, { kind: "none" });
    assert.deepEqual(failed.sideEffects, []);
    assert.equal(failed.state.value, "kept");
  });

  it("restarts from what was stored", async () => {
    const entity = await ValueEntityTestKit.create(valueEntityTckModel, { entityId: "v5" });
    await entity.call("process", { id: "v5", actions: [update("durable")] });
    await entity.restart();
    assert.equal(entity.state.value, "durable");
  });
});
