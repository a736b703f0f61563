/**
 * At least once, across `kill -9`: messages and events keep flowing while the user function (a process of its
 * own) or the proxy is killed and started again; every one still reaches the output topic. Duplicates are allowed
 * (the proxy acknowledges Pub/Sub messages in groups, and saves event log offsets every 20 events or second) and
 * counted. Topic to topic runs on the development-mode proxy (Pub/Sub holds what is not acknowledged); the event
 * log needs a journal that survives the proxy, so that flow runs on the PostgreSQL proxy. Both with the fixes
 * artifact, which topic output needs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createChannel, createClient, type Channel } from "nice-grpc";
import {
  freePort,
  startPostgres,
  startProxy,
  startUserFunctionProcess,
  type Postgres,
  type ProxyOptions,
  type ProxyProcess,
  type Started,
  pubsubEventing,
} from "cloudstate-ts-devkit";
import { Greeting, Shouted } from "../../examples/eventing/gen/com/example/eventing/greetings.js";
import {
  ShoppingCartDefinition,
  type ShoppingCartClient,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { CartChanged } from "../../examples/shopping-cart/gen/com/example/shoppingcart/summary.js";
import { FlowTally, recordFlow } from "./flows.js";
import { PubsubClient } from "./pubsub-client.js";
import { startPubsubFake, type PubsubFake } from "./pubsub-fake.js";
import { ROOT } from "../support/root.js";

/** What the proxy logs when its event log consumer (an Akka projection) starts. */
const PROJECTION_STARTED =
  /Starting projection \[ProjectionId\(com\.example\.shoppingcart\.CartSummary, shopping-cart\)\]/;
const PROJECT = "cloudstate-ts-eventing";

/** Pulls `subscription` into `onMessage` until `stop()` says so; the fake long-polls, so this never spins. */
async function readWhile(
  pubsub: PubsubClient,
  subscription: string,
  onMessage: (data: Uint8Array, publishTimeMs: number) => void,
  keepGoing: () => boolean,
): Promise<void> {
  while (keepGoing()) {
    for (const message of await pubsub.pullAndAck(subscription)) onMessage(message.data, message.publishTimeMs);
  }
}

/** The end of a proxy log without its DEBUG lines (it logs every command at DEBUG). */
function withoutDebug(log: string, lines = 30): string {
  return log
    .split("\n")
    .filter((line) => !/^\S+ \S+ DEBUG /.test(line))
    .slice(-lines)
    .join("\n");
}

