/**
 * Writes test/evolution/journals/ with v1's code: the stored data the evolution suites replay against v2.
 * Run once (`node --import tsx test/evolution/record-journals.ts`); the files are committed, as a project keeps
 * its recorded journals after the code that wrote them is gone.
 */
import { join } from "node:path";
import { EventSourcedTestKit, ValueEntityTestKit } from "../../runtime/testkit/index.js";
import { ROOT } from "../support/root.js";
import { carts, profiles } from "./v1/src/shop.js";

const JOURNALS = join(ROOT, "test/evolution/journals");

// Five events: a snapshot (shop.Cart) after the third.
const c1 = await EventSourcedTestKit.create(carts, { entityId: "c1" });
await c1.call("add", { cartId: "c1", sku: "apple", quantity: 2 });
await c1.call("pick", { cartId: "c1", sku: "pear" });
await c1.call("note", { cartId: "c1", text: "gift wrap" });
await c1.call("add", { cartId: "c1", sku: "fig", quantity: 3 });
await c1.call("pick", { cartId: "c1", sku: "kiwi" });
c1.saveJournal(join(JOURNALS, "cart-c1.json"));
c1.saveJournal(join(JOURNALS, "cart-c1-from-snapshot.json"), "last-snapshot");

// Added items only: no retired event in its journal.
const c2 = await EventSourcedTestKit.create(carts, { entityId: "c2" });
await c2.call("add", { cartId: "c2", sku: "plum", quantity: 4 });
c2.saveJournal(join(JOURNALS, "cart-c2.json"));

const ann = await ValueEntityTestKit.create(profiles, { entityId: "ann" });
await ann.call("setName", { userId: "ann", name: "Ann" });
ann.saveJournal(join(JOURNALS, "profile-ann.json"));
console.log(`recorded journals in ${JOURNALS}`);
