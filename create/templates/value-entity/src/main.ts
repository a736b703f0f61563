// The user function: serves the entities on HOST:PORT (default 127.0.0.1:8080) for the Cloudstate proxy.
import { serve } from "cloudstate-ts";
import { counter } from "./counter.js";

await serve({ entities: [counter], serviceName: "__SERVICE_NAME__" });
