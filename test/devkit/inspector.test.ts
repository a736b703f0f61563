/**
 * The inspector without a proxy: the runtime's feed (runtime/inspector/) watching the shopping cart through the unit
 * testkit, sending to the dev session's inspector server (devkit/inspector/) on loopback; what the store then holds
 * (journal with the state after each event, commands, failures), the copied test's text, the rebuild that flags a
 * replay divergence, `cloudstate-ts inspect`'s text, and the bad cases: no dev session, a taken port, lines that are
 * not records.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { memoryLogger } from "cloudstate-ts/testkit";
import { ActionTestKit, CrdtTestKit, EventSourcedTestKit, ValueEntityTestKit } from "cloudstate-ts/testkit";
import { shouter } from "../../examples/eventing/src/greetings.js";
import { presenceEntity } from "../../examples/crdts/gen/com/example/chat/chat_cloudstate.js";
import { presenceHandlers } from "../../examples/crdts/src/chat.js";
import { valueEntityTckModel } from "../../examples/tck/src/valueentity.js";
import { inspect } from "../../devkit/cli/inspect.js";
import { copyAsTest } from "../../devkit/inspector/copy-test.js";
import { InspectorServer } from "../../devkit/inspector/server.js";
import { InspectorStore, type EntityView } from "../../devkit/inspector/store.js";
import { shoppingCart, shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import { inspectorFeedFromEnvironment, INSPECTOR_FEED_ENV } from "../../runtime/inspector/feed.js";
import { ROOT } from "../support/root.js";

const KEY = "com.example.shoppingcart.ShoppingCart/ann";
const presence = presenceEntity(presenceHandlers);

/** Resolves once `check` holds after a change of the store (or at once); fails after `timeoutMs`. */
function until(store: InspectorStore, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the inspector's store did not get there within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = store.onChange(() => {
      if (!check()) return;
      stop();
      clearTimeout(timer);
      resolve();
    });
  });
}

function freeThenTaken(): Promise<{ port: number; close: () => void }> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address !== null ? address.port : 0,
        close: () => server.close(),
      });
    }),
  );
}