/** Resolves after `ms`: paces a steady stream of messages (load shaping, never a wait for a result). */
const pace = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("at least once across kill -9: topic -> action -> topic (development-mode proxy)", () => {
  let fake: PubsubFake;
  let pubsub: PubsubClient;
  let userFunction: Started;
  let userFunctionPort: number;
  let proxy: ProxyProcess;
  let proxyOptions: ProxyOptions;

  const startExample = (): Promise<Started> =>
    startUserFunctionProcess({
      name: "user function (eventing example)",
      script: join(ROOT, "examples/eventing/src/main.ts"),
      port: userFunctionPort,
    });

  before(async () => {
    fake = await startPubsubFake((line) => console.log(line));
    pubsub = new PubsubClient(fake.address, PROJECT);
    for (const topic of ["greetings", "to-shout", "shouts", "greetings-to-count"]) await pubsub.createTopic(topic);
    // Every topic the example reads: its subscriptions `<topic>_<consumer group>`, and the test's own reader.
    await pubsub.createSubscription("greetings_listener", "greetings");
    await pubsub.createSubscription("to-shout_shouter", "to-shout");
    await pubsub.createSubscription("greetings-to-count_counter", "greetings-to-count");
    await pubsub.createSubscription("shouts_test", "shouts");
    userFunctionPort = await freePort();
    userFunction = await startExample();
    const eventing = pubsubEventing({ host: fake.host, port: fake.port, projectId: PROJECT });
    proxyOptions = { userFunctionPort, fixes: true, port: await freePort(), ...eventing };
    proxy = await startProxy(proxyOptions);
  });

  after(async () => {
    pubsub?.close();
    await proxy?.stop();
    await userFunction?.stop();
    await fake?.stop();
  });

  /** Publishes `count` greetings steadily, runs `fault` (not awaited) at the `faultAt`-th, reads every shout back. */
  async function flow(
    name: string,
    count: number,
    faultAt: number,
    fault: () => Promise<void>,
    print: (line: string) => void,
  ): Promise<void> {
    const tally = new FlowTally(name);
    let reading = true;
    const reader = readWhile(
      pubsub,
      "shouts_test",
      (data, publishTimeMs) => tally.arrived(Shouted.decode(data).greetingId, publishTimeMs),
      () => reading,
    );
    let faultDone: Promise<void> = Promise.resolve();
    try {
      for (let i = 0; i < count; i++) {
        if (i === faultAt) faultDone = fault();
        const id = `${name}/${i}`;
        tally.emitted(id);
        await pubsub.publish("to-shout", [
          {
            data: Greeting.encode(Greeting.create({ name: "n", text: `greeting ${i}` })).finish(),
            attributes: {
              "ce-specversion": "1.0",
              "ce-id": id,
              "ce-type": "com.example.eventing.Greeting",
              "Content-Type": "application/protobuf",
            },
          },
        ]);
        await pace(40);
      }
      await faultDone;
      await tally.allArrived(120_000, () => proxy.process.tail(20));
    } finally {
      reading = false;
      await reader;
    }
    const report = recordFlow(tally, print);
    assert.equal(report.lost, 0);
    // Nothing arrives that was never sent; a late redelivery from the earlier flow on the same topics may.
    assert.deepEqual(
      tally.unexpected.filter((id) => !/^topic -> action -> topic, [^/]+\/\d+$/.test(id)),
      [],
    );
  }

  it("loses no message when the user function is killed (kill -9) and started again", async (t) => {
    await flow(
      "topic -> action -> topic, user function kill -9",
      60,
      20,
      async () => {
        await userFunction.stop("SIGKILL");
        userFunction = await startExample();
      },
      (line) => t.diagnostic(line),
    );
  });

  it("loses no message when the proxy is killed (kill -9) and a new one started", async (t) => {
    await flow(
      "topic -> action -> topic, proxy kill -9",
      60,
      20,
      async () => {
        await proxy.kill();
        proxy = await startProxy(proxyOptions);
      },
      (line) => t.diagnostic(line),
    );
  });
});

