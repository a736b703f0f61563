/**
 * End to end: the real Cloudstate 0.6.0 proxy (from Maven Central, development mode, in-memory journal) in front
 * of the shopping cart served by this library, driven through the proxy's public gRPC and HTTP/JSON API.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createChannel, createClient, ServerError, Status, type Channel } from "nice-grpc";
import {
  ShoppingCartDefinition,
  type ShoppingCartClient,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { freePort, type Started } from "./processes.js";
import { proxyClasspath, startProxy, startUserFunction, type RunningProxy } from "./proxy.js";
import { listServices } from "./reflection.js";

const SERVICE = "com.example.shoppingcart.ShoppingCart";

describe("shopping cart behind the real Cloudstate proxy", () => {
  let userFunctionPort: number;
  let userFunction: Started;
  let proxy: RunningProxy;
  let channel: Channel;
  let cart: ShoppingCartClient;
  let base: string;

  before(async () => {
    const classpath = proxyClasspath();
    userFunctionPort = await freePort();
    userFunction = await startUserFunction("shopping-cart", userFunctionPort);
    proxy = await startProxy(classpath, userFunctionPort);
    channel = createChannel(`127.0.0.1:${proxy.port}`);
    cart = createClient(ShoppingCartDefinition, channel);
    base = `http://127.0.0.1:${proxy.port}`;
    // The proxy serves the entity once discovery succeeded; wait for the first answer.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await cart.getCart({ userId: "warm-up" });
        break;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`the proxy never served the cart: ${String(error)}\n${proxy.process.tail()}`, {
            cause: error,
          });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });

  after(async () => {
    channel?.close();
    await proxy?.stop();
    await userFunction?.stop();
  });

  it("was discovered by the proxy with protocol 0.2", () => {
    assert.match(userFunction.output, /discovery from .* \(protocol 0\.2\)/);
    assert.doesNotMatch(proxy.process.output, /incompatible|protocol version/i);
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
    assert.ok((await listServices(`127.0.0.1:${proxy.port}`)).includes(SERVICE));
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
      assert.ok(error instanceof ServerError);
      assert.notEqual(error.code, Status.OK);
      assert.match(error.details, /Cannot add a quantity of 0 of apple/);
      return true;
    });
    await assert.rejects(cart.removeItem({ userId: "fail", productId: "nothing" }), /not in the cart/);
  });

  it("keeps the cart when the user function is killed and restarted", async () => {
    await cart.addItem({ userId: "durable", productId: "plum", name: "Plum", quantity: 7 });
    await userFunction.stop("SIGKILL");
    userFunction = await startUserFunction("shopping-cart", userFunctionPort);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const items = (await cart.getCart({ userId: "durable" })).items.map((i) => [i.productId, i.quantity]);
        assert.deepEqual(items, [["plum", 7]]);
        break;
      } catch (error) {
        if (error instanceof assert.AssertionError || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });
});
