/**
 * `manage-topics-and-subscriptions = by-proxy`: the proxy creates the topics and its subscriptions itself. The
 * released 0.6.0 proxy subscribes on a topic named after the consumer group instead of the declared one (pinned
 * here so we learn if it changes); with the fixes artifact, the whole flow works with nothing created beforehand
 * but the test's own reader.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CloudstateTestEnvironment, retryUntil, pubsubEventing } from "cloudstate-ts-devkit";
import { Greeting, Shouted } from "../../examples/eventing/gen/com/example/eventing/greetings.js";
import { shouterAction } from "../../examples/eventing/gen/com/example/eventing/greetings_cloudstate.js";
import { shouterHandlers } from "../../examples/eventing/src/greetings.js";
import { FlowTally, recordFlow } from "./flows.js";
import { PubsubClient } from "./pubsub-client.js";
import { startPubsubFake, type PubsubFake } from "./pubsub-fake.js";

const PROJECT = "cloudstate-ts-eventing";

for (const fixes of [false, true]) {
  describe(`by-proxy topics and subscriptions, ${fixes ? "with the fixes artifact" : "released proxy"}`, () => {
    let fake: PubsubFake;
    let pubsub: PubsubClient;
    let env: CloudstateTestEnvironment;

    before(async () => {
      fake = await startPubsubFake((line) => console.log(line));
      pubsub = new PubsubClient(fake.address, PROJECT);
      env = await CloudstateTestEnvironment.start({
        entities: [shouterAction(shouterHandlers)],
        fixes,
        ...pubsubEventing({
          host: fake.host,
          port: fake.port,
          projectId: PROJECT,
          manageTopicsAndSubscriptions: "by-proxy",
        }),
      });
    });

    after(async () => {
      pubsub?.close();
      await env?.stop();
      await fake?.stop();
    });

    if (!fixes) {
      it("subscribes on a topic named after the consumer group, not the declared topic (a proxy defect)", async () => {
        // Pub/Sub tells nobody when a subscription appears: ask until the proxy has made it.
        const topic = await retryUntil(
          "the proxy's subscription to-shout_shouter",
          () => pubsub.subscriptionTopic("to-shout_shouter"),
          60_000,
        );
        assert.equal(
          topic,
          `projects/${PROJECT}/topics/shouter`,
          "the released proxy subscribes on the declared topic now: update docs/eventing.md",
        );
      });
      return;
    }

    it("creates the declared topics and subscribes on the input topic; answers reach the output topic", async (t) => {
      const topic = await retryUntil(
        "the proxy's subscription to-shout_shouter",
        () => pubsub.subscriptionTopic("to-shout_shouter"),
        60_000,
      );
      assert.equal(topic, `projects/${PROJECT}/topics/to-shout`);
      // The output topic is the proxy's too: the test's reader can subscribe once it exists.
      await retryUntil(
        "a subscription on the proxy's shouts topic",
        () => pubsub.createSubscription("shouts_test", "shouts"),
        60_000,
      );
      const tally = new FlowTally("topic -> action -> topic (by-proxy)");
      const messages = Array.from({ length: 10 }, (_, i) => {
        tally.emitted(`by-proxy-${i}`);
        return {
          data: Greeting.encode(Greeting.create({ name: "n", text: `greeting ${i}` })).finish(),
          attributes: {
            "ce-specversion": "1.0",
            "ce-id": `by-proxy-${i}`,
            "ce-type": "com.example.eventing.Greeting",
            "Content-Type": "application/protobuf",
          },
        };
      });
      await pubsub.publish("to-shout", messages);
      const deadline = Date.now() + 60_000;
      while (tally.missing.length > 0 && Date.now() < deadline) {
        for (const message of await pubsub.pullAndAck("shouts_test")) {
          tally.arrived(Shouted.decode(message.data).greetingId, message.publishTimeMs);
        }
      }
      const report = recordFlow(tally, (line) => t.diagnostic(line));
      assert.equal(report.lost, 0, `missing: ${tally.missing.join(", ")}\n${env.proxy.process.tail(20)}`);
      assert.deepEqual(tally.unexpected, []);
    });
  });
}
