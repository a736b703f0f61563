/** Serves the shopping cart on HOST:PORT (default 127.0.0.1:8080) for the Cloudstate proxy. */
import { serve } from "cloudstate-ts";
import { shoppingCart } from "./cart.js";

await serve({ entities: [shoppingCart], serviceName: "shopping-cart", serviceVersion: "0.1.0" });
