/**
 * `npm run demo`: the shopping cart behind the real Cloudstate proxy (development mode, in-memory journal), with a
 * few requests through the proxy's gRPC and HTTP/JSON API and their answers, a failure included. Everything it
 * starts is stopped at the end, on an error, and on Ctrl-C.
 */
import { ClientError, Status } from "nice-grpc";
import { CloudstateTestEnvironment, retryUntil } from "cloudstate-ts-devkit";
import { ShoppingCartDefinition } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";

/** Prints a request and its answer; messages without ts-proto's `$type` tags. */
const show = (request: string, answer: unknown): void =>
  console.log(
    `${request}\n  -> ${typeof answer === "string" ? answer : JSON.stringify(answer, (key, value: unknown) => (key === "$type" ? undefined : value))}`,
  );

async function demo(env: CloudstateTestEnvironment): Promise<void> {
  const base = env.httpUrl;
  const cart = env.client(ShoppingCartDefinition);
  {
    show("gRPC  GetCart {userId: alice}", await retryUntil("GetCart", () => cart.getCart({ userId: "alice" }), 60_000));
    show(
      "gRPC  AddItem {userId: alice, productId: apple, name: Apple, quantity: 3}",
      await cart.addItem({ userId: "alice", productId: "apple", name: "Apple", quantity: 3 }),
    );
    const added = await fetch(`${base}/cart/alice/items/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productId: "pear", name: "Pear", quantity: 2 }),
    });
    show(
      `HTTP  POST /cart/alice/items/add {"productId":"pear","name":"Pear","quantity":2}`,
      `${added.status} ${await added.text()}`,
    );
    const got = await fetch(`${base}/carts/alice`);
    show("HTTP  GET /carts/alice", `${got.status} ${await got.text()}`);
    show(
      "gRPC  RemoveItem {userId: alice, productId: apple}",
      await cart.removeItem({ userId: "alice", productId: "apple" }),
    );
    show("gRPC  GetCart {userId: alice}", await cart.getCart({ userId: "alice" }));
    try {
      await cart.removeItem({ userId: "alice", productId: "kiwi" });
      throw new Error("removing an item that is not in the cart succeeded");
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      show(
        "gRPC  RemoveItem {userId: alice, productId: kiwi}   (not in the cart)",
        `${Status[error.code]}: ${error.details}`,
      );
    }
    const failed = await fetch(`${base}/cart/alice/items/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productId: "fig", name: "Fig", quantity: 0 }),
    });
    show(
      `HTTP  POST /cart/alice/items/add {"productId":"fig","name":"Fig","quantity":0}`,
      `${failed.status} ${await failed.text()}`,
    );
  }
}

let env: CloudstateTestEnvironment | undefined;
try {
  console.log("Starting the shopping cart and the Cloudstate proxy in front of it (resolved with Maven) ...");
  env = await CloudstateTestEnvironment.start({ entities: [shoppingCart] });
  console.log(`Shopping cart user function listening on 127.0.0.1:${env.userFunctionPort}`);
  console.log(`${env.proxyLog.match(/CloudState proxy online at \S+/)?.[0] ?? "proxy online"}\n`);
  await demo(env);
  console.log("\nStopping the proxy and the user function ...");
} catch (error) {
  console.error(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}`);
  if (env !== undefined) console.error(`\nThe proxy's last lines:\n${env.proxy.process.tail(20)}`);
  process.exitCode = 1;
} finally {
  await env?.stop();
}
