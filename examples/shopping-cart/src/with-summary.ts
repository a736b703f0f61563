/**
 * Serves the shopping cart and the cart summary on HOST:PORT. The summary publishes to a topic, so the proxy must
 * have topic support configured (Google Pub/Sub, `cloudstate.proxy.eventing.support = google-pubsub`): without
 * it, the 0.6.0 proxy refuses the user function at discovery.
 */
import { serve } from "cloudstate-ts";
import { shoppingCart } from "./cart.js";
import { cartSummary } from "./summary.js";

await serve({ entities: [shoppingCart, cartSummary], serviceName: "shopping-cart", serviceVersion: "0.1.0" });
