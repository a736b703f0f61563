/**
 * End to end: the real Cloudstate 0.6.0 proxy (resolved with Maven, development mode, in-memory journal) in front
 * of the shopping cart served by this library, driven through the proxy's public gRPC and HTTP/JSON API.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClientError, Status } from "nice-grpc";
import { CloudstateTestEnvironment, retryUntil } from "cloudstate-ts-devkit";
import { ShoppingCartDefinition, type ShoppingCartClient } from "../gen/com/example/shoppingcart/shoppingcart.js";
import { shoppingCart } from "../src/cart.js";

const SERVICE = "com.example.shoppingcart.ShoppingCart";

describe("shopping cart behind the real Cloudstate proxy", () => {
  let env: CloudstateTestEnvironment;
  let cart: ShoppingCartClient;
  let base: string;

  before(async () => {
    env = await CloudstateTestEnvironment.start({ entities: [shoppingCart] });
    cart = env.client(ShoppingCartDefinition);
    base = env.httpUrl;
    // Online means discovery succeeded; the entity's shard may still be starting, so the first call is retried.
    await retryUntil("the first GetCart through the proxy", () => cart.getCart({ userId: "warm-up" }), 60_000);
  });

  after(async () => {
    await env?.stop();
  });

  it("was discovered by the proxy with protocol 0.2", () => {
    assert.match(env.userFunctionLog, /discovery from cloudstate-proxy-core 0\.6\.0 \(protocol 0\.2\)/);
    assert.match(env.proxyLog, /CloudState proxy online at \/127\.0\.0\.1:\d+/);
    assert.doesNotMatch(env.proxyLog, /incompatible|protocol version|NullPointerException/i);
  });

  it("serves an empty cart, then adds and removes items over gRPC", async () => {
    assert.deepEqual((await cart.getCart({ userId: "grpc" })).items, []);
    await cart.addItem({ userId: "grpc", productId: "apple", name: "Apple", quantity: 2 });
    await cart.addItem({ userId: "grpc", productId: "pear", name: "Pear", quantity: 1 });
    await cart.addItem({ userId: "grpc", productId: "apple", name: "Apple", quantity: 3 });
    await cart.removeItem({ userId: "grpc", productId: "pear" });
    const items = (await cart.getCart({ userId: "grpc" })).items.map((i) => [i.productId, i.name, i.quantity]);
    assert.deepEqual(items, [["apple", "Apple", 5]]);
  });

  it("lists the service through server reflection", async () => {
    assert.ok((await env.listServices()).includes(SERVICE));
  });

  it("serves the HTTP/JSON routes", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    assert.equal((await post("/cart/http/items/add", { productId: "fig", name: "Fig", quantity: 4 })).status, 200);
    assert.equal((await post("/cart/http/items/add", { productId: "kiwi", name: "Kiwi", quantity: 1 })).status, 200);
    assert.equal((await post("/cart/http/items/kiwi/remove", {})).status, 200);
    const cartJson = (await (await fetch(`${base}/carts/http`)).json()) as {
      items: { productId: string; quantity: number }[];
    };
    assert.deepEqual(
      cartJson.items.map((i) => [i.productId, i.quantity]),
      [["fig", 4]],
    );
    const itemsJson = (await (await fetch(`${base}/carts/http/items`)).json()) as { productId: string }[];
    assert.deepEqual(
      itemsJson.map((i) => i.productId),
      ["fig"],
    );
  });

  it("reaches the client with an error when a command fails", async () => {
    await assert.rejects(cart.addItem({ userId: "fail", productId: "apple", name: "Apple", quantity: 0 }), (error) => {
      assert.ok(error instanceof ClientError, `expected a ClientError, got ${String(error)}`);
      // The proxy passes a failure on as UNKNOWN with its description.
      assert.equal(error.code, Status.UNKNOWN);
      assert.match(error.details, /Cannot add a quantity of 0 of apple/);
      return true;
    });
    await assert.rejects(cart.removeItem({ userId: "fail", productId: "nothing" }), /not in the cart/);
    const http = await fetch(`${base}/cart/fail/items/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productId: "fig", name: "Fig", quantity: -1 }),
    });
    assert.equal(http.status, 500);
    assert.match(await http.text(), /Cannot add a quantity of -1 of fig/);
  });

  it("keeps the cart when the user function crashes and is restarted", async () => {
    await cart.addItem({ userId: "durable", productId: "plum", name: "Plum", quantity: 7 });
    await env.restartUserFunction({ crash: true });
    const items = await retryUntil(
      "GetCart after the restart",
      async () => (await cart.getCart({ userId: "durable" })).items.map((i) => [i.productId, i.quantity]),
      60_000,
    );
    assert.deepEqual(items, [["plum", 7]]);
  });
});