describe("the inspector: the runtime's feed into the dev session's server", () => {
  const store = new InspectorStore();
  let server: InspectorServer | undefined;
  const entity = (): EntityView => {
    const found = store.entities.get(KEY);
    assert.ok(found !== undefined, `the store has ${KEY}`);
    return found;
  };

  before(async () => {
    server = await InspectorServer.start(0, {
      store,
      cwd: `${ROOT}/examples/shopping-cart`,
      session: () => ({ project: "test" }),
    });
  });
  after(() => server?.stop());

  it("records each command, its reply or failure, and the journal with the state after each event", async () => {
    const logger = memoryLogger();
    const observer = inspectorFeedFromEnvironment([shoppingCart], logger, { [INSPECTOR_FEED_ENV]: server!.url });
    assert.ok(observer !== undefined);
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "ann", observer });
    await cart.call("addItem", { userId: "ann", productId: "fig", name: "Fig", quantity: 2 });
    await cart.call("addItem", { userId: "ann", productId: "kiwi", name: "Kiwi", quantity: 1 });
    const refused = await cart.call("addItem", { userId: "ann", productId: "fig", name: "Fig", quantity: 0 });
    assert.equal(refused.failure, "Cannot add a quantity of 0 of fig");
    await cart.call("addItem", { userId: "ann", productId: "fig", name: "Fig", quantity: 3 });
    await until(store, () => [...store.commands.values()].filter((c) => c.outcome !== undefined).length === 4);

    assert.equal(store.processes.length, 1);
    const ann = entity();
    assert.equal(ann.kind, "event-sourced");
    assert.deepEqual(
      ann.journal.map((e) => [e.sequence, e.type, e.origin]),
      [
        [1, "com.example.shoppingcart.persistence.ItemAdded", "emitted"],
        [2, "com.example.shoppingcart.persistence.ItemAdded", "emitted"],
        [3, "com.example.shoppingcart.persistence.ItemAdded", "emitted"],
      ],
    );
    const quantities = (state: unknown): unknown =>
      (state as { items: { productId: string; quantity: number }[] }).items.map((i) => `${i.productId}×${i.quantity}`);
    assert.deepEqual(
      ann.journal.map((e) => quantities(e.state)),
      [["fig×2"], ["fig×2", "kiwi×1"], ["fig×5", "kiwi×1"]],
    );
    const commands = ann.commands.map((id) => store.commands.get(id)!);
    assert.deepEqual(
      commands.map((c) => [c.commandName, c.outcome, c.events.map((e) => e.sequence)]),
      [
        ["AddItem", "reply", [1]],
        ["AddItem", "reply", [2]],
        ["AddItem", "failure", []],
        ["AddItem", "reply", [3]],
      ],
    );
    assert.equal(commands[2]?.failure, "Cannot add a quantity of 0 of fig");
    assert.deepEqual(commands[0]?.request?.json, {
      $type: "com.example.shoppingcart.AddLineItem",
      userId: "ann",
      productId: "fig",
      name: "Fig",
      quantity: 2,
    });
    assert.deepEqual(commands[0]?.reply?.json, { $type: "google.protobuf.Empty" });
    assert.deepEqual(
      logger.lines.filter((l) => l.level === "warn"),
      [],
    );
  });

  it("copies a command as a unit test on the testkit, with the events before it and its answer as assertions", () => {
    const [, , failed, last] = entity().commands;
    const copied = copyAsTest(store, last!, `${ROOT}/examples/shopping-cart`);
    assert.ok("text" in copied, JSON.stringify(copied));
    assert.match(copied.text, /import \{ shoppingCart \} from "\.\.\/\.\.\/src\/cart\.js";/);
    assert.match(copied.text, /EventSourcedTestKit\.create\(shoppingCart, \{\n {4}entityId: "ann",\n {4}events: \[/);
    assert.match(copied.text, /entity\.call\("addItem", \{\n {4}userId: "ann",/);
    assert.doesNotMatch(copied.text, /AddLineItem/, "the request has no $type: the handler's input type refuses it");
    assert.match(copied.text, /assert\.deepEqual\(result\.events, \[/);
    const refused = copyAsTest(store, failed!, `${ROOT}/examples/shopping-cart`);
    assert.ok("text" in refused);
    assert.match(refused.text, /assert\.equal\(result\.failure, "Cannot add a quantity of 0 of fig"\);/);
    assert.deepEqual(copyAsTest(store, "nope", ROOT), { error: "no command nope" });
  });

  it("flags a replay divergence when new code rebuilds another state from the recorded events, and clears it", async () => {
    const doubled = shoppingCartEntity({
      ...shoppingCartHandlers,
      onItemAdded: (state, event) => {
        const added = event.item;
        if (added === undefined) return state;
        const existing = state.items.find((item) => item.productId === added.productId);
        if (existing === undefined) return { ...state, items: [...state.items, added] };
        return {
          ...state,
          items: state.items.map((i) => (i === existing ? { ...i, quantity: i.quantity + 2 * added.quantity } : i)),
        };
      },
    });
    inspectorFeedFromEnvironment([doubled], memoryLogger(), { [INSPECTOR_FEED_ENV]: server!.url });
    await until(store, () => entity().divergence !== undefined);
    const divergence = entity().divergence!;
    assert.equal(divergence.sequence, 3, "events 1 and 2 build the same carts; event 3 merges into a line");
    assert.match(JSON.stringify(divergence.recorded), /"quantity":5/);
    assert.match(JSON.stringify(divergence.rebuilt), /"quantity":8/);

    inspectorFeedFromEnvironment([shoppingCart], memoryLogger(), { [INSPECTOR_FEED_ENV]: server!.url });
    await until(store, () => entity().divergence === undefined);
    assert.equal(entity().rebuiltBy?.events, 3);
  });

  it("cloudstate-ts inspect: the entities, and an entity's journal with the state after each event", async () => {
    const list = await inspect({ port: server!.port, json: false });
    assert.match(list, /event-sourced\s+com\.example\.shoppingcart\.ShoppingCart\/ann\s+3\s+4/);
    const one = await inspect({ port: server!.port, json: false, entity: "ann" });
    assert.match(one, /journal \(3 events\):\n {2}#1 com\.example\.shoppingcart\.persistence\.ItemAdded/);
    assert.match(one, /state after: .*"quantity":5/);
    assert.match(one, /AddItem .* -> failure: Cannot add a quantity of 0 of fig/);
    const json = JSON.parse(await inspect({ port: server!.port, json: true, entity: KEY })) as { journal: unknown[] };
    assert.equal(json.journal.length, 3);
    await assert.rejects(inspect({ port: server!.port, json: false, entity: "bob" }), /no entity "bob"/);
  });

  it("counts lines that are not records (or not whole ones), and refuses a batch without its process", async () => {
    const before = store.dropped;
    const versionBefore = store.version;
    const ndjson = { "content-type": "application/x-ndjson" };
    // A rebuild record for a known entity without its states (another version's runtime, say), then a good one.
    const partial = JSON.stringify({
      t: "rebuilt",
      serviceName: "com.example.shoppingcart.ShoppingCart",
      entityId: "ann",
    });
    const body = `not json\n{"t":"nonsense"}\n${partial}\n{"t":"dropped","count":10}\n`;
    const sent = await fetch(`${server!.url}/feed?pid=7`, { method: "POST", headers: ndjson, body });
    assert.equal(sent.status, 204);
    assert.equal(
      store.dropped,
      before + 3 + 10,
      "two unreadable lines, one record missing its fields, then 10 counted",
    );
    assert.equal(store.version, versionBefore + 1, "the batch was taken, not left half-applied");
    const refused = await fetch(`${server!.url}/feed`, { method: "POST", headers: ndjson, body: "{}" });
    assert.equal(refused.status, 400);
    assert.equal((await fetch(`${server!.url}/nothing`)).status, 404);
  });

  it("answers only this machine's own names, and takes the feed only from a user function, not a web page", async () => {
    const status = (path: string, headers: Record<string, string>, method = "GET"): Promise<number | undefined> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: server!.port, path, method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on("error", reject);
        req.end(method === "POST" ? "{}\n" : undefined);
      });
    assert.equal(await status("/api/entities", { host: "rebound.example:80" }), 403, "a DNS-rebound name");
    assert.equal(await status("/api/entities", { host: `localhost:${server!.port}` }), 200);
    const before = store.version;
    const crossSite = {
      host: `127.0.0.1:${server!.port}`,
      origin: "https://site.example",
      "content-type": "application/x-ndjson",
    };
    assert.equal(await status("/feed?pid=7", crossSite, "POST"), 403, "a page's cross-site POST");
    assert.equal(
      await status("/feed?pid=7", { host: `127.0.0.1:${server!.port}`, "content-type": "text/plain" }, "POST"),
      403,
    );
    assert.equal(store.version, before, "nothing was applied");
  });
});

describe("the inspector: value entities and CRDTs", () => {
  const store = new InspectorStore();
  let server: InspectorServer | undefined;
  before(async () => {
    server = await InspectorServer.start(0, { store, cwd: ROOT, session: () => ({ project: "test" }) });
  });
  after(() => server?.stop());

  it("records a value entity's stored states and delete, and a CRDT's deltas and subscriptions", async () => {
    const observer = inspectorFeedFromEnvironment([valueEntityTckModel, presence], memoryLogger(), {
      [INSPECTOR_FEED_ENV]: server!.url,
    })!;
    const value = await ValueEntityTestKit.create(valueEntityTckModel, { entityId: "v1", observer });
    await value.call("process", { id: "v1", actions: [{ action: { $case: "update", value: { value: "one" } } }] });
    await value.call("process", { id: "v1", actions: [{ action: { $case: "delete", value: {} } }] });
    const crdt = await CrdtTestKit.create(presence, { entityId: "bob", observer });
    const connection = await crdt.subscribe("connect", { userId: "bob" });
    await crdt.applyDelta({ delta: { $case: "vote", value: { selfVote: true, votesFor: 2, totalVoters: 2 } } });
    await connection.cancel();
    await until(store, () => store.entities.get(`${presence.serviceName}/bob`)?.subscriptions[0]?.open === false);

    const v1 = store.entities.get(`${valueEntityTckModel.serviceName}/v1`)!;
    assert.equal(v1.kind, "value");
    assert.deepEqual(
      v1.values.map((v) => [v.action, (v.state as { value?: string } | null)?.value]),
      [
        ["update", "one"],
        ["delete", ""], // deleted: the entity is back to its initial state
      ],
    );
    const bob = store.entities.get(`${presence.serviceName}/bob`)!;
    assert.equal(bob.kind, "crdt");
    assert.deepEqual(
      bob.deltas.map((d) => d.direction),
      ["sent", "received"],
    );
    assert.match(JSON.stringify(bob.state), /"crdt":"Vote".*"votesFor":2/);
    assert.deepEqual(
      bob.subscriptions.map((s) => [s.commandName, s.open, s.reason]),
      [["Connect", false, "cancelled"]],
    );
  });
});

describe("the inspector: actions and eventing", () => {
  const store = new InspectorStore();
  let server: InspectorServer | undefined;
  before(async () => {
    server = await InspectorServer.start(0, { store, cwd: ROOT, session: () => ({ project: "test" }) });
  });
  after(() => server?.stop());

  it("records each call with its CloudEvent attributes, reply and trace id", async () => {
    const observer = inspectorFeedFromEnvironment([shouter], memoryLogger(), { [INSPECTOR_FEED_ENV]: server!.url })!;
    const kit = ActionTestKit.create(shouter, { observer });
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await kit.call(
      "shout",
      { name: "ann", text: "hi" },
      { metadata: { "ce-id": "g-1", "ce-type": "greeting", "ce-source": "test", traceparent } },
    );
    await until(store, () => [...store.commands.values()].some((c) => c.outcome !== undefined));
    const [call] = store.commands.values();
    assert.equal(call?.kind, "action");
    assert.equal(call?.entityKey, `${shouter.serviceName}/`);
    assert.equal(call?.traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.deepEqual(
      call?.metadata.filter((m) => m.key.startsWith("ce-")).map((m) => [m.key, m.value]),
      [
        ["ce-id", "g-1"],
        ["ce-type", "greeting"],
        ["ce-source", "test"],
      ],
    );
    assert.match(JSON.stringify(call?.reply?.json), /"text":"HI".*"greetingId":"g-1"/);
  });
});

describe("the inspector's bad cases", () => {
  it("a feed with no dev session behind it: commands run as ever, and the log says the session does not answer", async () => {
    const { port, close } = await freeThenTaken();
    close();
    const logger = memoryLogger();
    const observer = inspectorFeedFromEnvironment([shoppingCart], logger, {
      [INSPECTOR_FEED_ENV]: `http://127.0.0.1:${port}`,
    });
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "zed", observer: observer! });
    const added = await cart.call("addItem", { userId: "zed", productId: "fig", name: "Fig", quantity: 1 });
    assert.equal(added.events.length, 1);
    await logger.waitFor(/does not answer/, 30_000);
  });

  it("a taken port: a clear error", async () => {
    const taken = await freeThenTaken();
    try {
      await assert.rejects(
        InspectorServer.start(taken.port, {
          store: new InspectorStore(),
          cwd: ROOT,
          session: () => ({ project: "x" }),
        }),
        new RegExp(`port ${taken.port} on 127\\.0\\.0\\.1 is already in use`),
      );
    } finally {
      taken.close();
    }
  });

  it("no feed unless asked, and none to an address off this machine", () => {
    const logger = memoryLogger();
    assert.equal(inspectorFeedFromEnvironment([shoppingCart], logger, {}), undefined);
    assert.equal(
      inspectorFeedFromEnvironment([shoppingCart], logger, { [INSPECTOR_FEED_ENV]: "http://10.1.2.3:9001" }),
      undefined,
    );
    assert.match(logger.lines.at(-1)?.message ?? "", /must be a loopback http address/);
  });

  it("cloudstate-ts inspect with no dev session: a clear error", async () => {
    const { port, close } = await freeThenTaken();
    close();
    await assert.rejects(inspect({ port, json: false }), /no dev session's inspector answers on 127\.0\.0\.1:\d+/);
  });
});