describe("at least once across kill -9: event log -> action -> topic (PostgreSQL proxy)", () => {
  let postgres: Postgres;
  let fake: PubsubFake;
  let pubsub: PubsubClient;
  let userFunction: Started;
  let userFunctionPort: number;
  let proxy: ProxyProcess;
  let proxyOptions: ProxyOptions;
  let channel: Channel;
  let cart: ShoppingCartClient;

  const startCart = (): Promise<Started> =>
    startUserFunctionProcess({
      name: "user function (shopping cart with summary)",
      script: join(ROOT, "examples/shopping-cart/src/with-summary.ts"),
      port: userFunctionPort,
    });

  before(async () => {
    postgres = await startPostgres({ log: (line) => console.log(line) });
    fake = await startPubsubFake((line) => console.log(line));
    pubsub = new PubsubClient(fake.address, PROJECT);
    await pubsub.createTopic("cart-changes");
    await pubsub.createSubscription("cart-changes_test", "cart-changes");
    userFunctionPort = await freePort();
    userFunction = await startCart();
    const eventing = pubsubEventing({ host: fake.host, port: fake.port, projectId: PROJECT });
    proxyOptions = {
      userFunctionPort,
      flavour: "postgres",
      postgres: postgres.connection,
      fixes: true,
      port: await freePort(),
      ...eventing,
    };
    proxy = await startProxy(proxyOptions);
    // One channel for the whole run, to the same port: it reconnects to the proxy started after a kill.
    channel = createChannel(`127.0.0.1:${proxy.port}`);
    cart = createClient(ShoppingCartDefinition, channel);
  });

  after(async () => {
    channel?.close();
    pubsub?.close();
    await proxy?.stop();
    await userFunction?.stop();
    await fake?.stop();
    await postgres?.stop();
  });

  it("publishes every acknowledged event when the user function, then the proxy, is killed (kill -9)", async (t) => {
    const tally = new FlowTally("event log -> action -> topic, user function and proxy kill -9");
    /** Commands that failed during an outage: their events may or may not be in the journal. */
    const uncertain = new Set<string>();
    const key = (userId: string, productId: string): string => `${userId}/${productId}`;
    /** Not counted: sent last, to know when the redeliveries are over. */
    const marker = key("cart-marker", "marker");
    let reading = true;
    const reader = readWhile(
      pubsub,
      "cart-changes_test",
      (data, publishTimeMs) => {
        const change = CartChanged.decode(data);
        tally.arrived(key(change.userId, change.productId), publishTimeMs);
      },
      () => reading,
    );
    const acknowledged: string[] = [];
    /** At command `i`: `ready` is awaited (the commands wait), then `fault` runs while they go on. */
    const faults: Record<number, { ready?: () => Promise<void>; fault: () => Promise<void> }> = {
      20: {
        fault: async () => {
          await userFunction.stop("SIGKILL");
          userFunction = await startCart();
        },
      },
      45: {
        // The consumer is back after the user function's restart: the first 30 events are out.
        ready: () => tally.arrivedAll(acknowledged.slice(0, 30), 90_000, () => withoutDebug(proxy.log)),
        fault: async () => {
          await proxy.kill();
          // A new proxy on the same database never starts its event log consumer while the projection's offset
          // table exists (a proxy defect, pinned here so we learn if it changes) ...
          proxy = await startProxy(proxyOptions);
          await assert.rejects(
            proxy.process.waitFor(PROJECTION_STARTED, 15_000),
            /did not print/,
            "the restarted PostgreSQL proxy started its event log consumer: update docs/eventing.md",
          );
          t.diagnostic("restarted on the same database, the proxy did not start its event log consumer within 15 s");
          await proxy.kill();
          // ... the workaround: drop the offset table. The consumer then starts over from the first event.
          postgres.query(`DROP TABLE "AKKA_PROJECTION_OFFSET_STORE"`);
          proxy = await startProxy(proxyOptions);
          await proxy.process.waitFor(PROJECTION_STARTED, 60_000);
        },
      },
    };
    let outage: Promise<void> = Promise.resolve();
    try {
      for (let i = 0; i < 70; i++) {
        const planned = faults[i];
        if (planned !== undefined) {
          await planned.ready?.();
          outage = planned.fault();
        }
        const userId = `cart-${i % 3}`;
        const productId = `product-${i}`;
        const sentAt = Date.now();
        try {
          await cart.addItem({ userId, productId, name: `Product ${i}`, quantity: 1 });
          tally.emitted(key(userId, productId), sentAt);
          acknowledged.push(key(userId, productId));
        } catch {
          // The user function or the proxy is down: go on once it is back.
          uncertain.add(key(userId, productId));
          await outage;
        }
        await pace(20);
      }
      await outage;
      // The consumer publishes in journal order: once an event sent after all the others is out, every
      // redelivery before it is counted too.
      await cart.addItem({ userId: "cart-marker", productId: "marker", name: "Marker", quantity: 1 });
      await tally.arrivedAll([marker], 120_000, () => withoutDebug(proxy.log));
      await tally.allArrived(120_000, () => withoutDebug(proxy.log) + "\n--- user function\n" + userFunction.tail(30));
    } finally {
      reading = false;
      await reader;
    }
    const report = recordFlow(tally, (line) => t.diagnostic(line));
    t.diagnostic(`${uncertain.size} commands failed during the outages (their events may be published or not)`);
    assert.equal(report.lost, 0);
    assert.deepEqual(
      tally.unexpected.filter((id) => !uncertain.has(id) && id !== marker),
      [],
      "only events of acknowledged (or failed) commands are published",
    );
  });
});
