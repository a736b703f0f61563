/**
 * `npm run demo`: the shopping cart behind the real Cloudstate proxy (development mode, in-memory journal), with
 * a few requests through the proxy's gRPC and HTTP/JSON API printed as they go. Everything is stopped at the end.
 */
import { createChannel, createClient } from "nice-grpc";
import { ShoppingCartDefinition } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { freePort } from "./processes.js";
import { ProxyUnavailable, proxyClasspath, startProxy, startUserFunction } from "./proxy.js";

let classpath: string;
try {
  console.log("Resolving the Cloudstate proxy with Maven ...");
  classpath = proxyClasspath();
} catch (error) {
  if (error instanceof ProxyUnavailable) {
    console.error(`\nThe Cloudstate proxy is not available here.\n${error.message}`);
    process.exit(2);
  }
  throw error;
}

const userFunctionPort = await freePort();
const userFunction = await startUserFunction("shopping-cart", userFunctionPort);
console.log(`Shopping cart user function on 127.0.0.1:${userFunctionPort}`);
const proxy = await startProxy(classpath, userFunctionPort);
console.log(`Cloudstate proxy on 127.0.0.1:${proxy.port}\n`);
const channel = createChannel(`127.0.0.1:${proxy.port}`);
const cart = createClient(ShoppingCartDefinition, channel);
try {
  const show = (label: string, value: unknown): void => console.log(`${label}\n  -> ${JSON.stringify(value)}`);
  for (let attempt = 0; ; attempt++) {
    try {
      show("gRPC GetCart {userId: 'alice'}", await cart.getCart({ userId: "alice" }));
      break;
    } catch (error) {
      if (attempt > 60) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await cart.addItem({ userId: "alice", productId: "apple", name: "Apple", quantity: 3 });
  show("gRPC AddItem {userId: 'alice', productId: 'apple', quantity: 3}", {});
  const response = await fetch(`http://127.0.0.1:${proxy.port}/cart/alice/items/add`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ productId: "pear", name: "Pear", quantity: 2 }),
  });
  show("HTTP POST /cart/alice/items/add {productId: 'pear', quantity: 2}", response.status);
  show("HTTP GET /carts/alice", await (await fetch(`http://127.0.0.1:${proxy.port}/carts/alice`)).json());
  try {
    await cart.removeItem({ userId: "alice", productId: "kiwi" });
  } catch (error) {
    show("gRPC RemoveItem {userId: 'alice', productId: 'kiwi'} (not in the cart)", String(error));
  }
} finally {
  channel.close();
  await proxy.stop();
  await userFunction.stop();
}
