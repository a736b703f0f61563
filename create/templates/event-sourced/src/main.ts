// The user function: serves the entities on HOST:PORT (default 127.0.0.1:8080) for the Cloudstate proxy.
import { serve } from "cloudstate-ts";
import { shoppingCart } from "./cart.js";

await serve({ entities: [shoppingCart], serviceName: "__SERVICE_NAME__" });
