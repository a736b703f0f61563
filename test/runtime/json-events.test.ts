/**
 * Event-sourced entities whose events are persisted as Cloudstate JSON (`json_events`): emitted under
 * `json.cloudstate.io/<simple name>` in the proto3 JSON mapping, and replayed from it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defineEventSourcedEntity, packJson, unpackJson } from "../../runtime/index.js";
import { memoryLogger, startHarness, type TestHarness } from "../support/harness.js";
import { shoppingCart, shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import type { Cart } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import {
  ItemAdded,
  ItemRemoved,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import { addItem, getCart, init, removeItem } from "../support/cart-messages.js";
import { expectReply, expectStreamFailure, replyCart } from "../support/expect.js";

/** The shopping cart with ItemAdded kept as JSON and ItemRemoved as protobuf. */
const jsonCart = defineEventSourcedEntity({
  ...shoppingCart.config,
  initialState: (entityId) => shoppingCartHandlers.initialState(entityId),
  events: {
    "com.example.shoppingcart.persistence.ItemAdded": {
      type: ItemAdded,
      json: true,
      apply: (state, event) => shoppingCartHandlers.onItemAdded(state as Cart, event as ItemAdded),
    },
    "com.example.shoppingcart.persistence.ItemRemoved": {
      type: ItemRemoved,
      apply: (state, event) => shoppingCartHandlers.onItemRemoved(state as Cart, event as ItemRemoved),
    },
  },
});

function jsonAdded(sequence: number, productId: string, quantity: number) {
  const payload = packJson("ItemAdded", { item: { productId, name: productId, quantity } });
  return { message: { $case: "event" as const, value: { sequence, payload } } };
}

describe("JSON events", () => {
  let harness: TestHarness;
  before(async () => {
    harness = await startHarness([jsonCart], memoryLogger());
  });
  after(async () => harness.close());

  it("emits JSON events as json.cloudstate.io/<simple name>, and the others as protobuf", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("j1"));
    stream.send(addItem(1, "j1", "apple", 2));
    const [event] = expectReply(await stream.next(), 1).events;
    assert.equal(event?.typeUrl, "json.cloudstate.io/ItemAdded");
    assert.deepEqual(unpackJson(event ?? packJson("none", null)).value, {
      item: { productId: "apple", name: "apple", quantity: 2 },
    });
    stream.send(removeItem(2, "j1", "apple"));
    assert.equal(
      expectReply(await stream.next(), 2).events[0]?.typeUrl,
      "type.googleapis.com/com.example.shoppingcart.persistence.ItemRemoved",
    );
    stream.close();
    await stream.end();
  });

  it("replays JSON events into the state", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("j2"));
    stream.send(jsonAdded(1, "pear", 3));
    stream.send(jsonAdded(2, "pear", 1));
    stream.send(getCart(1, "j2"));
    assert.deepEqual(replyCart(await stream.next(), 1), [["pear", 4]]);
    stream.close();
    await stream.end();
  });

  it("ends the stream on a JSON event of a type the entity does not have", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("j3"));
    stream.send({ message: { $case: "event", value: { sequence: 1, payload: packJson("Unknown", {}) } } });
    assert.match(
      expectStreamFailure(await stream.next()).description,
      /unknown JSON event type json\.cloudstate\.io\/Unknown/,
    );
    await stream.end();
  });

  it("refuses two JSON event types with the same simple name", () => {
    assert.throws(
      () =>
        defineEventSourcedEntity({
          ...jsonCart.config,
          initialState: (entityId) => shoppingCartHandlers.initialState(entityId),
          events: {
            a: { type: ItemAdded, json: true, apply: (state) => state },
            b: { type: { ...ItemAdded, $type: "other.ItemAdded" }, json: true, apply: (state) => state },
          },
        }),
      /two JSON event types are named ItemAdded/,
    );
  });
});
