// The user function: serves the actions on HOST:PORT (default 127.0.0.1:8080) for the Cloudstate proxy.
import { serve } from "cloudstate-ts";
import { telemetry } from "./telemetry.js";
import { greeter } from "./greeter.js";

// Tracing and metrics when OTEL_EXPORTER_OTLP_ENDPOINT or METRICS_PORT is set (see src/telemetry.ts).
const observer = await telemetry("__SERVICE_NAME__");
await serve({ entities: [greeter], serviceName: "__SERVICE_NAME__", ...(observer && { observer }) });
