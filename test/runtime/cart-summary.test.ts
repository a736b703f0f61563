/**
 * The cart summary example at the protocol level: the proxy calls it with each cart event and the event's
 * CloudEvent metadata, and it answers with the CartChanged to publish.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActionResponse } from "../../gen/cloudstate/action.js";
import { packMessage, unpackMessage } from "../../runtime/index.js";
import { memoryLogger, startHarness, type TestHarness } from "../support/harness.js";
import { cartSummary } from "../../examples/shopping-cart/src/summary.js";
import { CartChanged } from "../../examples/shopping-cart/gen/com/example/shoppingcart/summary.js";
import {
  ItemAdded,
  ItemRemoved,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";

const SERVICE = "com.example.shoppingcart.CartSummary";

/** The metadata the proxy sends with an event of the cart's log. */
function cloudEvent(userId: string, type: string) {
  const attributes = { "ce-specversion": "1.0", "ce-source": "shopping-cart", "ce-subject": userId, "ce-type": type };
  return {
    entries: Object.entries(attributes).map(([key, value]) => ({
      key,
      value: { $case: "stringValue" as const, value },
    })),
  };
}

function changed(response: ActionResponse): CartChanged {
  assert.equal(response.response?.$case, "reply", JSON.stringify(response));
  return unpackMessage(CartChanged, response.response?.$case === "reply" ? response.response.value.payload : undefined);
}

describe("cart summary", () => {
  let harness: TestHarness;
  before(async () => {
    harness = await startHarness([cartSummary], memoryLogger());
  });
  after(async () => harness.close());

  it("summarises an added item for the event's user", async () => {
    const response = await harness.actions.handleUnary({
      serviceName: SERVICE,
      name: "ItemAdded",
      payload: packMessage(ItemAdded, { item: { productId: "apple", name: "Apple", quantity: 3 } }),
      metadata: cloudEvent("u1", "type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded"),
    });
    assert.deepEqual(changed(response), {
      $type: "com.example.shoppingcart.CartChanged",
      userId: "u1",
      productId: "apple",
      quantityAdded: 3,
      removed: false,
    });
  });

  it("summarises a removed line for the event's user", async () => {
    const response = await harness.actions.handleUnary({
      serviceName: SERVICE,
      name: "ItemRemoved",
      payload: packMessage(ItemRemoved, { productId: "pear" }),
      metadata: cloudEvent("u2", "type.googleapis.com/com.example.shoppingcart.persistence.ItemRemoved"),
    });
    assert.deepEqual(changed(response), {
      $type: "com.example.shoppingcart.CartChanged",
      userId: "u2",
      productId: "pear",
      quantityAdded: 0,
      removed: true,
    });
  });
});
