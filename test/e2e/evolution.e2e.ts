/**
 * Stored data outlives the code that wrote it, behind the real Cloudstate 0.6.0 PostgreSQL proxy: the shop's v1
 * (test/evolution/v1) journals events, snapshots and values; then v2 (test/evolution/v2) — an event renamed and
 * moved to another package, an event retired into another, the state replaced (its old type retired with an
 * upcaster), the value entity's state moved — is deployed on the same database (user function and proxy
 * restarted) and reads every entity back intact, then writes its own types. Without the declarations, the lock
 * stops v2 before anything runs.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CloudstateTestEnvironment, freePort, retryUntil, startPostgres, type Postgres } from "cloudstate-ts-devkit";
import { checkLock, parseLock } from "../../devkit/cli/stored-lock.js";
import { storedTypesOf } from "../evolution/stored-types-of.js";
import { ROOT } from "../support/root.js";
import { CartsDefinition as CartsV1, ProfilesDefinition as ProfilesV1 } from "../evolution/v1/gen/shop/cart.js";
import { CartsDefinition as CartsV2, ProfilesDefinition as ProfilesV2 } from "../evolution/v2/gen/shop/cart.js";
import * as v1 from "../evolution/v1/src/shop.js";
import * as v2 from "../evolution/v2/src/shop.js";

const EVOLUTION = join(ROOT, "test/evolution");

/** What v1 is asked to store: per cart, its commands in order (snapshots every 3 events). */
const CART_COMMANDS: Record<string, readonly (["add", string, number] | ["pick", string] | ["note", string])[]> = {
  // Five events: the snapshot (shop.Cart) after the third, then a renamed and a retired event.
  c1: [
    ["add", "apple", 2],
    ["pick", "pear"],
    ["note", "gift wrap"],
    ["add", "fig", 3],
    ["pick", "kiwi"],
  ],
  c2: [["add", "plum", 4]],
  // Retired events only: four, a snapshot after the third.
  c3: [
    ["pick", "a"],
    ["pick", "b"],
    ["pick", "c"],
    ["pick", "d"],
  ],
  // A JSON event, whose type moved package.
  c4: [["note", "call first"]],
  // Six events: two snapshots, nothing after the last.
  c5: [
    ["add", "x", 1],
    ["add", "y", 2],
    ["pick", "z"],
    ["add", "x", 5],
    ["note", "n"],
    ["pick", "w"],
  ],
};
const NAMES = { ann: "Ann", bob: "Bob" };

describe("stored data across a rewrite, behind the PostgreSQL proxy", () => {
  let postgres: Postgres;
  before(async () => {
    postgres = await startPostgres({ log: (line) => console.log(line) });
  });
  after(async () => {
    await postgres?.stop();
  });

  it("without its declarations, v2 is stopped by the lock before anything runs", () => {
    const lock = parseLock(readFileSync(join(EVOLUTION, "v1/cloudstate.lock.json"), "utf8"));
    const { problems } = checkLock(lock, storedTypesOf(join(EVOLUTION, "v2-undeclared/proto")));
    assert.deepEqual(
      problems.map((problem) => problem.slice(0, problem.indexOf(" is no longer readable"))),
      [
        "entity shop.Carts (persistence id Carts): stored event type shop.ItemAdded (type.googleapis.com/shop.ItemAdded)",
        "entity shop.Carts (persistence id Carts): stored event type shop.ItemPicked (type.googleapis.com/shop.ItemPicked)",
        "entity shop.Carts (persistence id Carts): stored state type shop.Cart (type.googleapis.com/shop.Cart)",
        "entity shop.Profiles (persistence id Profiles): stored state type shop.Profile (type.googleapis.com/shop.Profile)",
      ],
    );
    assert.deepEqual(checkLock(lock, storedTypesOf(join(EVOLUTION, "v2/proto"))).problems, []);
  });

  it("journals with v1, then v2 reads every entity back intact and writes its own types", async () => {
    const port = await freePort();
    const database = { flavour: "postgres" as const, postgres: postgres.connection, port };
    const before: Record<string, { lines: [string, number][]; notes: string[] }> = {};
    {
      await using env = await CloudstateTestEnvironment.start({ entities: [v1.carts, v1.profiles], ...database });
      const carts = env.client(CartsV1);
      for (const [cartId, commands] of Object.entries(CART_COMMANDS)) {
        for (const command of commands) {
          if (command[0] === "add") await carts.add({ cartId, sku: command[1], quantity: command[2] });
          else if (command[0] === "pick") await carts.pick({ cartId, sku: command[1] });
          else await carts.note({ cartId, text: command[1] });
        }
        const cart = await carts.get({ cartId });
        before[cartId] = { lines: cart.lines.map((line) => [line.sku, line.quantity]), notes: cart.notes };
      }
      const profiles = env.client(ProfilesV1);
      for (const [userId, name] of Object.entries(NAMES)) await profiles.setName({ userId, name });
    }
    // What v1 left in the database: every event, the snapshots, both values.
    assert.equal(postgres.query("SELECT count(*) FROM journal").trim(), "17");
    assert.equal(postgres.query("SELECT count(*) FROM snapshot").trim(), "4");
    assert.equal(postgres.query("SELECT count(*) FROM value_entity_state").trim(), "2");

    // v2 deployed on the same database: a new user function and a new proxy.
    await using env = await CloudstateTestEnvironment.start({ entities: [v2.carts, v2.profiles], ...database });
    const carts = env.client(CartsV2);
    for (const [cartId, was] of Object.entries(before)) {
      const cart = await carts.get({ cartId });
      assert.deepEqual(
        { lines: cart.lines.map((line) => [line.sku, line.quantity]), notes: cart.notes },
        was,
        `cart ${cartId}`,
      );
      const total = was.lines.reduce((sum, [, quantity]) => sum + quantity, 0);
      assert.equal(cart.totalQuantity, total, `cart ${cartId}'s total, from v1's snapshot through its upcaster`);
    }
    const profiles = env.client(ProfilesV2);
    for (const [userId, name] of Object.entries(NAMES)) {
      assert.deepEqual(await profiles.get({ userId }), { $type: "shop.profiles.Profile", name, renames: 0 });
    }

    // v2 writes its own types, and reads them back after its user function restarts.
    await carts.add({ cartId: "c1", sku: "lime", quantity: 1, addedBy: "ann" });
    await profiles.setName({ userId: "ann", name: "Anna" });
    await env.restartUserFunction();
    const c1 = await retryUntil("c1 after the restart", () => carts.get({ cartId: "c1" }), 60_000);
    assert.deepEqual(c1.lines.at(-1), { $type: "shop.state.Line", sku: "lime", quantity: 1 });
    assert.equal(c1.totalQuantity, 8);
    const ann = await retryUntil("ann after the restart", () => profiles.get({ userId: "ann" }), 60_000);
    assert.deepEqual(ann, { $type: "shop.profiles.Profile", name: "Anna", renames: 1 });
    // What the journal holds now: v2's event under its own name.
    assert.equal(
      postgres
        .query(
          "SELECT count(*) FROM journal WHERE position('shop.events.LineItemAdded' in encode(message, 'escape')) > 0",
        )
        .trim(),
      "1",
    );
  });
});
