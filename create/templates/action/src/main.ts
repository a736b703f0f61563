// The user function: serves the actions on HOST:PORT (default 127.0.0.1:8080) for the Cloudstate proxy.
import { serve } from "cloudstate-ts";
import { greeter } from "./greeter.js";

await serve({ entities: [greeter], serviceName: "__SERVICE_NAME__" });
