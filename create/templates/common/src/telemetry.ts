// Tracing and metrics, only when asked for: with OTEL_EXPORTER_OTLP_ENDPOINT set, spans go there over OTLP/HTTP
// (to Jaeger, an OpenTelemetry Collector, ...); with METRICS_PORT set, a Prometheus endpoint serves /metrics on it.
// With neither, nothing starts and no OpenTelemetry SDK is loaded.
import type { Observer } from "cloudstate-ts";

/** The observer to give `serve`, or undefined when telemetry is off. */
export async function telemetry(serviceName: string, env = process.env): Promise<Observer | undefined> {
  const endpoint = env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  const metricsPort = env["METRICS_PORT"];
  if (!endpoint && !metricsPort) return undefined;
  const [{ context }, { AsyncLocalStorageContextManager }, { resourceFromAttributes }, { openTelemetry }] =
    await Promise.all([
      import("@opentelemetry/api"),
      import("@opentelemetry/context-async-hooks"),
      import("@opentelemetry/resources"),
      import("cloudstate-ts/opentelemetry"),
    ]);
  // So that a handler's own spans (a database call) are children of its command's span.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const resource = resourceFromAttributes({ "service.name": env["OTEL_SERVICE_NAME"] ?? serviceName });
  const options: Parameters<typeof openTelemetry>[0] = { tracing: Boolean(endpoint), metrics: Boolean(metricsPort) };
  let tracer;
  let meter;
  if (endpoint) {
    const { TracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace");
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS) itself; a collector that is down only loses spans.
    const provider = new TracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
    });
    tracer = provider.getTracer("cloudstate-ts");
    process.once("beforeExit", () => void provider.shutdown());
  }
  if (metricsPort) {
    const { MeterProvider } = await import("@opentelemetry/sdk-metrics");
    const { PrometheusExporter } = await import("@opentelemetry/exporter-prometheus");
    const exporter = new PrometheusExporter({ host: env["METRICS_HOST"] ?? "0.0.0.0", port: Number(metricsPort) });
    meter = new MeterProvider({ resource, readers: [exporter] }).getMeter("cloudstate-ts");
  }
  return openTelemetry({ ...options, ...(tracer && { tracer }), ...(meter && { meter }) });
}
