/**
 * Protocol tests: a client plays the proxy over a real gRPC connection to the runtime serving the shopping cart
 * (and variants of its handlers), and checks every answer.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FileDescriptorSet } from "ts-proto-descriptors";
import Long from "long";
import { memoryLogger, startHarness, type TestHarness } from "../support/harness.js";
import { methodOf, packMessage, LIBRARY_VERSION } from "../../runtime/index.js";
import { LIBRARY_NAME, PROTOCOL_VERSION } from "../../runtime/version.js";
import { shoppingCartHandlers, shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import {
  AddLineItem,
  GetShoppingCart,
  ShoppingCartDefinition,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { ItemAdded } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import { Any } from "../../gen/google/protobuf/any.js";
import { addItem, added, command, getCart, init, removed, removeItem, SERVICE } from "../support/cart-messages.js";
import {
  events,
  expectCommandFailure,
  expectForward,
  expectReply,
  expectStreamFailure,
  replyCart,
  snapshotItems,
} from "../support/expect.js";

const OTHER_SERVICE = "com.example.shoppingcart.OtherCart";

/** The cart with handlers that exercise forwards, side effects, throwing and emit-then-fail. */
const variantCart = shoppingCartEntity(
  {
    ...shoppingCartHandlers,
    addItem(command, context) {
      if (command.productId === "forward") {
        return context.forward(methodOf(ShoppingCartDefinition, "getCart"), { userId: command.userId });
      }
      if (command.productId === "effects") {
        context.effect(methodOf(ShoppingCartDefinition, "getCart"), { userId: "a" });
        context.effect(
          methodOf(ShoppingCartDefinition, "removeItem"),
          { userId: "b", productId: "x" },
          { synchronous: true },
        );
        return {};
      }
      if (command.productId === "throw") throw new TypeError("secret internal detail");
      if (command.productId === "emit-then-fail") {
        context.emit(ItemAdded.create({ item: { productId: "ghost", name: "ghost", quantity: 1 } }));
        context.effect(methodOf(ShoppingCartDefinition, "getCart"), { userId: "a" });
        context.fail("changed my mind");
      }
      if (command.productId === "count-after-emit") {
        context.emit({
          $type: "com.example.shoppingcart.persistence.ItemAdded",
          item: { productId: "p", name: "p", quantity: 2 },
        });
        const seen = context.state.items.find((item) => item.productId === "p")?.quantity ?? 0;
        return context.forward(methodOf(ShoppingCartDefinition, "addItem"), {
          userId: command.userId,
          productId: `seen-${seen}`,
          name: "",
          quantity: context.sequence,
        });
      }
      return shoppingCartHandlers.addItem(command, context);
    },
  },
  { persistenceId: "variant", snapshotEvery: 3, passivationTimeoutMs: 30000 },
);

/** What the proxy says of itself at discovery. */
function proxyInfo(supportedEntityTypes: string[]) {
  return {
    protocolMajorVersion: 0,
    protocolMinorVersion: 2,
    proxyName: "test",
    proxyVersion: "0",
    supportedEntityTypes,
  };
}

