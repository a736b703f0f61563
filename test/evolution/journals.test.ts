/**
 * Recorded journals as tests: test/evolution/journals/ holds what v1's code stored (type URL and bytes, written by
 * record-journals.ts); today's code (v2) must recover every entity from it to the recorded state, through its
 * declared previous names and upcasters. Without the declarations, and with an upcaster that throws, recovery
 * fails naming the event and its type; other entities are unaffected.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { defineEventSourcedEntity, defineValueEntity } from "../../runtime/index.js";
import { EventSourcedTestKit, ValueEntityTestKit, memoryLogger } from "../../runtime/testkit/index.js";
import { ROOT } from "../support/root.js";
import * as v1 from "./v1/src/shop.js";
import * as v2 from "./v2/src/shop.js";
import { ItemPicked } from "./v2/gen/shop/cart.js";

type CartsArgument = Parameters<typeof defineEventSourcedEntity>[0];
type ValueEntityArgument = Parameters<typeof defineValueEntity>[0];

/**
 * v2's carts with other evolution declarations, wired by hand with the runtime's source (this repository's
 * generated modules run on the compiled runtime, whose errors are another copy of its classes).
 */
function cartsWith(declarations: Pick<CartsArgument, "storedAs" | "retiredEvents" | "retiredStates">): typeof v2.carts {
  return defineEventSourcedEntity({
    ...v2.carts.config,
    ...declarations,
  } as CartsArgument) as unknown as typeof v2.carts;
}

