/**
 * End to end: the chat example's CRDT entities behind the real Cloudstate 0.6.0 proxy, through its public gRPC
 * and HTTP/JSON API. Every CRDT type, a streamed call that hears another client's change, and a delete.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClientError, type CompatServiceDefinition } from "nice-grpc";
import { CloudstateTestEnvironment, retryUntil } from "cloudstate-ts-devkit";
import {
  FriendsDefinition,
  MessagesDefinition,
  PresenceDefinition,
  RoomClosedDefinition,
  RoomReactionsDefinition,
  RoomTopicDefinition,
  RoomVisitorsDefinition,
  UnreadDefinition,
  type PresenceStatus,
} from "../gen/com/example/chat/chat.js";
import { chatEntities } from "../src/chat.js";

/** Reads a server stream one message at a time. */
class StreamReader<T> {
  readonly #iterator: AsyncIterator<T>;
  constructor(stream: AsyncIterable<T>) {
    this.#iterator = stream[Symbol.asyncIterator]();
  }
  async next(): Promise<T> {
    const result = await this.#iterator.next();
    if (result.done === true) throw new Error("the stream ended");
    return result.value;
  }
}

describe("chat CRDTs behind the real Cloudstate proxy", () => {
  let env: CloudstateTestEnvironment;
  const client = <D extends CompatServiceDefinition>(definition: D) => env.client(definition);

  before(async () => {
    env = await CloudstateTestEnvironment.start({ entities: chatEntities });
    // Online means discovery succeeded; the entity's shard may still be starting, so the first call is retried.
    const messages = client(MessagesDefinition);
    await retryUntil("the first call through the proxy", () => messages.get({ roomId: "warm-up" }), 60_000);
  });

  after(async () => {
    await env?.stop();
  });

  it("ORSet: friends are added and removed by value, listed over HTTP, and forgotten with a delete", async () => {
    const friends = client(FriendsDefinition);
    await friends.add({ userId: "ann", friend: { userId: "bob", name: "Bob" } });
    await friends.add({ userId: "ann", friend: { userId: "cid", name: "Cid" } });
    const again = await friends.add({ userId: "ann", friend: { userId: "bob", name: "Bob" } });
    assert.deepEqual(
      again.friends.map((f) => f.userId),
      ["bob", "cid"],
    );
    await friends.remove({ userId: "ann", friend: { userId: "bob" } });
    const listed = (await (await fetch(`${env.httpUrl}/users/ann/friends`)).json()) as {
      friends: { userId: string; name: string }[];
    };
    assert.deepEqual(listed.friends, [{ userId: "cid", name: "Cid" }]);
    await assert.rejects(friends.add({ userId: "ann", friend: { userId: "ann" } }), (error: unknown) => {
      assert.ok(error instanceof ClientError);
      assert.equal(error.details, "Users cannot befriend themselves");
      return true;
    });
    await friends.forget({ userId: "ann" });
    // A deleted CRDT is gone for good across the cluster: the proxy refuses the key from then on.
    await assert.rejects(friends.list({ userId: "ann" }), /Entity deleted/);
  });

  it("Vote with streamed calls: a monitor hears another client connect and disconnect", async () => {
    const presence = client(PresenceDefinition);
    const monitorAbort = new AbortController();
    const monitor = new StreamReader<PresenceStatus>(
      presence.monitor({ userId: "dan" }, { signal: monitorAbort.signal }),
    );
    assert.deepEqual(pick(await monitor.next()), { online: false, nodes: 0 });
    const connectAbort = new AbortController();
    const connection = new StreamReader<PresenceStatus>(
      presence.connect({ userId: "dan" }, { signal: connectAbort.signal }),
    );
    assert.deepEqual(pick(await connection.next()), { online: true, nodes: 1 });
    assert.deepEqual(pick(await monitor.next()), { online: true, nodes: 1 });
    connectAbort.abort();
    assert.deepEqual(pick(await monitor.next()), { online: false, nodes: 0 });
    monitorAbort.abort();
  });

  it("GCounter and PNCounter: posts add up; unread counts go up and down, never below zero", async () => {
    const messages = client(MessagesDefinition);
    for (let i = 0; i < 3; i++) await messages.posted({ roomId: "lobby", author: "eve" });
    assert.equal((await messages.get({ roomId: "lobby" })).value.toNumber(), 3);
    const unread = client(UnreadDefinition);
    await unread.change({ userId: "eve", change: 5 });
    assert.equal((await unread.change({ userId: "eve", change: -2 })).value.toNumber(), 3);
    await assert.rejects(unread.change({ userId: "eve", change: -10 }), /Cannot read more messages than are unread/);
    assert.equal((await unread.change({ userId: "eve", change: 0 })).value.toNumber(), 3);
  });

  it("GSet, LWWRegister and Flag: visitors accumulate, the last topic wins, a closed room stays closed", async () => {
    const visitors = client(RoomVisitorsDefinition);
    await visitors.visit({ roomId: "hall", userId: "fay" });
    await visitors.visit({ roomId: "hall", userId: "al" });
    assert.deepEqual((await visitors.visit({ roomId: "hall", userId: "fay" })).userIds, ["al", "fay"]);
    const topic = client(RoomTopicDefinition);
    await topic.set({ roomId: "hall", topic: { text: "hello", setBy: "fay" } });
    await topic.set({ roomId: "hall", topic: { text: "news", setBy: "al" } });
    const current = await topic.get({ roomId: "hall" });
    assert.deepEqual([current.text, current.setBy], ["news", "al"]);
    const closed = client(RoomClosedDefinition);
    assert.equal((await closed.get({ roomId: "hall" })).closed, false);
    await closed.close({ roomId: "hall" });
    assert.equal((await closed.get({ roomId: "hall" })).closed, true);
  });

  it("ORMap: reactions count per emoji, and a majority write clears them", async () => {
    const reactions = client(RoomReactionsDefinition);
    await reactions.react({ roomId: "hall", emoji: "+1" });
    await reactions.react({ roomId: "hall", emoji: "tada" });
    const counts = (await reactions.react({ roomId: "hall", emoji: "+1" })).counts;
    assert.deepEqual(
      Object.entries(counts).map(([emoji, n]) => [emoji, n.toNumber()]),
      [
        ["+1", 2],
        ["tada", 1],
      ],
    );
    assert.deepEqual((await reactions.clear({ roomId: "hall" })).counts, {});
    assert.deepEqual(Object.keys((await reactions.react({ roomId: "hall", emoji: "wave" })).counts), ["wave"]);
  });
});

function pick(status: PresenceStatus): { online: boolean; nodes: number } {
  return { online: status.online, nodes: status.nodes };
}
