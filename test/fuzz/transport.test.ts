/**
 * Garbage at the transport level: frames that are not protobuf, sent on EventSourced.handle streams over real
 * gRPC. The call fails, the process keeps serving, and a healthy stream opened before keeps working.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { credentials, makeGenericClientConstructor, type ClientDuplexStream } from "@grpc/grpc-js";
import fc from "fast-check";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { memoryLogger, startHarness } from "../support/harness.js";
import { addItem, getCart, init } from "../support/cart-messages.js";
import { expectReply, replyCart } from "../support/expect.js";

const METHOD = "/cloudstate.eventsourced.EventSourced/handle";

describe("transport-level garbage", () => {
  it("fails only the garbled call; the server and other streams keep working", async (t) => {
    const harness = await startHarness([shoppingCart], memoryLogger());
    const Raw = makeGenericClientConstructor({}, "Raw");
    const raw = new Raw(`127.0.0.1:${harness.port}`, credentials.createInsecure());
    const healthy = harness.openEventSourced();
    healthy.send(init("healthy"));
    let frames = 0;
    let id = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 5 }),
          async (garbage) => {
            const call: ClientDuplexStream<Buffer, Buffer> = raw.makeBidiStreamRequest(
              METHOD,
              (b: Buffer) => b,
              (b: Buffer) => b,
            );
            const ended = new Promise<void>((resolve) => {
              call.on("error", () => resolve());
              call.on("end", () => resolve());
              call.on("data", () => undefined);
            });
            for (const frame of garbage) call.write(Buffer.from(frame));
            frames += garbage.length;
            call.end();
            await ended;
            id++;
            healthy.send(addItem(id, "healthy", "apple", 1));
            expectReply(await healthy.next(), id);
          },
        ),
        { numRuns: 200 },
      );
      healthy.send(getCart(id + 1, "healthy"));
      assert.deepEqual(replyCart(await healthy.next(), id + 1), [["apple", 200]]);
      t.diagnostic(`sent ${frames} random frames on 200 calls; the healthy stream answered all 201 commands`);
    } finally {
      raw.close();
      healthy.close();
      await harness.close();
    }
  });
});
