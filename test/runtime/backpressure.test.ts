/**
 * Overload: a client writing commands far faster than the entity handles them is held back by gRPC flow control
 * (the stream loop pulls one message at a time), instead of the user function buffering them all in memory.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { credentials, makeGenericClientConstructor } from "@grpc/grpc-js";
import Long from "long";
import { shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import { AddLineItem } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { EventSourcedStreamIn } from "../../gen/cloudstate/event_sourced.js";
import { packMessage } from "../../runtime/any.js";
import { memoryLogger, startHarness } from "../support/harness.js";
import { SERVICE } from "../support/cart-messages.js";

const FRAMES = 3000;

describe("backpressure", () => {
  it("holds a fast writer back to the pace of a slow entity", async (t) => {
    let handled = 0;
    const slowCart = shoppingCartEntity({
      ...shoppingCartHandlers,
      async addItem(command, context) {
        handled++;
        await new Promise((r) => setTimeout(r, 1));
        return shoppingCartHandlers.addItem(command, context);
      },
    });
    const harness = await startHarness([slowCart], memoryLogger());
    const Raw = makeGenericClientConstructor({}, "Raw");
    const client = new Raw(`127.0.0.1:${harness.port}`, credentials.createInsecure());
    const call = client.makeBidiStreamRequest(
      "/cloudstate.eventsourced.EventSourced/handle",
      (b: Buffer) => b,
      (b: Buffer) => b,
    );
    let replies = 0;
    const allReplied = new Promise<void>((resolve) =>
      call.on("data", () => {
        if (++replies === FRAMES) resolve();
      }),
    );
    const encode = (m: Parameters<typeof EventSourcedStreamIn.fromPartial>[0]): Buffer =>
      Buffer.from(EventSourcedStreamIn.encode(EventSourcedStreamIn.fromPartial(m)).finish());
    const name = "x".repeat(2000); // about 2 KB a command: 6 MB in all
    const payload = packMessage(AddLineItem, { userId: "bp", productId: "p", name, quantity: 1 });
    call.write(encode({ message: { $case: "init", value: { serviceName: SERVICE, entityId: "bp" } } }));
    let written = 0;
    let maxAhead = 0;
    let waits = 0;
    for (let id = 1; id <= FRAMES; id++) {
      const frame = encode({
        message: { $case: "command", value: { id: Long.fromNumber(id), entityId: "bp", name: "AddItem", payload } },
      });
      written++;
      maxAhead = Math.max(maxAhead, written - handled);
      if (!call.write(frame)) {
        waits++;
        await new Promise((r) => call.once("drain", r));
      }
    }
    await allReplied;
    call.end();
    client.close();
    await harness.close();
    t.diagnostic(
      `${FRAMES} commands of 2 KB: the writer waited ${waits} times and was at most ${maxAhead} commands ahead`,
    );
    assert.equal(handled, FRAMES);
    assert.ok(waits > 0, "the writer was made to wait");
    assert.ok(maxAhead < FRAMES / 3, `the writer ran ${maxAhead} commands ahead of the entity`);
  });
});