describe("event-sourced protocol, shopping cart", () => {
  let harness: TestHarness;
  const logger = memoryLogger();
  before(async () => {
    harness = await startHarness([shoppingCart], logger);
  });
  after(async () => harness.close());

  it("answers discovery with protocol 0.2, the entity and a complete descriptor set", async () => {
    const spec = await harness.discovery.discover(proxyInfo(["cloudstate.eventsourced.EventSourced"]));
    assert.equal(spec.serviceInfo?.protocolMajorVersion, PROTOCOL_VERSION.major);
    assert.equal(spec.serviceInfo?.protocolMinorVersion, 2);
    assert.equal(spec.serviceInfo?.supportLibraryName, LIBRARY_NAME);
    assert.equal(spec.serviceInfo?.supportLibraryVersion, LIBRARY_VERSION);
    assert.match(spec.serviceInfo?.serviceRuntime ?? "", /^Node\.js v\d+/);
    assert.deepEqual(
      spec.entities.map((e) => [e.entityType, e.serviceName, e.persistenceId, e.passivationStrategy]),
      [["cloudstate.eventsourced.EventSourced", SERVICE, "shopping-cart", undefined]],
    );
    const files = FileDescriptorSet.decode(spec.proto).file;
    const names = files.map((f) => f.name);
    for (const needed of [
      "com/example/shoppingcart/shoppingcart.proto",
      "google/api/annotations.proto",
      "google/api/http.proto",
      "google/protobuf/descriptor.proto",
      "google/protobuf/empty.proto",
      "cloudstate/entity_key.proto",
    ]) {
      assert.ok(names.includes(needed), `${needed} is in the descriptor set`);
    }
    // Every file comes after the files it imports, and the HTTP bindings survive.
    for (const [i, file] of files.entries()) {
      for (const dependency of file.dependency)
        assert.ok(names.indexOf(dependency) < i, `${dependency} before ${file.name}`);
    }
    assert.ok(Buffer.from(spec.proto).includes(Buffer.from("/cart/{user_id}/items/add")));
  });

  it("logs what the proxy reports through reportError, in its words", async () => {
    await harness.discovery.reportError({ message: "Forward to unknown service foo.Bar" });
    assert.ok(
      logger.lines.some((l) => l.level === "error" && l.message.includes("Forward to unknown service foo.Bar")),
    );
  });

  it("serves an empty cart to a new entity", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("empty"));
    stream.send(getCart(1, "empty"));
    assert.deepEqual(replyCart(await stream.next(), 1), []);
    stream.close();
    await stream.end();
  });

  it("emits events, applies them at once, and serves the new state", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("u1"));
    stream.send(addItem(1, "u1", "apple", 2));
    const reply = expectReply(await stream.next(), 1);
    assert.deepEqual(events(reply), ["+apple:2"]);
    assert.equal(reply.clientAction?.action?.$case, "reply");
    stream.send(addItem(2, "u1", "apple", 3));
    assert.deepEqual(events(expectReply(await stream.next(), 2)), ["+apple:3"]);
    stream.send(removeItem(3, "u1", "apple"));
    assert.deepEqual(events(expectReply(await stream.next(), 3)), ["-apple"]);
    stream.send(addItem(4, "u1", "pear", 1));
    await stream.next();
    stream.send(getCart(5, "u1"));
    assert.deepEqual(replyCart(await stream.next(), 5), [["pear", 1]]);
    stream.close();
  });

  it("starts from a snapshot and replays the events after it", async () => {
    const stream = harness.openEventSourced();
    stream.send(
      init("u2", {
        sequence: 4,
        items: [
          ["apple", 1],
          ["pear", 2],
        ],
      }),
    );
    stream.send(added(5, "apple", 4));
    stream.send(removed(6, "pear"));
    stream.send(added(7, "fig", 1));
    stream.send(getCart(1, "u2"));
    assert.deepEqual(replyCart(await stream.next(), 1), [
      ["apple", 5],
      ["fig", 1],
    ]);
    stream.close();
  });

  it("replays events without a snapshot", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("u3"));
    stream.send(added(1, "apple", 1));
    stream.send(added(2, "apple", 1));
    stream.send(getCart(1, "u3"));
    assert.deepEqual(replyCart(await stream.next(), 1), [["apple", 2]]);
    stream.close();
  });

  it("fails a non-positive quantity and removing an absent item, keeping no events", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("u4"));
    stream.send(addItem(1, "u4", "apple", 0));
    const failure = expectCommandFailure(await stream.next(), 1);
    assert.equal(failure.description, "Cannot add a quantity of 0 of apple");
    assert.equal(failure.events, 0);
    stream.send(removeItem(2, "u4", "kiwi"));
    assert.equal(
      expectCommandFailure(await stream.next(), 2).description,
      "Cannot remove item kiwi: it is not in the cart",
    );
    stream.send(getCart(3, "u4"));
    assert.deepEqual(replyCart(await stream.next(), 3), []);
    stream.close();
  });

  it("takes a snapshot whenever the sequence crosses a multiple of snapshot_every (5 in the proto)", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("u5", { sequence: 3, items: [["a", 1]] }));
    stream.send(added(4, "a", 1));
    const snapshots: ([string, number][] | undefined)[] = [];
    for (let id = 1; id <= 7; id++) {
      stream.send(addItem(id, "u5", "a", 1));
      snapshots.push(snapshotItems(expectReply(await stream.next(), id)));
    }
    // Sequence 4 before; commands bring it to 5..11: snapshots at 5 and 10.
    assert.deepEqual(snapshots, [[["a", 3]], undefined, undefined, undefined, undefined, [["a", 8]], undefined]);
    stream.close();
  });

  it("answers an unknown command with a failure and keeps serving", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("u6"));
    stream.send(command(1, "u6", "Checkout", packMessage(GetShoppingCart, { userId: "u6" })));
    assert.equal(expectCommandFailure(await stream.next(), 1).description, `Unknown command Checkout on ${SERVICE}`);
    stream.send(getCart(2, "u6"));
    assert.deepEqual(replyCart(await stream.next(), 2), []);
    stream.close();
  });

  it("answers undecodable and wrongly-typed payloads with a failure naming the types", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("u7"));
    const garbage = Any.fromPartial({
      typeUrl: "type.googleapis.com/com.example.shoppingcart.AddLineItem",
      value: Buffer.from([0x0a, 0xff, 0xff, 0xff]),
    });
    stream.send(command(1, "u7", "AddItem", garbage));
    assert.match(
      expectCommandFailure(await stream.next(), 1).description,
      /^Bad request for AddItem: payload of type com\.example\.shoppingcart\.AddLineItem does not decode/,
    );
    stream.send(command(2, "u7", "AddItem", packMessage(GetShoppingCart, { userId: "u7" })));
    assert.equal(
      expectCommandFailure(await stream.next(), 2).description,
      "Bad request for AddItem: expected a com.example.shoppingcart.AddLineItem payload but got type.googleapis.com/com.example.shoppingcart.GetShoppingCart",
    );
    stream.send(command(3, "u7", "AddItem", undefined));
    assert.match(expectCommandFailure(await stream.next(), 3).description, /carried none/);
    stream.send(addItem(4, "u7", "ok", 1));
    assert.deepEqual(events(expectReply(await stream.next(), 4)), ["+ok:1"]);
    stream.close();
  });

  it("fails a command addressed to another entity", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("u8"));
    stream.send(addItem(1, "someone-else", "apple", 1));
    assert.match(expectCommandFailure(await stream.next(), 1).description, /sent to entity u8/);
    stream.close();
  });

  it("ends the stream after a command that arrives before init", async () => {
    const stream = harness.openEventSourced();
    stream.send(getCart(7, "u9"));
    assert.match(expectCommandFailure(await stream.next(), 7).description, /before init/);
    await stream.end();
  });

  it("ends the stream with a failure after a second init", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("u10"));
    stream.send(init("u10"));
    assert.match(expectStreamFailure(await stream.next()).description, /second init/);
    await stream.end();
  });

  it("ends the stream for an unknown service, an unknown event type, and out-of-order events", async () => {
    const unknownService = harness.openEventSourced();
    unknownService.send({ message: { $case: "init", value: { serviceName: OTHER_SERVICE, entityId: "x" } } });
    assert.match(
      expectStreamFailure(await unknownService.next()).description,
      new RegExp(`no event-sourced entity serves ${OTHER_SERVICE}`),
    );
    await unknownService.end();

    const badEvent = harness.openEventSourced();
    badEvent.send(init("u11"));
    badEvent.send({
      message: {
        $case: "event",
        value: {
          sequence: 1,
          payload: packMessage(AddLineItem, { userId: "x", productId: "y", name: "", quantity: 1 }),
        },
      },
    });
    assert.match(
      expectStreamFailure(await badEvent.next()).description,
      /unknown type type\.googleapis\.com\/com\.example\.shoppingcart\.AddLineItem/,
    );
    await badEvent.end();

    const outOfOrder = harness.openEventSourced();
    outOfOrder.send(init("u12"));
    outOfOrder.send(added(2, "a", 1));
    outOfOrder.send(added(2, "a", 1));
    assert.match(expectStreamFailure(await outOfOrder.next()).description, /sequence 2 does not follow 2/);
    await outOfOrder.end();

    const empty = harness.openEventSourced();
    empty.send({});
    assert.match(expectStreamFailure(await empty.next()).description, /carried nothing/);
    await empty.end();
  });

  it("keeps other entities' streams working while one fails", async () => {
    const healthy = harness.openEventSourced();
    healthy.send(init("h1"));
    healthy.send(addItem(1, "h1", "apple", 1));
    await healthy.next();
    const broken = harness.openEventSourced();
    broken.send(init("b1"));
    broken.send(init("b1"));
    expectStreamFailure(await broken.next());
    healthy.send(getCart(2, "h1"));
    assert.deepEqual(replyCart(await healthy.next(), 2), [["apple", 1]]);
    healthy.close();
  });
});

