/**
 * Type-level tests of the unit testkit, checked by `npm run typecheck` (an unused `@ts-expect-error` is itself an
 * error): calls are typed by the entity's generated service definition, so an rpc that does not exist, a request
 * of the wrong type, or a streamed call in the wrong shape does not compile. Never run.
 */
import { ActionTestKit, CrdtTestKit, EventSourcedTestKit, ValueEntityTestKit } from "cloudstate-ts/testkit";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { cartSummary } from "../../examples/shopping-cart/src/summary.js";
import { actionTckModel } from "../../examples/tck/src/action.js";
import { valueEntityTckModel } from "../../examples/tck/src/valueentity.js";
import { presenceEntity } from "../../examples/crdts/gen/com/example/chat/chat_cloudstate.js";
import { presenceHandlers } from "../../examples/crdts/src/chat.js";

export async function typedCalls(): Promise<void> {
  const cart = await EventSourcedTestKit.create(shoppingCart);
  const added = await cart.call("addItem", { userId: "u", productId: "p", name: "P", quantity: 1 });
  // The events are the entity's declared events; the state is its state.
  const types: (
    "com.example.shoppingcart.persistence.ItemAdded" | "com.example.shoppingcart.persistence.ItemRemoved"
  )[] = added.events.map((event) => event.$type);
  const quantity: number | undefined = added.state.items[0]?.quantity;
  const got = await cart.call("getCart", { userId: "u" });
  const items: number | undefined = got.reply?.items.length;
  // @ts-expect-error: the cart has no rpc checkout
  await cart.call("checkout", { userId: "u" });
  // @ts-expect-error: addItem takes an AddLineItem, whose quantity is a number
  await cart.call("addItem", { userId: "u", productId: "p", name: "P", quantity: "1" });
  // @ts-expect-error: getCart takes a GetShoppingCart, which has no productId
  await cart.call("getCart", { userId: "u", productId: "p" });
  // @ts-expect-error: the state is read-only
  // eslint-disable-next-line @typescript-eslint/no-unsafe-call
  added.state.items.push();

  const entity = await ValueEntityTestKit.create(valueEntityTckModel);
  // @ts-expect-error: the value entity model has no rpc call
  await entity.call("call", { id: "x", actions: [] });

  const summary = ActionTestKit.create(cartSummary);
  // @ts-expect-error: itemAdded is unary, not server-streamed
  await summary.callStreamedOut("itemAdded", {});
  const model = ActionTestKit.create(actionTckModel);
  await model.callStreamedOut("processStreamedOut", { groups: [] });
  // @ts-expect-error: processStreamedOut is server-streamed, not unary
  await model.call("processStreamedOut", { groups: [] });

  const presence = await CrdtTestKit.create(presenceEntity(presenceHandlers));
  await presence.subscribe("monitor", { userId: "u" });
  void [types, quantity, items];
}
