/**
 * The cart summary under the unit testkit: fed one cart event with the CloudEvent metadata the proxy adds to
 * events from the event log, it answers with the summary to publish.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActionTestKit } from "cloudstate-ts/testkit";
import { cartSummary } from "../src/summary.js";

/** The CloudEvent attributes the proxy sets on an event of the cart entity `ann`. */
const fromAnnsCart = {
  "ce-subject": "ann",
  "ce-source": "shopping-cart",
  "ce-type": "type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded",
};

describe("cart summary (unit testkit)", () => {
  const summary = ActionTestKit.create(cartSummary);

  it("summarises an added item for the user named by the CloudEvent subject", async () => {
    const answer = await summary.call(
      "itemAdded",
      { item: { productId: "apple", name: "Apple", quantity: 3 } },
      { metadata: fromAnnsCart },
    );
    assert.deepEqual(answer.reply, {
      $type: "com.example.shoppingcart.CartChanged",
      userId: "ann",
      productId: "apple",
      quantityAdded: 3,
      removed: false,
    });
  });

  it("summarises a removed item", async () => {
    const answer = await summary.call("itemRemoved", { productId: "apple" }, { metadata: { "ce-subject": "bob" } });
    assert.equal(answer.reply?.userId, "bob");
    assert.equal(answer.reply?.removed, true);
  });

  it("without a CloudEvent subject, the user is empty", async () => {
    const answer = await summary.call("itemRemoved", { productId: "apple" });
    assert.equal(answer.reply?.userId, "");
  });
});
