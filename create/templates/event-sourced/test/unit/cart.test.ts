// Unit tests of the cart on the unit testkit: each command runs through the real runtime in memory, with every
// command, event and reply crossing protobuf bytes, and the state rebuilt from the journal checked after each one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventSourcedTestKit } from "cloudstate-ts/testkit";
import { shoppingCart } from "../../src/cart.js";

const fig = { cartId: "c1", productId: "fig", name: "Fig", quantity: 2 };

describe("the shopping cart (unit testkit)", () => {
  it("starts empty", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "c1" });
    assert.deepEqual((await cart.call("getCart", { cartId: "c1" })).reply?.items, []);
  });

  it("adds an item with one ItemAdded event, and merges a product added twice into one line", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "c1" });
    const added = await cart.call("addItem", fig);
    assert.deepEqual(
      added.events.map((event) => event.$type),
      ["cart.ItemAdded"],
    );
    const again = await cart.call("addItem", { ...fig, quantity: 3 });
    assert.deepEqual(
      again.state.items.map((item) => [item.productId, item.quantity]),
      [["fig", 5]],
    );
    assert.equal(cart.sequence, 2);
  });

  it("fails a quantity below one with the client's message, emitting nothing", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "c1" });
    const failed = await cart.call("addItem", { ...fig, quantity: 0 });
    assert.equal(failed.failure, "Cannot add a quantity of 0 of fig");
    assert.deepEqual(failed.events, []);
  });

  it("removes an item, and refuses to remove one that is not there", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "c1" });
    await cart.call("addItem", fig);
    const removed = await cart.call("removeItem", { cartId: "c1", productId: "fig" });
    assert.deepEqual(removed.state.items, []);
    const refused = await cart.call("removeItem", { cartId: "c1", productId: "fig" });
    assert.equal(refused.failure, "Cannot remove fig: it is not in the cart");
  });

  it("recovers the same cart from its journal", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "c1" });
    await cart.call("addItem", fig);
    await cart.call("addItem", { ...fig, productId: "kiwi", name: "Kiwi" });
    await cart.restart();
    assert.deepEqual(
      cart.state.items.map((item) => item.productId),
      ["fig", "kiwi"],
    );
  });
});
