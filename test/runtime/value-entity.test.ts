/**
 * Value entity protocol tests over real gRPC: a cart kept as a whole state (the shopping cart's service and
 * messages, wired by hand with defineValueEntity), driven as the proxy would drive it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Long from "long";
import type { ValueEntityStreamIn, ValueEntityStreamOut } from "../../gen/cloudstate/value_entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import {
  defineValueEntity,
  methodOf,
  packMessage,
  unpackMessage,
  type ValueEntityCommandContext,
} from "../../runtime/index.js";
import { memoryLogger, startHarness, type TestHarness } from "../support/harness.js";
import {
  type AddLineItem,
  Cart as ReplyCart,
  GetShoppingCart,
  type RemoveLineItem,
  ShoppingCartDefinition,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { Cart } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import { addItem, getCart, removeItem, SERVICE } from "../support/cart-messages.js";

type Context = ValueEntityCommandContext<Cart>;
const methods = ShoppingCartDefinition.methods;

const valueCart = defineValueEntity<Cart>({
  service: ShoppingCartDefinition,
  descriptorSet: new Uint8Array(),
  persistenceId: "value-cart",
  state: Cart,
  initialState: () => Cart.create(),
  commands: {
    AddItem: {
      method: methods.addItem,
      handle(raw, context: Context) {
        const command = raw as AddLineItem;
        if (command.productId === "throw") throw new Error("internal detail");
        if (command.quantity <= 0) context.fail(`Cannot add a quantity of ${command.quantity}`);
        if (command.productId === "clear") {
          context.deleteState();
          return {};
        }
        const items = context.state.items.filter((i) => i.productId !== command.productId);
        const quantity =
          (context.state.items.find((i) => i.productId === command.productId)?.quantity ?? 0) + command.quantity;
        context.updateState({ items: [...items, { productId: command.productId, name: command.name, quantity }] });
        if (command.productId === "update-then-fail") context.fail("changed my mind");
        if (command.productId === "forward")
          return context.forward(methodOf(ShoppingCartDefinition, "getCart"), { userId: command.userId });
        return {};
      },
    },
    RemoveItem: {
      method: methods.removeItem,
      handle(raw, context: Context) {
        const command = raw as RemoveLineItem;
        context.effect(methodOf(ShoppingCartDefinition, "getCart"), { userId: command.userId });
        return {};
      },
    },
    GetCart: {
      method: methods.getCart,
      handle: (_raw, context: Context) => ({
        items: context.state.items.map((i) => ({ productId: i.productId, name: i.name, quantity: i.quantity })),
      }),
    },
  },
});

type In = DeepPartial<ValueEntityStreamIn>;
/** The event-sourced builders' commands, re-wrapped: both protocols carry the same Command message. */
function asValue(m: ReturnType<typeof addItem>): In {
  const message = m.message;
  if (message?.$case !== "command") throw new Error("not a command");
  return { message: { $case: "command", value: message.value ?? {} } };
}

function init(entityId: string, items?: [string, number][]): In {
  return {
    message: {
      $case: "init",
      value: {
        serviceName: SERVICE,
        entityId,
        state:
          items === undefined
            ? undefined
            : {
                value: packMessage(Cart, {
                  items: items.map(([productId, quantity]) => ({ productId, name: productId, quantity })),
                }),
              },
      },
    },
  };
}

function reply(out: ValueEntityStreamOut, id: number) {
  assert.equal(out.message?.$case, "reply", JSON.stringify(out));
  const value = out.message?.$case === "reply" ? out.message.value : undefined;
  assert.equal(value?.commandId.toNumber(), id);
  return value;
}

function stored(out: ValueEntityStreamOut, id: number): [string, number][] | "deleted" | undefined {
  const action = reply(out, id)?.stateAction?.action;
  if (action === undefined) return undefined;
  if (action.$case === "delete") return "deleted";
  return unpackMessage(Cart, action.value.value).items.map((i) => [i.productId, i.quantity]);
}

function replied(out: ValueEntityStreamOut, id: number): [string, number][] {
  const action = reply(out, id)?.clientAction?.action;
  assert.equal(action?.$case, "reply");
  return unpackMessage(ReplyCart, action?.$case === "reply" ? action.value.payload : undefined).items.map((i) => [
    i.productId,
    i.quantity,
  ]);
}

function failure(out: ValueEntityStreamOut, id: number): string {
  const value = reply(out, id);
  assert.equal(value?.stateAction, undefined, "a failed command changes no state");
  assert.equal(value?.sideEffects.length, 0);
  const action = value?.clientAction?.action;
  assert.equal(action?.$case, "failure");
  return action?.$case === "failure" ? action.value.description : "";
}

