/**
 * Protocol tests: an event handler that throws during `emit` (after changing the state in place through a
 * cast) must leave nothing half-applied, even when the command handler catches the exception and goes on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { memoryLogger, startHarness, type TestHarness } from "../support/harness.js";
import { shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import type { Cart } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import { ItemAdded } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import { addItem, added, getCart, init } from "../support/cart-messages.js";
import { events, expectCommandFailure, expectReply, replyCart, snapshotItems } from "../support/expect.js";

function itemAdded(productId: string) {
  return ItemAdded.create({ item: { productId, name: productId, quantity: 1 } });
}

/** Every exception the command handlers below caught, so the tests can see that they did catch. */
const caught: unknown[] = [];

/** The cart, with an event handler that vandalises its state and throws for the product "poison". */
const fragileCart = shoppingCartEntity(
  {
    ...shoppingCartHandlers,
    onItemAdded(state, event) {
      if (event.item?.productId === "poison") {
        // What the read-only types forbid, done anyway: change the state in place, then fail.
        const writable = state as Cart;
        for (const item of writable.items) item.quantity += 100;
        writable.items.push({ ...event.item, $type: "com.example.shoppingcart.persistence.LineItem" });
        throw new RangeError("secret event handler detail");
      }
      return shoppingCartHandlers.onItemAdded(state, event);
    },
    addItem(command, context) {
      if (command.productId === "catch-poison" || command.productId === "good-then-catch-poison") {
        if (command.productId === "good-then-catch-poison") context.emit(itemAdded("good"));
        try {
          context.emit(itemAdded("poison"));
        } catch (error) {
          caught.push(error);
        }
        try {
          // The command is already doomed: a further emit is refused.
          context.emit(itemAdded("after"));
        } catch (error) {
          caught.push(error);
        }
        return {};
      }
      return shoppingCartHandlers.addItem(command, context);
    },
  },
  { persistenceId: "fragile", snapshotEvery: 2 },
);

describe("event-sourced protocol, an event handler that throws during emit", () => {
  let harness: TestHarness;
  const logger = memoryLogger();
  before(async () => {
    harness = await startHarness([fragileCart], logger);
  });
  after(async () => harness.close());

  for (const product of ["catch-poison", "good-then-catch-poison"]) {
    it(`fails the command (${product}) even though its handler caught, keeping state, sequence and journal`, async () => {
      caught.length = 0;
      const user = `fragile-${product}`;
      const stream = harness.openEventSourced();
      stream.send(init(user));
      stream.send(added(1, "a", 1));
      stream.send(addItem(1, user, product, 1));

      const failure = expectCommandFailure(await stream.next(), 1);
      assert.equal(failure.description, "Unexpected error while handling command AddItem");
      assert.equal(failure.events, 0);
      // The handler really did catch both the event handler's error and the refused emit.
      assert.equal(caught.length, 2);
      assert.ok(caught[0] instanceof RangeError);
      assert.match((caught[1] as Error).message, /after an event handler threw/);
      const logged = logger.lines.find(
        (l) => l.level === "error" && l.message.includes(`an event handler threw during command AddItem`),
      );
      assert.ok(logged?.detail instanceof RangeError);
      assert.match(logged.detail.message, /secret event handler detail/);

      // The next command sees the state from before: no vandalised quantities, no poison, no "good".
      stream.send(getCart(2, user));
      assert.deepEqual(replyCart(await stream.next(), 2), [["a", 1]]);
      // The sequence did not move: the next event is number 2, which takes the snapshot (every 2).
      stream.send(addItem(3, user, "b", 1));
      const reply = expectReply(await stream.next(), 3);
      assert.deepEqual(events(reply), ["+b:1"]);
      assert.deepEqual(snapshotItems(reply), [
        ["a", 1],
        ["b", 1],
      ]);
      stream.close();
    });
  }
});
