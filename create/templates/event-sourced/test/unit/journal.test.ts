// Recorded journals: what earlier versions of this service stored (each event's type URL and bytes, as the proxy
// keeps them), replayed against today's code. A rename or reshape of a stored type that would strand old carts
// fails here, not in production. Record one with `cart.saveJournal("test/journals/<name>.json")` on the unit
// testkit and commit it; keep the files when the code that wrote them is gone (docs/evolution.md of cloudstate-ts).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { EventSourcedTestKit } from "cloudstate-ts/testkit";
import { shoppingCart } from "../../src/cart.js";

const journals = fileURLToPath(new URL("../journals/", import.meta.url));

describe("recorded journals", () => {
  for (const file of readdirSync(journals).filter((name) => name.endsWith(".json"))) {
    it(`${file} recovers to the state it recorded`, async () => {
      // Fails, naming the event and its type, when today's code cannot read what was stored.
      await EventSourcedTestKit.replayJournal(shoppingCart, `${journals}${file}`);
    });
  }

  it("cart-c1: a fig added, a kiwi added and removed", async () => {
    const cart = await EventSourcedTestKit.replayJournal(shoppingCart, `${journals}cart-c1.json`);
    assert.deepEqual(
      cart.state.items.map((item) => [item.productId, item.quantity]),
      [["fig", 2]],
    );
    assert.equal(cart.sequence, 3);
  });
});
