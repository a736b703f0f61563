/**
 * The cart summary: an action the proxy feeds with the shopping cart's events, whose answers it publishes to the
 * "cart-changes" topic. The cart's user comes from the CloudEvent subject of each event (the entity id).
 */
import type { ReadonlyMetadata } from "cloudstate-ts";
import { cartSummaryAction, type CartSummaryHandlers } from "../gen/com/example/shoppingcart/summary_cloudstate.js";

function userOf(metadata: ReadonlyMetadata): string {
  return metadata.cloudEvent.subject ?? "";
}

export const cartSummaryHandlers: CartSummaryHandlers = {
  itemAdded: (event, context) => ({
    userId: userOf(context.metadata),
    productId: event.item?.productId ?? "",
    quantityAdded: event.item?.quantity ?? 0,
    removed: false,
  }),

  itemRemoved: (event, context) => ({
    userId: userOf(context.metadata),
    productId: event.productId,
    quantityAdded: 0,
    removed: true,
  }),
};

/** The summary action, ready for `serve`. */
export const cartSummary = cartSummaryAction(cartSummaryHandlers);
