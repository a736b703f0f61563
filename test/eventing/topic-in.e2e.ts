/**
 * Topic input on the released Cloudstate 0.6.0 proxy (dev mode), eventing pointed at Google's Pub/Sub fake:
 * messages published to a topic reach an action's rpc and an event-sourced entity's rpc, with their CloudEvent
 * metadata; an undecodable protobuf payload is rejected by the user function and does not stop the messages behind
 * it; a JSON payload never reaches the rpc (a proxy defect, pinned here so we learn if it changes).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Greeting, GreetingCounterDefinition } from "../../examples/eventing/gen/com/example/eventing/greetings.js";
import {
  greetingCounterEntity,
  greetingListenerAction,
} from "../../examples/eventing/gen/com/example/eventing/greetings_cloudstate.js";
import {
  greetingCounterHandlers,
  greetingListenerHandlers,
  type Heard,
} from "../../examples/eventing/src/greetings.js";
import { CloudstateTestEnvironment, pubsubEventing } from "cloudstate-ts-devkit";
import { FlowTally, recordFlow } from "./flows.js";
import { PubsubClient, type OutgoingMessage } from "./pubsub-client.js";
import { startPubsubFake, type PubsubFake } from "./pubsub-fake.js";

const PROJECT = "cloudstate-ts-eventing";
const GREETING_TYPE = "com.example.eventing.Greeting";

function greetingBytes(name: string, text: string): Uint8Array {
  return Greeting.encode(Greeting.create({ name, text })).finish();
}

/** A greeting as a binary-mode CloudEvent: `ce-*` attributes, the protobuf type in `ce-type`. */
function cloudEventGreeting(name: string, text: string, id: string): OutgoingMessage {
  return {
    data: greetingBytes(name, text),
    attributes: {
      "ce-specversion": "1.0",
      "ce-id": id,
      "ce-source": "eventing-test",
      "ce-type": GREETING_TYPE,
      "ce-subject": name,
      "ce-time": "2026-12-01T10:00:00Z",
      "Content-Type": "application/protobuf",
    },
  };
}

/** A greeting with no CloudEvent attributes, typed only by its Content-Type. */
function plainGreeting(name: string, text: string): OutgoingMessage {
  return {
    data: greetingBytes(name, text),
    attributes: { "Content-Type": `application/protobuf; proto=${GREETING_TYPE}` },
  };
}

