/**
 * End to end: the cart summary behind the real Cloudstate 0.6.0 proxy in development mode, without a Pub/Sub.
 *
 * The proxy feeds the summary action from the shopping cart's event log (its in-memory journal) and would publish
 * the action's answers to the "cart-changes" topic. The dev-mode proxy without topic support refuses a user
 * function whose rpcs publish to a topic, so topic support is configured but points at a closed loopback port.
 * That checks the event log subscription and the first event reaching the action with its CloudEvent metadata.
 * Publication itself, every event delivered, runs against Google's in-memory Pub/Sub in test/eventing
 * (`npm run test:eventing`, docs/eventing.md).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createChannel, createClient, type Channel } from "nice-grpc";
import { CloudstateServer, type ActionAnswer, type ReadonlyMetadata } from "cloudstate-ts";
import { ShoppingCartDefinition, type ShoppingCartClient } from "../gen/com/example/shoppingcart/shoppingcart.js";
import type { CartChanged } from "../gen/com/example/shoppingcart/summary.js";
import { cartSummaryAction } from "../gen/com/example/shoppingcart/summary_cloudstate.js";
import { shoppingCart } from "../src/cart.js";
import { cartSummaryHandlers } from "../src/summary.js";
import { freePort, startProxy, type ProxyProcess } from "cloudstate-ts-devkit";

/** What the summary action was called with and answered, in order. */
interface Seen {
  readonly metadata: ReadonlyMetadata;
  readonly answer: ActionAnswer<CartChanged>;
}

describe("cart summary behind the real Cloudstate proxy", () => {
  const seen: Seen[] = [];
  /** Told of each call as it is recorded, so waits need no polling. */
  const onSeen = new EventTarget();
  const record = (entry: Seen): void => {
    seen.push(entry);
    onSeen.dispatchEvent(new Event("seen"));
  };
  let server: CloudstateServer;
  let proxy: ProxyProcess;
  let channel: Channel;
  let cart: ShoppingCartClient;

  /** The summary, recording each call: the real handlers, observed. */
  const recordingSummary = cartSummaryAction({
    async itemAdded(event, context) {
      const answer = await cartSummaryHandlers.itemAdded(event, context);
      record({ metadata: context.metadata, answer });
      return answer;
    },
    async itemRemoved(event, context) {
      const answer = await cartSummaryHandlers.itemRemoved(event, context);
      record({ metadata: context.metadata, answer });
      return answer;
    },
  });

  /** Waits until the summary has answered `count` events in all. */
  async function answers(count: number): Promise<Seen[]> {
    if (seen.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          onSeen.removeEventListener("seen", check);
          reject(new Error(`the summary saw ${seen.length} of ${count} events\n${proxy.process.tail()}`));
        }, 60_000);
        const check = (): void => {
          if (seen.length < count) return;
          clearTimeout(timer);
          onSeen.removeEventListener("seen", check);
          resolve();
        };
        onSeen.addEventListener("seen", check);
      });
    }
    return seen.slice(0, count);
  }

  before(async () => {
    server = new CloudstateServer({ entities: [shoppingCart, recordingSummary] });
    const port = await server.start({ host: "127.0.0.1", port: 0 });
    const closedPort = await freePort();
    proxy = await startProxy({
      userFunctionPort: port,
      jvmOptions: [
        "-Dcloudstate.proxy.eventing.support=google-pubsub",
        "-Dcloudstate.proxy.eventing.google-pubsub.host=127.0.0.1",
        `-Dcloudstate.proxy.eventing.google-pubsub.port=${closedPort}`,
        "-Dcloudstate.proxy.eventing.google-pubsub.project-id=cloudstate-ts-e2e",
      ],
    });
    channel = createChannel(`127.0.0.1:${proxy.port}`);
    cart = createClient(ShoppingCartDefinition, channel);
  });

  after(async () => {
    channel?.close();
    await proxy?.stop();
    await server?.shutdown(1000);
  });

  it("summarises a cart event from the event log, with the cart's user from the CloudEvent subject", async () => {
    await cart.addItem({ userId: "summary-1", productId: "apple", name: "Apple", quantity: 2 });
    const [added] = await answers(1);
    assert.deepEqual(added?.answer, { userId: "summary-1", productId: "apple", quantityAdded: 2, removed: false });
    const event = added?.metadata.cloudEvent;
    assert.equal(event?.subject, "summary-1");
    assert.equal(event?.source, "shopping-cart");
    assert.equal(event?.type, "type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded");
  });
});