const JOURNALS = join(ROOT, "test/evolution/journals");
const journal = (name: string): string => join(JOURNALS, name);
const scratch = mkdtempSync(join(tmpdir(), "cloudstate-journals-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("recorded journals", () => {
  it("replay against the code that wrote them", async () => {
    for (const file of ["cart-c1.json", "cart-c1-from-snapshot.json", "cart-c2.json"]) {
      await EventSourcedTestKit.replayJournal(v1.carts, journal(file));
    }
    await ValueEntityTestKit.replayJournal(v1.profiles, journal("profile-ann.json"));
  });

  it("replay against today's code through its renames, package moves and upcasters", async () => {
    const c1 = await EventSourcedTestKit.replayJournal(v2.carts, journal("cart-c1.json"));
    assert.deepEqual(
      c1.state.lines.map((line) => [line.sku, line.quantity]),
      [
        ["apple", 2],
        ["pear", 1],
        ["fig", 3],
        ["kiwi", 1],
      ],
    );
    assert.equal(c1.state.totalQuantity, 7);
    assert.deepEqual(c1.state.notes, ["gift wrap"]);
    // Old events read as today's: the renamed one as LineItemAdded, the retired ones upcast.
    assert.deepEqual(
      c1.events.map((event) => event.$type),
      [
        "shop.events.LineItemAdded",
        "shop.events.LineItemAdded",
        "shop.events.Noted",
        "shop.events.LineItemAdded",
        "shop.events.LineItemAdded",
      ],
    );
    // From v1's snapshot (a retired state type, upcast) and the events after it: the same cart.
    const fromSnapshot = await EventSourcedTestKit.replayJournal(v2.carts, journal("cart-c1-from-snapshot.json"));
    assert.deepEqual(fromSnapshot.state, c1.state);
    // Today's code goes on writing today's types.
    const added = await c1.call("add", { cartId: "c1", sku: "lime", quantity: 1, addedBy: "ann" });
    assert.equal(added.events[0]?.$type, "shop.events.LineItemAdded");
    assert.equal(added.state.totalQuantity, 8);
    await c1.restart();

    const ann = await ValueEntityTestKit.replayJournal(v2.profiles, journal("profile-ann.json"));
    assert.deepEqual(ann.state, { $type: "shop.profiles.Profile", name: "Ann", renames: 0 });
    const renamed = await ann.call("setName", { userId: "ann", name: "Anna" });
    assert.equal(renamed.stored.kind, "update");
    await ann.restart();
    assert.deepEqual(ann.state, { $type: "shop.profiles.Profile", name: "Anna", renames: 1 });
  });

  it("save and replay a journal written by today's code", async () => {
    const cart = await EventSourcedTestKit.create(v2.carts, { entityId: "c9" });
    for (const sku of ["a", "b", "c", "d"]) await cart.call("add", { cartId: "c9", sku, quantity: 2, addedBy: "" });
    const path = join(scratch, "nested", "c9.json");
    cart.saveJournal(path);
    const replayed = await EventSourcedTestKit.replayJournal(v2.carts, path);
    assert.equal(replayed.state.totalQuantity, 8);
    assert.equal(replayed.sequence, 4);
  });

  it("fail without the declarations, naming the event and its type", async () => {
    const undeclared = cartsWith({ storedAs: {}, retiredEvents: {}, retiredStates: {} });
    await assert.rejects(
      EventSourcedTestKit.replayJournal(undeclared, journal("cart-c1.json")),
      /shop\.Carts\/c1 failed during replaying event 1: Failed to replay event 1: unknown type type\.googleapis\.com\/shop\.ItemAdded/,
    );
    await assert.rejects(
      EventSourcedTestKit.replayJournal(undeclared, journal("cart-c1-from-snapshot.json")),
      /failed during its init: .*expected a shop\.state\.Basket payload but got type\.googleapis\.com\/shop\.Cart/,
    );
    const profiles = defineValueEntity({ ...v2.profiles.config, storedAs: {} } as ValueEntityArgument);
    await assert.rejects(
      ValueEntityTestKit.replayJournal(profiles, journal("profile-ann.json")),
      /shop\.Profiles\/ann failed to start: .*expected a shop\.profiles\.Profile payload but got type\.googleapis\.com\/shop\.Profile/,
    );
  });

  it("fail an entity whose upcaster throws with the event's sequence number and type, others unaffected", async () => {
    const logger = memoryLogger();
    const throwing = cartsWith({
      retiredEvents: {
        "shop.ItemPicked": {
          type: ItemPicked,
          upcast: (event) => {
            throw new Error(`no such product as ${(event as ItemPicked).sku}`);
          },
        },
      },
    });
    await assert.rejects(
      EventSourcedTestKit.replayJournal(throwing, journal("cart-c1.json"), { logger }),
      (error: Error) => {
        assert.match(
          error.message,
          /failed during replaying event 2: Failed to replay event 2: event 2 \(type\.googleapis\.com\/shop\.ItemPicked\): the upcaster of shop\.ItemPicked threw$/,
        );
        // The client-safe message leaves the upcaster's own words to the logs.
        assert.doesNotMatch(error.message, /no such product/);
        return true;
      },
    );
    // The logs get the upcaster's own error, as the cause of the replay failure.
    const logged = logger.lines.map((line) => line.detail).find((detail) => detail instanceof Error);
    assert.ok(logged instanceof Error && logged.cause instanceof Error);
    assert.match(logged.cause.message, /no such product as pear/);
    // A cart whose journal holds no retired event recovers with the same code.
    const c2 = await EventSourcedTestKit.replayJournal(throwing, journal("cart-c2.json"));
    assert.equal(c2.state.totalQuantity, 4);
  });

  it("fail an upcaster that returns something other than a current event", async () => {
    const wrong = cartsWith({
      retiredEvents: { "shop.ItemPicked": { type: ItemPicked, upcast: (event) => event } },
    });
    await assert.rejects(
      EventSourcedTestKit.replayJournal(wrong, journal("cart-c1.json")),
      /event 2 \(type\.googleapis\.com\/shop\.ItemPicked\): its upcaster returned shop\.ItemPicked, not a current event/,
    );
  });

  it("refuse a file that is not a recorded journal, or one of another kind, or whose state differs", async () => {
    const bad = join(scratch, "bad.json");
    writeFileSync(bad, "{ nope");
    await assert.rejects(EventSourcedTestKit.replayJournal(v2.carts, bad), /bad\.json is not a recorded journal: /);
    await assert.rejects(
      EventSourcedTestKit.replayJournal(v2.carts, journal("profile-ann.json")),
      /profile-ann\.json is not a recorded journal of a event-sourced entity: its kind is "value"/,
    );
    writeFileSync(
      bad,
      JSON.stringify({ kind: "value", service: "s", entityId: "e", state: { typeUrl: "x/y", value: "!!" } }),
    );
    await assert.rejects(
      ValueEntityTestKit.replayJournal(v2.profiles, bad),
      /its state is not a \{ typeUrl, value \(base64\) \}/,
    );
    // Recorded state that today's code does not reach: the test fails, naming the difference.
    const c2 = await EventSourcedTestKit.create(v1.carts, { entityId: "c2" });
    await c2.call("add", { cartId: "c2", sku: "plum", quantity: 4 });
    const record = c2.recordJournal();
    const other = (await EventSourcedTestKit.create(v1.carts, { entityId: "c2" })).recordJournal();
    await assert.rejects(
      EventSourcedTestKit.replayJournal(v1.carts, { ...record, state: other.state }),
      /replayed the recorded journal to another state than was recorded: lines: .* \(recorded vs replayed\)/,
    );
  });
});