describe("topic input on the released proxy", () => {
  let fake: PubsubFake;
  let pubsub: PubsubClient;
  let env: CloudstateTestEnvironment;
  const heard: Heard[] = [];
  const onHeard = new EventTarget();
  const counted: Greeting[] = [];

  /** Resolves with the first message heard that `accept`s, waiting for it as messages come. */
  function hear<T extends Heard>(accept: (h: Heard) => h is T, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = heard.find(accept);
        if (found === undefined) return;
        clearTimeout(timer);
        onHeard.removeEventListener("heard", check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        onHeard.removeEventListener("heard", check);
        reject(new Error(`not heard within ${timeoutMs} ms\n${env.proxy.process.tail(20)}`));
      }, timeoutMs);
      onHeard.addEventListener("heard", check);
      check();
    });
  }

  /** Resolves once the counter entity was called with a greeting that `accept`s. */
  function hearCount(accept: (g: Greeting) => boolean, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!counted.some(accept)) return;
        clearTimeout(timer);
        onHeard.removeEventListener("heard", check);
        resolve();
      };
      const timer = setTimeout(() => {
        onHeard.removeEventListener("heard", check);
        reject(new Error(`not counted within ${timeoutMs} ms\n${env.proxy.process.tail(20)}`));
      }, timeoutMs);
      onHeard.addEventListener("heard", check);
      check();
    });
  }

  before(async () => {
    fake = await startPubsubFake((line) => console.log(line));
    pubsub = new PubsubClient(fake.address, PROJECT);
    // Manual mode: the topics and the subscriptions `<topic>_<consumer group>` exist before the proxy reads them.
    for (const [topic, group] of [
      ["greetings", "listener"],
      ["greetings-to-count", "counter"],
    ] as const) {
      await pubsub.createTopic(topic);
      await pubsub.createSubscription(`${topic}_${group}`, topic);
    }
    const listener = greetingListenerAction(
      greetingListenerHandlers((h) => {
        heard.push(h);
        onHeard.dispatchEvent(new Event("heard"));
      }),
    );
    const counter = greetingCounterEntity({
      ...greetingCounterHandlers,
      count(greeting, context) {
        counted.push(greeting);
        onHeard.dispatchEvent(new Event("heard"));
        return greetingCounterHandlers.count(greeting, context);
      },
    });
    env = await CloudstateTestEnvironment.start({
      entities: [listener, counter],
      ...pubsubEventing({ host: fake.host, port: fake.port, projectId: PROJECT }),
    });
  });

  after(async () => {
    pubsub?.close();
    await env?.stop();
    await fake?.stop();
  });

  it("delivers protobuf messages to the action, with their CloudEvent metadata", async (t) => {
    const tally = new FlowTally("topic -> action (protobuf)");
    const isGreeting = (h: Heard): h is Extract<Heard, { kind: "greeting" }> => h.kind === "greeting";
    const onGreeting = (): void => {
      const latest = heard.at(-1);
      if (latest !== undefined && isGreeting(latest)) tally.arrived(latest.greeting.text);
    };
    onHeard.addEventListener("heard", onGreeting);
    const messages: OutgoingMessage[] = [];
    for (let i = 0; i < 20; i++) {
      const text = `hello ${i}`;
      messages.push(
        i % 2 === 0 ? cloudEventGreeting(`name-${i}`, text, `event-${i}`) : plainGreeting(`name-${i}`, text),
      );
      tally.emitted(text);
    }
    await pubsub.publish("greetings", messages);
    await tally.allArrived(60_000, () => env.proxy.process.tail(20));
    onHeard.removeEventListener("heard", onGreeting);
    const report = recordFlow(tally, (line) => t.diagnostic(line));
    assert.equal(report.lost, 0);
    assert.deepEqual(tally.unexpected, []);

    // A binary-mode CloudEvent keeps its attributes; a plain message gets Pub/Sub's id and the subscription as source.
    const full = heard.filter(isGreeting).find((h) => h.greeting.text === "hello 0");
    assert.deepEqual(
      { ...full?.metadata.cloudEvent },
      {
        specversion: "1.0",
        id: "event-0",
        source: "eventing-test",
        type: GREETING_TYPE,
        subject: "name-0",
        time: "2026-12-01T10:00:00Z",
        datacontenttype: undefined,
        dataschema: undefined,
      },
    );
    assert.equal(full?.metadata.get("Content-Type"), "application/protobuf");
    const plain = heard.filter(isGreeting).find((h) => h.greeting.text === "hello 1")?.metadata.cloudEvent;
    assert.equal(plain?.specversion, "1.0");
    assert.match(plain?.id ?? "", /^\S+$/);
    assert.equal(plain?.source, `projects/${PROJECT}/subscriptions/greetings_listener`);
    assert.equal(plain?.type, "");
    assert.match(plain?.time ?? "", /^\d{4}-\d\d-\d\dT/);
  });

  it("routes topic messages to an event-sourced entity, keyed by the message, which applies them", async (t) => {
    const tally = new FlowTally("topic -> entity");
    const texts = new Map<string, string[]>([
      ["ada", []],
      ["grace", []],
    ]);
    const messages: OutgoingMessage[] = [];
    for (let i = 0; i < 12; i++) {
      const name = i % 3 === 0 ? "grace" : "ada";
      const text = `${name} ${i}`;
      texts.get(name)?.push(text);
      messages.push(plainGreeting(name, text));
      tally.emitted(text);
    }
    const onCount = (): void => {
      const latest = counted.at(-1);
      if (latest !== undefined) tally.arrived(latest.text);
    };
    onHeard.addEventListener("heard", onCount);
    await pubsub.publish("greetings-to-count", messages);
    await tally.allArrived(60_000, () => env.proxy.process.tail(20));
    onHeard.removeEventListener("heard", onCount);
    const report = recordFlow(tally, (line) => t.diagnostic(line));
    assert.equal(report.lost, 0);

    // Each entity applied its own greetings: the state read back through the proxy has exactly them (a duplicate
    // delivery would show up here as a repeated text).
    const counter = env.client(GreetingCounterDefinition);
    let duplicatesApplied = 0;
    for (const [name, expected] of texts) {
      const state = await counter.get({ name });
      assert.equal(state.name, name);
      assert.deepEqual([...new Set(state.texts)].sort(), [...expected].sort(), `${name}'s greetings`);
      assert.equal(state.count, state.texts.length);
      duplicatesApplied += state.texts.length - expected.length;
    }
    // At least once: a message delivered twice is applied twice, and the tally saw it twice.
    assert.equal(duplicatesApplied, report.duplicates);
  });

  it("rejects an undecodable protobuf payload with a clear error, and delivers the messages behind it", async (t) => {
    const tally = new FlowTally("topic -> action (after a bad payload)");
    const isGreeting = (h: Heard): h is Extract<Heard, { kind: "greeting" }> => h.kind === "greeting";
    const onGreeting = (): void => {
      const latest = heard.at(-1);
      if (latest !== undefined && isGreeting(latest)) tally.arrived(latest.greeting.text);
    };
    onHeard.addEventListener("heard", onGreeting);
    const logged = env.userFunctionLog.length;
    // Field 1 (name) claims 100 bytes that are not there.
    const bad: OutgoingMessage = {
      data: Uint8Array.from([0x0a, 0x64, 0x01]),
      attributes: { "Content-Type": `application/protobuf; proto=${GREETING_TYPE}` },
    };
    const good = [0, 1, 2, 3, 4].map((i) => {
      tally.emitted(`after bad ${i}`);
      return plainGreeting("after", `after bad ${i}`);
    });
    await pubsub.publish("greetings", [bad]);
    await pubsub.publish("greetings", good);
    await tally.allArrived(60_000, () => env.proxy.process.tail(20));
    onHeard.removeEventListener("heard", onGreeting);
    const report = recordFlow(tally, (line) => t.diagnostic(line));
    assert.equal(report.lost, 0);
    // The proxy hands the bad message to the user function beside the good ones, so its rejection may be logged
    // after they arrived: wait for it.
    const rejection = await env.waitForUserFunctionLog(
      /[^\n]*GreetingListener\.Greeted rejected: payload of type com\.example\.eventing\.Greeting does not decode[^\n]*/,
      60_000,
      logged,
    );
    t.diagnostic(`the user function logged: ${rejection[0]}`);
  });

  it("fails the subscription on an undecodable payload for an entity, before the user function; later messages go on", async (t) => {
    const since = env.proxyLog.length;
    const before = counted.length;
    // The proxy parses the entity key out of the payload itself, and that fails.
    await pubsub.publish("greetings-to-count", [
      {
        data: Uint8Array.from([0x0a, 0x64, 0x01]),
        attributes: { "Content-Type": `application/protobuf; proto=${GREETING_TYPE}` },
      },
    ]);
    const failure = await env.proxy.process.waitFor(
      /Restarting graph due to failure[^\n]*\n(com\.google\.protobuf\.InvalidProtocolBufferException[^\n]*)/,
      60_000,
      since,
    );
    t.diagnostic(`the proxy logged: ${failure[1]}`);
    await pubsub.publish("greetings-to-count", [plainGreeting("ada", "behind the bad one")]);
    await hearCount((g) => g.text === "behind the bad one");
    assert.ok(
      counted.slice(before).every((g) => g.text === "behind the bad one"),
      "the undecodable message never reaches the entity",
    );
  });

  it("never delivers a JSON payload: the 0.6.0 proxy fails on it (scala.MatchError) and redelivers it", async (t) => {
    const since = env.proxyLog.length;
    await pubsub.publish("greetings", [
      {
        data: new TextEncoder().encode(JSON.stringify({ name: "json", text: "hello" })),
        attributes: { "ce-specversion": "1.0", "ce-type": "greeting", "Content-Type": "application/json" },
      },
    ]);
    const failure = await env.proxy.process.waitFor(
      /scala\.MatchError: Some\(<ByteString[^\n]*\n\s+at [^\n]*encodeByteArray[^\n]*\n\s+at [^\n]*encodeJsonToAny/,
      60_000,
      since,
    );
    t.diagnostic(`the proxy logged: ${failure[0].split("\n")[0]}`);
    // Never acknowledged, the message comes back once its ack deadline (10 s) is over, and fails again.
    const again = env.proxyLog.indexOf(failure[0], since) + failure[0].length;
    await env.proxy.process.waitFor(
      /scala\.MatchError: Some\(<ByteString[^\n]*"\{\\"name\\":\\"json\\"/,
      60_000,
      again,
    );
    // The subscription restarts after the failure: a protobuf message behind the JSON one still arrives.
    await pubsub.publish("greetings", [plainGreeting("json", "behind the JSON one")]);
    await hear(
      (h): h is Extract<Heard, { kind: "greeting" }> =>
        h.kind === "greeting" && h.greeting.text === "behind the JSON one",
    );
    assert.deepEqual(
      heard.filter((h) => h.kind !== "greeting"),
      [],
      "the JSON message must not have reached the Any rpc: if it did, the proxy changed (update docs/eventing.md)",
    );
  });
});