describe("value entity protocol", () => {
  let harness: TestHarness;
  before(async () => {
    harness = await startHarness([valueCart], memoryLogger());
  });
  after(async () => harness.close());

  it("is reported at discovery as a value entity", async () => {
    const spec = await harness.discovery.discover({ supportedEntityTypes: ["cloudstate.valueentity.ValueEntity"] });
    assert.deepEqual(
      spec.entities.map((e) => [e.entityType, e.serviceName, e.persistenceId]),
      [["cloudstate.valueentity.ValueEntity", SERVICE, "value-cart"]],
    );
  });

  it("starts empty, stores each update, and serves the state", async () => {
    const stream = harness.openValueEntity();
    stream.send(init("v1"));
    stream.send(asValue(getCart(1, "v1")));
    assert.deepEqual(replied(await stream.next(), 1), []);
    stream.send(asValue(addItem(2, "v1", "apple", 2)));
    assert.deepEqual(stored(await stream.next(), 2), [["apple", 2]]);
    stream.send(asValue(addItem(3, "v1", "apple", 1)));
    assert.deepEqual(stored(await stream.next(), 3), [["apple", 3]]);
    stream.send(asValue(getCart(4, "v1")));
    const out = await stream.next();
    assert.deepEqual(replied(out, 4), [["apple", 3]]);
    assert.equal(stored(out, 4), undefined, "a read stores nothing");
    stream.close();
  });

  it("starts from the stored state", async () => {
    const stream = harness.openValueEntity();
    stream.send(init("v2", [["pear", 4]]));
    stream.send(asValue(getCart(1, "v2")));
    assert.deepEqual(replied(await stream.next(), 1), [["pear", 4]]);
    stream.close();
  });

  it("deletes the state", async () => {
    const stream = harness.openValueEntity();
    stream.send(init("v3", [["pear", 4]]));
    stream.send(asValue(addItem(1, "v3", "clear", 1)));
    assert.equal(stored(await stream.next(), 1), "deleted");
    stream.send(asValue(getCart(2, "v3")));
    assert.deepEqual(replied(await stream.next(), 2), []);
    stream.close();
  });

  it("keeps nothing of a command that fails after updating, and answers a throw safely", async () => {
    const stream = harness.openValueEntity();
    stream.send(init("v4", [["pear", 1]]));
    stream.send(asValue(addItem(1, "v4", "update-then-fail", 1)));
    assert.equal(failure(await stream.next(), 1), "changed my mind");
    stream.send(asValue(addItem(2, "v4", "apple", 0)));
    assert.equal(failure(await stream.next(), 2), "Cannot add a quantity of 0");
    stream.send(asValue(addItem(3, "v4", "throw", 1)));
    assert.equal(failure(await stream.next(), 3), "Unexpected error while handling command AddItem");
    stream.send(asValue(getCart(4, "v4")));
    assert.deepEqual(replied(await stream.next(), 4), [["pear", 1]]);
    stream.close();
  });

  it("carries forwards and side effects, with the state change", async () => {
    const stream = harness.openValueEntity();
    stream.send(init("v5"));
    stream.send(asValue(addItem(1, "v5", "forward", 1)));
    const out = await stream.next();
    assert.equal(reply(out, 1)?.clientAction?.action?.$case, "forward");
    assert.deepEqual(stored(out, 1), [["forward", 1]]);
    stream.send(asValue(removeItem(2, "v5", "x")));
    const effects = reply(await stream.next(), 2)?.sideEffects.map((e) => [e.serviceName, e.commandName]);
    assert.deepEqual(effects, [[SERVICE, "GetCart"]]);
    stream.close();
  });

  it("answers bad commands with failures and ends on protocol errors", async () => {
    const stream = harness.openValueEntity();
    stream.send(init("v6"));
    stream.send({
      message: {
        $case: "command",
        value: {
          id: Long.fromNumber(1),
          entityId: "v6",
          name: "Nope",
          payload: packMessage(GetShoppingCart, { userId: "v6" }),
        },
      },
    });
    assert.match(failure(await stream.next(), 1), /Unknown command Nope/);
    stream.send({
      message: {
        $case: "command",
        value: { id: Long.fromNumber(2), entityId: "v6", name: "GetCart", payload: packMessage(Cart, { items: [] }) },
      },
    });
    assert.match(
      failure(await stream.next(), 2),
      /Bad request for GetCart: expected a com\.example\.shoppingcart\.GetShoppingCart payload/,
    );
    stream.send(init("v6"));
    const end = await stream.next();
    assert.equal(end.message?.$case, "failure");
    await stream.end();

    const early = harness.openValueEntity();
    early.send(asValue(getCart(9, "v7")));
    assert.match(failure(await early.next(), 9), /before init/);
    await early.end();
  });
});
