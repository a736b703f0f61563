// The user function: serves the actions on HOST:PORT (default 127.0.0.1:8080) for the Cloudstate proxy, with
// traces and metrics when the OpenTelemetry variables ask for them (see telemetry.ts).
import { serve } from "cloudstate-ts";
import { greeter } from "./greeter.js";
import { telemetry } from "./telemetry.js";

const observed = await telemetry("__SERVICE_NAME__");
await serve({ entities: [greeter], serviceName: "__SERVICE_NAME__", ...(observed && { observer: observed.observer }) });
