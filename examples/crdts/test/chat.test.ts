/**
 * The chat's CRDT entities under the unit testkit: the deltas each command sends and their write consistency,
 * deltas from other nodes applied between commands, streamed calls following the state, cancellation, delete.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Long from "long";
import { CrdtTestKit } from "cloudstate-ts/testkit";
import {
  friendsEntity,
  messagesEntity,
  presenceEntity,
  roomReactionsEntity,
} from "../gen/com/example/chat/chat_cloudstate.js";
import { friendsHandlers, messagesHandlers, presenceHandlers, roomReactionsHandlers } from "../src/chat.js";

describe("chat CRDTs (unit testkit)", () => {
  it("GCounter: each post sends an increment of 1; another node's increments are applied between commands", async () => {
    const messages = await CrdtTestKit.create(messagesEntity(messagesHandlers), { entityId: "lobby" });
    const posted = await messages.call("posted", { roomId: "lobby", author: "ann" });
    assert.deepEqual(posted.delta?.delta, {
      $case: "gcounter",
      value: { $type: "cloudstate.crdt.GCounterDelta", increment: Long.UZERO.add(1) },
    });
    assert.equal(posted.writeConsistency, "local");
    await messages.applyDelta({ delta: { $case: "gcounter", value: { increment: 5 } } });
    const got = await messages.call("get", { roomId: "lobby" });
    assert.equal(got.reply?.value.toNumber(), 6);
    assert.equal(got.delta, undefined, "a read sends no delta");
  });

  it("ORSet: friends by value, a failure undoes nothing it did not do, a delete ends the entity", async () => {
    const friends = await CrdtTestKit.create(friendsEntity(friendsHandlers), { entityId: "ann" });
    const added = await friends.call("add", { userId: "ann", friend: { userId: "bob", name: "Bob" } });
    assert.deepEqual(
      added.reply?.friends.map((f) => f.userId),
      ["bob"],
    );
    assert.equal(added.delta?.delta?.$case, "orset");
    const refused = await friends.call("add", { userId: "ann", friend: { userId: "ann", name: "Ann" } });
    assert.equal(refused.failure, "Users cannot befriend themselves");
    assert.equal(refused.delta, undefined);
    assert.equal(friends.state.size, 1);
    const forgotten = await friends.call("forget", { userId: "ann" });
    assert.equal(forgotten.deleted, true);
    assert.equal(friends.deleted, true);
  });

  it("ORMap: a clear is sent with majority write consistency", async () => {
    const reactions = await CrdtTestKit.create(roomReactionsEntity(roomReactionsHandlers), { entityId: "r" });
    await reactions.call("react", { roomId: "r", emoji: "👍" });
    const cleared = await reactions.call("clear", { roomId: "r" });
    assert.equal(cleared.writeConsistency, "majority");
    assert.deepEqual(cleared.reply?.counts, {});
  });

  it("Vote: a monitor hears a user connect on this node and on another, and go offline when cancelled", async () => {
    const presence = await CrdtTestKit.create(presenceEntity(presenceHandlers), { entityId: "bob" });
    const monitor = await presence.subscribe("monitor", { userId: "bob" });
    assert.equal(monitor.first.reply?.online, false);
    const connection = await presence.subscribe("connect", { userId: "bob" });
    assert.equal(connection.first.reply?.online, true);
    assert.deepEqual(
      monitor.replies.map((s) => s.online),
      [true],
    );
    // Another node votes too (the proxy's delta carries this node's own vote as it knows it): two nodes.
    await presence.applyDelta({ delta: { $case: "vote", value: { selfVote: true, votesFor: 2, totalVoters: 2 } } });
    assert.deepEqual(
      monitor.replies.map((s) => s.nodes),
      [1, 2],
    );
    const gone = await connection.cancel();
    assert.equal(gone.delta?.delta?.$case, "vote");
    assert.equal(monitor.replies.at(-1)?.nodes, 1);
    assert.equal(connection.ended, true);
  });
});
