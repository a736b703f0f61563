/**
 * Unit tests of the shopping cart with the testkit: each command runs through the real runtime in memory, with
 * every command, event, snapshot and reply crossing protobuf bytes, and the replay check after each command.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventSourcedTestKit } from "cloudstate-ts/testkit";
import { shoppingCart } from "../src/cart.js";

const ITEM_ADDED = "com.example.shoppingcart.persistence.ItemAdded";
const ITEM_REMOVED = "com.example.shoppingcart.persistence.ItemRemoved";

const apple = { userId: "ann", productId: "apple", name: "Apple", quantity: 2 };

describe("shopping cart (unit testkit)", () => {
  it("starts empty", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "ann" });
    const got = await cart.call("getCart", { userId: "ann" });
    assert.deepEqual(got.reply?.items, []);
    assert.deepEqual(got.events, []);
  });

  it("adds an item: one ItemAdded event, the line in the state and in the reply", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "ann" });
    const added = await cart.call("addItem", apple);
    assert.equal(added.failure, undefined);
    assert.deepEqual(
      added.events.map((event) => event.$type),
      [ITEM_ADDED],
    );
    assert.deepEqual(
      added.state.items.map((item) => [item.productId, item.quantity]),
      [["apple", 2]],
    );
    const again = await cart.call("addItem", { ...apple, quantity: 3 });
    assert.deepEqual(
      again.state.items.map((item) => [item.productId, item.quantity]),
      [["apple", 5]],
    );
    const got = await cart.call("getCart", { userId: "ann" });
    assert.deepEqual(
      got.reply?.items.map((item) => [item.productId, item.name, item.quantity]),
      [["apple", "Apple", 5]],
    );
    assert.equal(cart.sequence, 2);
  });

  it("fails a bad quantity with the client's message, emitting nothing", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "ann" });
    const failed = await cart.call("addItem", { ...apple, quantity: 0 });
    assert.equal(failed.failure, "Cannot add a quantity of 0 of apple");
    assert.equal(failed.reply, undefined);
    assert.deepEqual(failed.events, []);
    assert.deepEqual(failed.state.items, []);
  });

  it("removes an item, and refuses to remove one that is not there", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "ann" });
    await cart.call("addItem", apple);
    const removed = await cart.call("removeItem", { userId: "ann", productId: "apple" });
    assert.deepEqual(
      removed.events.map((event) => event.$type),
      [ITEM_REMOVED],
    );
    assert.deepEqual(removed.state.items, []);
    const refused = await cart.call("removeItem", { userId: "ann", productId: "kiwi" });
    assert.equal(refused.failure, "Cannot remove item kiwi: it is not in the cart");
  });

  it("snapshots every 5 events, and recovers from the snapshot and the events after it", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "ann" });
    const snapshots: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const added = await cart.call("addItem", { ...apple, productId: `p${i}`, quantity: i });
      if (added.snapshot !== undefined) snapshots.push(added.sequence);
    }
    assert.deepEqual(snapshots, [5]);
    const before = cart.state;
    await cart.restart();
    assert.deepEqual(cart.state, before);
    assert.equal(cart.sequence, 7);
  });

  it("starts from journaled events, as after a passivation", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, {
      entityId: "ann",
      events: [
        { $type: ITEM_ADDED, item: { productId: "fig", name: "Fig", quantity: 4 } },
        { $type: ITEM_REMOVED, productId: "fig" },
        { $type: ITEM_ADDED, item: { productId: "pear", name: "Pear", quantity: 1 } },
      ],
    });
    assert.equal(cart.sequence, 3);
    const got = await cart.call("getCart", { userId: "ann" });
    assert.deepEqual(
      got.reply?.items.map((item) => item.productId),
      ["pear"],
    );
  });

  it("starts from a snapshot", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, {
      entityId: "ann",
      snapshot: { sequence: 10, state: { items: [{ productId: "plum", name: "Plum", quantity: 9 }] } },
    });
    const added = await cart.call("addItem", { ...apple, productId: "plum", quantity: 1 });
    assert.equal(added.sequence, 11);
    assert.deepEqual(
      added.state.items.map((item) => [item.productId, item.quantity]),
      [["plum", 10]],
    );
  });
});
