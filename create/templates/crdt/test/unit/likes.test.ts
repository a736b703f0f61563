// Unit tests of the like counter on the unit testkit: the delta each command sends to the proxy, and deltas from
// other nodes applied between commands, all crossing protobuf bytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Long from "long";
import { CrdtTestKit } from "cloudstate-ts/testkit";
import { likes } from "../../src/likes.js";

const like = (n: number) => ({ postId: "p1", by: Long.fromNumber(n) });

describe("the like counter (unit testkit)", () => {
  it("sends each like as a GCounter increment", async () => {
    const kit = await CrdtTestKit.create(likes, { entityId: "p1" });
    const liked = await kit.call("like", like(2));
    assert.equal(liked.reply?.likes.toString(), "2");
    assert.equal(liked.delta?.delta?.$case, "gcounter");
    assert.equal(kit.state.value.toString(), "2");
  });

  it("counts the likes other nodes took", async () => {
    const kit = await CrdtTestKit.create(likes, { entityId: "p1" });
    await kit.call("like", like(1));
    await kit.applyDelta({ delta: { $case: "gcounter", value: { increment: 5 } } });
    const got = await kit.call("getLikes", { postId: "p1" });
    assert.equal(got.reply?.likes.toString(), "6");
    assert.equal(got.delta, undefined, "a read sends no delta");
  });

  it("refuses to take likes away, sending nothing", async () => {
    const kit = await CrdtTestKit.create(likes, { entityId: "p1" });
    const refused = await kit.call("like", like(-1));
    assert.equal(refused.failure, "Cannot take likes away (by -1)");
    assert.equal(refused.delta, undefined);
  });
});
