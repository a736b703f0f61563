/**
 * The soak's user function: the shopping cart (event-sourced, a snapshot every 5 events) and the tallies (a value
 * entity) in one process, so one `kill -9` hits both kinds at once. Listens on HOST/PORT like any user function.
 */
import { serve } from "cloudstate-ts";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { tallies } from "./tally.js";

await serve({ entities: [shoppingCart, tallies], serviceName: "cloudstate-ts-soak", serviceVersion: "0.1.0" });
