// Traces and metrics of every command, only when the environment asks for them (the standard OpenTelemetry
// variables):
//
//   OTEL_EXPORTER_OTLP_ENDPOINT      spans and metrics go there over OTLP/HTTP (an OpenTelemetry Collector, Jaeger),
//                                    e.g. http://otel-collector:4318 (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and
//                                    _METRICS_ENDPOINT, _HEADERS and the rest are read by the exporters themselves)
//   OTEL_METRICS_EXPORTER            "otlp" (the default), "prometheus", both ("prometheus,otlp") or "none"
//   OTEL_EXPORTER_PROMETHEUS_PORT    with "prometheus": the port of the /metrics endpoint (default 9464), and
//   OTEL_EXPORTER_PROMETHEUS_HOST    its address (default 0.0.0.0)
//   OTEL_TRACES_EXPORTER             "none" turns tracing off
//   OTEL_SERVICE_NAME                the service's name in traces and metrics (default: this project's)
//   OTEL_SDK_DISABLED                "true" turns everything off
//   OTEL_BSP_SCHEDULE_DELAY          how often spans are sent, in ms (default 5000)
//   OTEL_METRIC_EXPORT_INTERVAL      how often OTLP metrics are sent, in ms (default 60000)
//
// With none of them set, nothing starts and the OpenTelemetry SDK is never loaded (its imports are dynamic).
import type { Observer } from "cloudstate-ts";

/** What telemetry started: the observer to give `serve`, and how to flush and stop it. */
export interface Telemetry {
  readonly observer: Observer;
  /** Exports what is buffered and stops the exporters. */
  shutdown(): Promise<void>;
}

/** Telemetry as the environment asks for it, or undefined when it asks for none. */
export async function telemetry(serviceName: string, env = process.env): Promise<Telemetry | undefined> {
  if (env["OTEL_SDK_DISABLED"]?.trim().toLowerCase() === "true") return undefined;
  const otlp = Boolean(
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] ||
    env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ||
    env["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"],
  );
  const metricsExporters = (env["OTEL_METRICS_EXPORTER"] || "otlp").split(",").map((e) => e.trim().toLowerCase());
  const tracing = otlp && env["OTEL_TRACES_EXPORTER"]?.trim().toLowerCase() !== "none";
  // OTLP export needs somewhere to send to; without an endpoint, "otlp" in the list means nothing.
  const otlpMetrics = otlp && metricsExporters.includes("otlp");
  const prometheus = metricsExporters.includes("prometheus");
  if (!tracing && !otlpMetrics && !prometheus) return undefined;

  const [api, { AsyncLocalStorageContextManager }, resources, { openTelemetry }] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/resources"),
    import("cloudstate-ts/opentelemetry"),
  ]);
  // So that a handler's own spans (a database call) are children of its command's span.
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the project's name.
  const resource = resources
    .resourceFromAttributes({ "service.name": serviceName })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const providers: { forceFlush(): Promise<void>; shutdown(): Promise<void> }[] = [];

  if (tracing) {
    const { TracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace");
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    // Spans are exported in batches, off the command's path; a collector that is down only loses spans.
    const provider = new TracerProvider({
      resource,
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter(),
          ...positive(env, "OTEL_BSP_SCHEDULE_DELAY", "scheduledDelayMillis"),
        }),
      ],
    });
    api.trace.setGlobalTracerProvider(provider);
    providers.push(provider);
  }
  if (otlpMetrics || prometheus) {
    const { MeterProvider, PeriodicExportingMetricReader } = await import("@opentelemetry/sdk-metrics");
    const readers = [];
    if (otlpMetrics) {
      const { OTLPMetricExporter } = await import("@opentelemetry/exporter-metrics-otlp-http");
      const interval = positive(env, "OTEL_METRIC_EXPORT_INTERVAL", "exportIntervalMillis");
      const timeout = Math.min(30_000, interval.exportIntervalMillis ?? 30_000);
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter(),
          ...interval,
          exportTimeoutMillis: timeout,
        }),
      );
    }
    if (prometheus) {
      const { PrometheusExporter } = await import("@opentelemetry/exporter-prometheus");
      const port = Number(env["OTEL_EXPORTER_PROMETHEUS_PORT"] || 9464);
      readers.push(new PrometheusExporter({ host: env["OTEL_EXPORTER_PROMETHEUS_HOST"] || "0.0.0.0", port }));
    }
    const provider = new MeterProvider({ resource, readers });
    api.metrics.setGlobalMeterProvider(provider);
    providers.push(provider);
  }
  // serve() ends the process once its streams are drained after SIGTERM or SIGINT: export what is buffered now.
  // Spans of commands that finish during the drain may still be lost (up to OTEL_BSP_SCHEDULE_DELAY, 5 s).
  const flush = (): void => void Promise.allSettled(providers.map((p) => p.forceFlush()));
  process.once("SIGTERM", flush);
  process.once("SIGINT", flush);
  return {
    observer: openTelemetry({ tracing, metrics: otlpMetrics || prometheus }),
    shutdown: async () => {
      process.off("SIGTERM", flush);
      process.off("SIGINT", flush);
      await Promise.allSettled(providers.map((p) => p.shutdown()));
    },
  };
}

/** `{ [option]: n }` for a positive number in the variable `name`, else nothing (the SDK's default). */
function positive<K extends string>(env: NodeJS.ProcessEnv, name: string, option: K): { [key in K]?: number } {
  const value = Number(env[name]);
  return Number.isFinite(value) && value > 0 ? ({ [option]: value } as { [key in K]: number }) : {};
}
