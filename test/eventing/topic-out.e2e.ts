/**
 * Topic output, behind the real proxy with eventing pointed at Google's Pub/Sub fake. The released 0.6.0 proxy
 * fails every publication (`Unsupported field: Year`, pinned here so we learn if it changes); with the fixes
 * artifact, an action's answers to topic messages, and the cart summary's answers to every event of the shopping
 * cart's event log, are published and read back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActionAnswer, ServableEntity } from "cloudstate-ts";
import { Greeting, Shouted, ShouterDefinition } from "../../examples/eventing/gen/com/example/eventing/greetings.js";
import { shouterAction } from "../../examples/eventing/gen/com/example/eventing/greetings_cloudstate.js";
import { shouterHandlers } from "../../examples/eventing/src/greetings.js";
import { ShoppingCartDefinition } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { CartChanged } from "../../examples/shopping-cart/gen/com/example/shoppingcart/summary.js";
import { cartSummaryAction } from "../../examples/shopping-cart/gen/com/example/shoppingcart/summary_cloudstate.js";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { cartSummaryHandlers } from "../../examples/shopping-cart/src/summary.js";
import { CloudstateTestEnvironment, pubsubEventing } from "cloudstate-ts-devkit";
import { FlowTally, recordFlow } from "./flows.js";
import { PubsubClient, type ReceivedMessage } from "./pubsub-client.js";
import { startPubsubFake, type PubsubFake } from "./pubsub-fake.js";

const PROJECT = "cloudstate-ts-eventing";

function greetingMessage(
  name: string,
  text: string,
  id: string,
): { data: Uint8Array; attributes: Record<string, string> } {
  return {
    data: Greeting.encode(Greeting.create({ name, text })).finish(),
    attributes: {
      "ce-specversion": "1.0",
      "ce-id": id,
      "ce-source": "eventing-test",
      "ce-type": "com.example.eventing.Greeting",
      "Content-Type": "application/protobuf",
    },
  };
}

/** Pulls `subscription` until `done()` or `timeoutMs`, handing over each message; the fake long-polls. */
async function readUntil(
  pubsub: PubsubClient,
  subscription: string,
  onMessage: (message: ReceivedMessage) => void,
  done: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    for (const message of await pubsub.pullAndAck(subscription)) onMessage(message);
  }
}

/** Topics and subscriptions, in manual mode: created before the proxy reads or writes them. */
async function createTopics(pubsub: PubsubClient): Promise<void> {
  for (const topic of ["to-shout", "shouts", "cart-changes"]) await pubsub.createTopic(topic);
  await pubsub.createSubscription("to-shout_shouter", "to-shout");
  // The tests' own readers of the output topics.
  await pubsub.createSubscription("shouts_test", "shouts");
  await pubsub.createSubscription("cart-changes_test", "cart-changes");
}

/** The cart summary, telling `record` of each event it answers (the cart's user from the CloudEvent subject). */
function recordingSummary(record: (userId: string, answer: ActionAnswer<CartChanged>) => void): ServableEntity {
  return cartSummaryAction({
    async itemAdded(event, context) {
      const answer = await cartSummaryHandlers.itemAdded(event, context);
      record(context.metadata.cloudEvent.subject ?? "", answer);
      return answer;
    },
    async itemRemoved(event, context) {
      const answer = await cartSummaryHandlers.itemRemoved(event, context);
      record(context.metadata.cloudEvent.subject ?? "", answer);
      return answer;
    },
  });
}

