// The shopping cart behind the real Cloudstate proxy (development mode: in-memory journal), over gRPC and over
// the HTTP/JSON routes of proto/cart/cart.proto. Needs Java 17 and Maven, which resolve the proxy.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CloudstateTestEnvironment, retryUntil } from "cloudstate-ts-devkit";
import { ShoppingCartDefinition } from "../../gen/cart/cart.js";
import { shoppingCart } from "../../src/cart.js";

describe("the shopping cart behind the proxy", { timeout: 300_000 }, () => {
  let env: CloudstateTestEnvironment;
  before(async () => {
    env = await CloudstateTestEnvironment.start({ entities: [shoppingCart] });
  });
  after(async () => {
    await env.stop();
  });

  it("adds, merges and removes items over gRPC", async () => {
    const carts = env.client(ShoppingCartDefinition);
    await carts.addItem({ cartId: "grpc", productId: "fig", name: "Fig", quantity: 2 });
    await carts.addItem({ cartId: "grpc", productId: "fig", name: "Fig", quantity: 3 });
    await carts.addItem({ cartId: "grpc", productId: "kiwi", name: "Kiwi", quantity: 1 });
    await carts.removeItem({ cartId: "grpc", productId: "kiwi" });
    const cart = await carts.getCart({ cartId: "grpc" });
    assert.deepEqual(
      cart.items.map((item) => [item.productId, item.quantity]),
      [["fig", 5]],
    );
  });

  it("refuses a quantity below one, and the cart stays as it was", async () => {
    const carts = env.client(ShoppingCartDefinition);
    await assert.rejects(
      carts.addItem({ cartId: "bad", productId: "fig", name: "Fig", quantity: 0 }),
      /Cannot add a quantity of 0 of fig/,
    );
    assert.deepEqual((await carts.getCart({ cartId: "bad" })).items, []);
  });

  it("serves the HTTP/JSON routes", async () => {
    const add = await fetch(`${env.httpUrl}/carts/http/items/add`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ productId: "pear", name: "Pear", quantity: 4 }),
    });
    assert.equal(add.status, 200, await add.text());
    const cart = (await (await fetch(`${env.httpUrl}/carts/http`)).json()) as {
      items: { productId: string; quantity: number }[];
    };
    assert.deepEqual(cart.items, [{ productId: "pear", name: "Pear", quantity: 4 }]);
  });

  it("keeps the cart when the user function restarts", async () => {
    const carts = env.client(ShoppingCartDefinition);
    await carts.addItem({ cartId: "kept", productId: "fig", name: "Fig", quantity: 1 });
    await env.restartUserFunction();
    // The proxy restarts the entity on its next command, replaying its journal. A command that reaches it while
    // the proxy is still stopping the old one is lost or fails ("Unexpected entity termination") without reaching
    // the user function, so read until it answers: the environment bounds that first call (10 s by default).
    const items = await retryUntil(
      "GetCart after the restart",
      async () => (await carts.getCart({ cartId: "kept" })).items,
      60_000,
    );
    assert.equal(items[0]?.quantity, 1);
    await carts.addItem({ cartId: "kept", productId: "fig", name: "Fig", quantity: 1 });
    assert.equal((await carts.getCart({ cartId: "kept" })).items[0]?.quantity, 2);
  });
});