describe("event-sourced protocol, context features", () => {
  let harness: TestHarness;
  const logger = memoryLogger();
  before(async () => {
    harness = await startHarness([variantCart], logger);
  });
  after(async () => harness.close());

  it("reports the configured passivation timeout and persistence id", async () => {
    const spec = await harness.discovery.discover(proxyInfo([]));
    const entity = spec.entities[0];
    assert.equal(entity?.persistenceId, "variant");
    assert.equal(entity?.passivationStrategy?.strategy?.$case, "timeout");
    assert.equal(entity?.passivationStrategy?.strategy?.value.timeout.toNumber(), 30000);
    assert.ok(
      logger.lines.some(
        (l) => l.level === "error" && l.message.includes("does not support cloudstate.eventsourced.EventSourced"),
      ),
    );
  });

  it("puts a forward in the reply", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("f1"));
    stream.send(addItem(1, "f1", "forward", 1));
    const forward = expectForward(await stream.next(), 1);
    assert.equal(forward.serviceName, SERVICE);
    assert.equal(forward.commandName, "GetCart");
    assert.equal(forward.payload?.typeUrl, "type.googleapis.com/com.example.shoppingcart.GetShoppingCart");
    assert.equal(GetShoppingCart.decode(forward.payload?.value ?? new Uint8Array()).userId, "f1");
    stream.close();
  });

  it("puts side effects in the reply, synchronous or not", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("f2"));
    stream.send(addItem(1, "f2", "effects", 1));
    const reply = expectReply(await stream.next(), 1);
    assert.deepEqual(
      reply.sideEffects.map((e) => [e.serviceName, e.commandName, e.synchronous, e.payload?.typeUrl]),
      [
        [SERVICE, "GetCart", false, "type.googleapis.com/com.example.shoppingcart.GetShoppingCart"],
        [SERVICE, "RemoveItem", true, "type.googleapis.com/com.example.shoppingcart.RemoveLineItem"],
      ],
    );
    stream.close();
  });

  it("shows emitted events in context.state at once and counts the sequence", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("f3"));
    stream.send(added(1, "p", 1));
    stream.send(addItem(1, "f3", "count-after-emit", 1));
    const forward = expectForward(await stream.next(), 1);
    const seen = AddLineItem.decode(forward.payload?.value ?? new Uint8Array());
    assert.equal(seen.productId, "seen-3");
    assert.equal(seen.quantity, 2);
    stream.close();
  });

  it("discards the events, state change and side effects of a command that fails after emitting", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("f4"));
    stream.send(addItem(1, "f4", "emit-then-fail", 1));
    const failure = expectCommandFailure(await stream.next(), 1);
    assert.equal(failure.description, "changed my mind");
    assert.equal(failure.events, 0);
    stream.send(getCart(2, "f4"));
    assert.deepEqual(replyCart(await stream.next(), 2), []);
    // The sequence did not move either: snapshots still come at multiples of 3.
    stream.send(addItem(3, "f4", "a", 1));
    stream.send(addItem(4, "f4", "a", 1));
    await stream.next();
    await stream.next();
    stream.send(addItem(5, "f4", "a", 1));
    assert.deepEqual(snapshotItems(expectReply(await stream.next(), 5)), [["a", 3]]);
    stream.close();
  });

  it("answers a handler that throws with a safe failure, logs the detail, and keeps serving", async () => {
    const stream = harness.openEventSourced();
    stream.send(init("f5"));
    stream.send(addItem(1, "f5", "throw", 1));
    const failure = expectCommandFailure(await stream.next(), 1);
    assert.equal(failure.description, "Unexpected error while handling command AddItem");
    assert.ok(!failure.description.includes("secret"));
    const logged = logger.lines.find((l) => l.level === "error" && l.message.includes("command AddItem on"));
    const detail = logged?.detail;
    assert.ok(detail instanceof TypeError);
    assert.match(detail.stack ?? "", /secret internal detail/);
    stream.send(addItem(2, "f5", "apple", 1));
    assert.deepEqual(events(expectReply(await stream.next(), 2)), ["+apple:1"]);
    stream.close();
  });

  it("rejects negative snapshot sequences at init", async () => {
    const stream = harness.openEventSourced();
    stream.send({
      message: {
        $case: "init",
        value: {
          serviceName: SERVICE,
          entityId: "f6",
          snapshot: {
            snapshotSequence: Long.fromNumber(-1),
            snapshot: packMessage(AddLineItem, { userId: "", productId: "", name: "", quantity: 0 }),
          },
        },
      },
    });
    assert.match(expectStreamFailure(await stream.next()).description, /Failed to initialise/);
    await stream.end();
  });
});