describe("topic output on the released proxy", () => {
  let fake: PubsubFake;
  let env: CloudstateTestEnvironment;

  before(async () => {
    fake = await startPubsubFake((line) => console.log(line));
    const pubsub = new PubsubClient(fake.address, PROJECT);
    await createTopics(pubsub);
    pubsub.close();
    env = await CloudstateTestEnvironment.start({
      entities: [shouterAction(shouterHandlers)],
      ...pubsubEventing({ host: fake.host, port: fake.port, projectId: PROJECT }),
    });
  });

  after(async () => {
    await env?.stop();
    await fake?.stop();
  });

  it("fails every publication with `Unsupported field: Year` (a proxy defect; fixed by the fixes artifact)", async () => {
    const changed = "the released proxy publishes now: update docs/eventing.md and docs/entity-kinds.md";
    // gRPC clients get no more than UNKNOWN: Stream failed ...
    const shouter = env.client(ShouterDefinition);
    await assert.rejects(
      shouter.shout({ name: "ada", text: "hello" }),
      (error: Error) => {
        assert.match(error.message, /UNKNOWN: Stream failed/, changed);
        return true;
      },
      changed,
    );
    // ... HTTP clients the cause, as the 500's text.
    const response = await fetch(`http://${env.address}/shout`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "ada", text: "hello" }),
    });
    assert.equal(response.status, 500, changed);
    assert.equal(await response.text(), "Unsupported field: Year", changed);
  });
});

