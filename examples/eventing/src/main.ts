/**
 * Serves the eventing example on HOST:PORT (default 127.0.0.1:8080). Its rpcs are fed by Pub/Sub topics, so the
 * proxy needs topic support (`cloudstate.proxy.eventing.support = google-pubsub`, see docs/eventing.md): without
 * it, the 0.6.0 proxy refuses the user function at discovery.
 */
import { serve } from "cloudstate-ts";
import { greetingCounter, greetingListener, shouter } from "./greetings.js";

await serve({
  entities: [greetingListener, shouter, greetingCounter],
  serviceName: "eventing",
  serviceVersion: "0.1.0",
});
