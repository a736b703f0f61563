// The cart's event handlers are plain functions of the state and an event: tested here without any proxy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Cart, ItemAdded, ItemRemoved, LineItem } from "../../gen/cart/cart.js";
import { shoppingCartHandlers } from "../../src/cart.js";

const fig = LineItem.create({ productId: "fig", name: "Fig", quantity: 2 });

describe("the cart's event handlers", () => {
  it("add a new line", () => {
    const cart = shoppingCartHandlers.onItemAdded(Cart.create(), ItemAdded.create({ item: fig }));
    assert.deepEqual(cart.items, [fig]);
  });

  it("merge a product added twice into one line", () => {
    const once = shoppingCartHandlers.onItemAdded(Cart.create(), ItemAdded.create({ item: fig }));
    const twice = shoppingCartHandlers.onItemAdded(once, ItemAdded.create({ item: { ...fig, quantity: 3 } }));
    assert.deepEqual(
      twice.items.map((item) => [item.productId, item.quantity]),
      [["fig", 5]],
    );
    assert.equal(once.items[0]?.quantity, 2, "the old state is left as it was");
  });

  it("remove a line", () => {
    const cart = shoppingCartHandlers.onItemAdded(Cart.create(), ItemAdded.create({ item: fig }));
    assert.deepEqual(shoppingCartHandlers.onItemRemoved(cart, ItemRemoved.create({ productId: "fig" })).items, []);
  });
});