describe("topic output with the fixes artifact", () => {
  let fake: PubsubFake;
  let pubsub: PubsubClient;
  let env: CloudstateTestEnvironment;
  /** Each cart's events as the summary saw them, in order. */
  const summarised = new Map<string, ActionAnswer<CartChanged>[]>();

  before(async () => {
    fake = await startPubsubFake((line) => console.log(line));
    pubsub = new PubsubClient(fake.address, PROJECT);
    await createTopics(pubsub);
    const summary = recordingSummary((user, answer) => summarised.set(user, [...(summarised.get(user) ?? []), answer]));
    env = await CloudstateTestEnvironment.start({
      entities: [shouterAction(shouterHandlers), shoppingCart, summary],
      fixes: true,
      ...pubsubEventing({ host: fake.host, port: fake.port, projectId: PROJECT }),
    });
  });

  after(async () => {
    pubsub?.close();
    await env?.stop();
    await fake?.stop();
  });

  it("publishes an action's answers to topic messages to its output topic", async (t) => {
    const tally = new FlowTally("topic -> action -> topic");
    const shouts: Shouted[] = [];
    const messages = Array.from({ length: 20 }, (_, i) => {
      tally.emitted(`greeting-${i}`);
      return greetingMessage(`name-${i}`, `hello ${i}`, `greeting-${i}`);
    });
    await pubsub.publish("to-shout", messages);
    await readUntil(
      pubsub,
      "shouts_test",
      (message) => {
        const shout = Shouted.decode(message.data);
        shouts.push(shout);
        tally.arrived(shout.greetingId, message.publishTimeMs);
        // The answer's CloudEvent: its protobuf type, the action as source.
        assert.equal(message.attributes["ce-type"], "com.example.eventing.Shouted");
        assert.equal(message.attributes["ce-datacontenttype"], "application/protobuf");
        assert.equal(message.attributes["ce-source"], "com.example.eventing.Shouter");
      },
      () => tally.missing.length === 0,
      60_000,
    );
    const report = recordFlow(tally, (line) => t.diagnostic(line));
    assert.equal(report.lost, 0, `missing: ${tally.missing.join(", ")}\n${env.proxy.process.tail(20)}`);
    assert.deepEqual(tally.unexpected, []);
    const first = shouts.find((s) => s.greetingId === "greeting-3");
    assert.deepEqual({ name: first?.name, text: first?.text }, { name: "name-3", text: "HELLO 3" });
  });

  it("publishes the answer of a publishing rpc called directly", async () => {
    const shouter = env.client(ShouterDefinition);
    const answer = await shouter.shout({ name: "direct", text: "called directly" });
    assert.equal(answer.text, "CALLED DIRECTLY");
    let published: Shouted | undefined;
    await readUntil(
      pubsub,
      "shouts_test",
      (message) => {
        const shout = Shouted.decode(message.data);
        if (shout.name === "direct") published = shout;
      },
      () => published !== undefined,
      30_000,
    );
    assert.equal(published?.text, "CALLED DIRECTLY");
  });

  it("delivers every event of the cart's event log to the summary, in order per cart, and publishes every answer", async (t) => {
    const tally = new FlowTally("event log -> action -> topic");
    const cart = env.client(ShoppingCartDefinition);
    const expected = new Map<string, CartChanged[]>();
    const key = (c: CartChanged): string => `${c.userId}/${c.productId}/${c.removed ? "removed" : c.quantityAdded}`;
    // Three carts, five events each, interleaved: four items added, then the second one removed.
    const users = ["cart-a", "cart-b", "cart-c"];
    for (let step = 0; step < 5; step++) {
      for (const userId of users) {
        const change =
          step < 4
            ? CartChanged.create({ userId, productId: `product-${step}`, quantityAdded: step + 1, removed: false })
            : CartChanged.create({ userId, productId: "product-1", quantityAdded: 0, removed: true });
        // Emitted when the command is sent (its event is journalled before the reply): latency includes the call.
        tally.emitted(key(change));
        if (step < 4)
          await cart.addItem({ userId, productId: change.productId, name: `Product ${step}`, quantity: step + 1 });
        else await cart.removeItem({ userId, productId: change.productId });
        const list = expected.get(userId) ?? [];
        list.push(change);
        expected.set(userId, list);
      }
    }
    await readUntil(
      pubsub,
      "cart-changes_test",
      (message) => {
        const change = CartChanged.decode(message.data);
        tally.arrived(key(change), message.publishTimeMs);
        assert.equal(message.attributes["ce-type"], "com.example.shoppingcart.CartChanged");
      },
      () => tally.missing.length === 0,
      90_000,
    );
    const report = recordFlow(tally, (line) => t.diagnostic(line));
    assert.equal(report.lost, 0, `missing: ${tally.missing.join(", ")}\n${env.proxy.process.tail(20)}`);
    assert.deepEqual(tally.unexpected, []);
    // The summary saw each cart's events in the order the cart emitted them (duplicates would repeat an entry).
    for (const [userId, changes] of expected) {
      const fields = (c: CartChanged): string => `${c.userId} ${c.productId} ${c.quantityAdded} ${c.removed}`;
      const saw = (summarised.get(userId) ?? []).map((a) => fields(a as CartChanged));
      assert.deepEqual(saw, changes.map(fields), `cart ${userId}`);
    }
  });
  it("fails the subscription when a publishing rpc answers a failure; later messages are still published", async (t) => {
    const since = env.proxyLog.length;
    const ct = { "Content-Type": "application/protobuf; proto=com.example.eventing.Greeting" };
    // Undecodable: the user function answers a failure, which the proxy cannot publish.
    await pubsub.publish("to-shout", [{ data: Uint8Array.from([0x0a, 0x64, 0x01]), attributes: ct }]);
    const failure = await env.proxy.process.waitFor(
      /Restarting graph due to failure[^\n]*\n(java\.lang\.IllegalStateException: Reply from router did not have a reply client action[^\n]{0,160})/,
      60_000,
      since,
    );
    t.diagnostic(`the proxy logged: ${failure[1]}`);
    assert.match(
      env.userFunctionLog,
      /Shouter\.Shout rejected: payload of type com\.example\.eventing\.Greeting does not decode/,
    );
    await pubsub.publish("to-shout", [greetingMessage("behind", "behind the bad one", "behind-bad")]);
    let published = false;
    await readUntil(
      pubsub,
      "shouts_test",
      (message) => {
        if (Shouted.decode(message.data).greetingId === "behind-bad") published = true;
      },
      () => published,
      60_000,
    );
    assert.ok(published, `the message behind the bad one was not published\n${env.proxy.process.tail(20)}`);
  });
});
