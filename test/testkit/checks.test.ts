/**
 * The unit testkit's checks against deliberately broken entities: a value that does not survive encoding, an
 * impure event handler, and a descriptor set the proxy would refuse. Each must fail with a message naming the
 * message type and field (or event), and a sound entity must pass them all.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { EventSourcedTestKit } from "cloudstate-ts/testkit";
import { ItemAdded, LineItem } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import {
  shoppingCartEntity,
  type ShoppingCartHandlers,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import { shoppingCart, shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";

const apple = { userId: "ann", productId: "apple", name: "Apple", quantity: 2 };

/** The cart, with one handler replaced. */
function cartWith(overrides: Partial<ShoppingCartHandlers>) {
  return shoppingCartEntity({ ...shoppingCartHandlers, ...overrides });
}

describe("unit testkit checks", () => {
  it("a number too large for its int32 field fails, naming the event type and the field", async () => {
    const cart = await EventSourcedTestKit.create(
      cartWith({
        addItem(command, context) {
          context.emit(ItemAdded.create({ item: { ...command, quantity: 2 ** 40 } }));
          return {};
        },
      }),
    );
    await assert.rejects(cart.call("addItem", apple), (error: Error) => {
      assert.equal(error.name, "AssertionError");
      assert.match(error.message, /com\.example\.shoppingcart\.persistence\.ItemAdded at item\.quantity/);
      assert.match(error.message, /: 1099511627776 cannot be encoded \(invalid int32: 1099511627776\)/);
      return true;
    });
  });

  it("a string where the compiler was bypassed fails, naming the reply type and the field", async () => {
    const cart = await EventSourcedTestKit.create(
      cartWith({
        getCart: () => ({ items: [{ productId: "apple", name: "Apple", quantity: "3" as unknown as number }] }),
      }),
    );
    await assert.rejects(
      cart.call("getCart", { userId: "ann" }),
      /com\.example\.shoppingcart\.Cart at items\[0\]\.quantity: "3" \(a string\)/,
    );
  });

  it("an impure event handler fails the replay check, saying where the states differ", async () => {
    let applied = 0;
    const cart = await EventSourcedTestKit.create(
      cartWith({
        // Counts calls, so replaying the journal gives another quantity than the live state has.
        onItemAdded: (state, event) => ({
          ...state,
          items: [...state.items, LineItem.create({ productId: event.item?.productId ?? "", quantity: ++applied })],
        }),
      }),
    );
    await assert.rejects(cart.call("addItem", apple), (error: Error) => {
      assert.equal(error.name, "AssertionError");
      assert.match(
        error.message,
        /replay check after AddItem \(which emitted com\.example\.shoppingcart\.persistence\.ItemAdded\) on com\.example\.shoppingcart\.ShoppingCart\/entity-1/,
      );
      assert.match(error.message, /items\[0\]\.quantity: 1 vs 2/);
      assert.match(error.message, /must be pure and deterministic/);
      return true;
    });
  });

  it("a descriptor set the proxy would refuse fails when the kit is made", async () => {
    const entity = shoppingCartEntity(shoppingCartHandlers);
    // google/protobuf/empty.proto dropped from the set: the service's file misses an import.
    const set = fromBinary(FileDescriptorSetSchema, entity.descriptorSet);
    set.file = set.file.filter((file) => file.name !== "google/protobuf/empty.proto");
    const broken = { ...entity, descriptorSet: toBinary(FileDescriptorSetSchema, set) };
    await assert.rejects(EventSourcedTestKit.create(broken), (error: Error) => {
      assert.equal(error.name, "AssertionError");
      assert.match(
        error.message,
        /descriptor set of com\.example\.shoppingcart\.ShoppingCart would be refused by the proxy/,
      );
      assert.match(error.message, /google\/protobuf\/empty\.proto/);
      return true;
    });
  });

  it("each check can be turned off", async () => {
    const cart = await EventSourcedTestKit.create(
      cartWith({
        addItem(command, context) {
          context.emit(ItemAdded.create({ item: { ...command, quantity: 2 ** 40 } }));
          return {};
        },
      }),
      { checks: { encoding: false } },
    );
    // Unchecked, the runtime's own error handling answers: the command fails with a generic message.
    const added = await cart.call("addItem", apple);
    assert.match(added.failure ?? "", /unexpected/i);
    assert.deepEqual(added.events, []);
  });
});

describe("unit testkit requests", () => {
  it("a request that does not encode fails with the field named, before it reaches the entity", async () => {
    const cart = await EventSourcedTestKit.create(shoppingCart);
    await assert.rejects(cart.call("addItem", { ...apple, quantity: 2 ** 40 }), (error: Error) => {
      assert.equal(error.name, "AssertionError");
      assert.match(
        error.message,
        /the request of AddItem: com\.example\.shoppingcart\.AddLineItem at quantity: 1099511627776 cannot be encoded/,
      );
      return true;
    });
    assert.equal(cart.sequence, 0);
  });
});
