/** Assertions on event-sourced stream output. */
import assert from "node:assert/strict";
import type { EventSourcedReply, EventSourcedStreamOut } from "../../gen/cloudstate/event_sourced.js";
import type { Failure, Forward } from "../../gen/cloudstate/entity.js";
import { TypeRegistry, unpackMessage, type Any } from "../../runtime/any.js";
import { Cart as ReplyCart } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import {
  Cart,
  ItemAdded,
  ItemRemoved,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";

const cartEvents = new TypeRegistry<ItemAdded | ItemRemoved>([ItemAdded, ItemRemoved]);

export function expectReply(out: EventSourcedStreamOut, commandId: number): EventSourcedReply {
  assert.equal(out.message?.$case, "reply", `expected a reply, got ${JSON.stringify(out)}`);
  const reply = (out.message as { value: EventSourcedReply }).value;
  assert.equal(reply.commandId.toNumber(), commandId);
  return reply;
}

/** The successful reply's payload, decoded as the cart GetCart returns. */
export function replyCart(out: EventSourcedStreamOut, commandId: number): [string, number][] {
  const reply = expectReply(out, commandId);
  assert.equal(
    reply.clientAction?.action?.$case,
    "reply",
    `expected a reply action, got ${JSON.stringify(reply.clientAction)}`,
  );
  const payload = (reply.clientAction?.action?.value as { payload?: Any }).payload;
  return unpackMessage(ReplyCart, payload).items.map((item) => [item.productId, item.quantity]);
}

/** The failure a command was answered with (as a client action). */
export function expectCommandFailure(out: EventSourcedStreamOut, commandId: number): Failure & { events: number } {
  const reply = expectReply(out, commandId);
  assert.equal(
    reply.clientAction?.action?.$case,
    "failure",
    `expected a failure, got ${JSON.stringify(reply.clientAction)}`,
  );
  const failure = reply.clientAction?.action?.value;
  assert.equal(failure.commandId.toNumber(), commandId);
  assert.equal(reply.sideEffects.length, 0, "a failed command keeps no side effects");
  assert.equal(reply.snapshot, undefined, "a failed command takes no snapshot");
  return Object.assign(failure, { events: reply.events.length });
}

export function expectStreamFailure(out: EventSourcedStreamOut): Failure {
  assert.equal(out.message?.$case, "failure", `expected a stream failure, got ${JSON.stringify(out)}`);
  const failure = out.message?.value;
  assert.equal(failure.commandId.toNumber(), 0);
  return failure;
}

export function expectForward(out: EventSourcedStreamOut, commandId: number): Forward {
  const reply = expectReply(out, commandId);
  assert.equal(reply.clientAction?.action?.$case, "forward");
  return reply.clientAction?.action?.value;
}

/** The events of a reply, decoded, as short strings: `+p:2` for added, `-p` for removed. */
export function events(reply: EventSourcedReply): string[] {
  return reply.events.map((any) => {
    const event = cartEvents.unpack(any);
    return event.$type === "com.example.shoppingcart.persistence.ItemAdded"
      ? `+${event.item?.productId}:${event.item?.quantity}`
      : `-${event.productId}`;
  });
}

export function snapshotItems(reply: EventSourcedReply): [string, number][] | undefined {
  if (reply.snapshot === undefined) return undefined;
  return unpackMessage(Cart, reply.snapshot).items.map((item) => [item.productId, item.quantity]);
}
