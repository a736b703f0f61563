/**
 * OpenTelemetry with in-memory exporters, as a user's unit test would set it up around a testkit (the testkits take
 * the integration's observer as `observer`): finished spans, and metrics collected on demand.
 */
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader, type DataPoint } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace";

/** A reader that exports nothing by itself: `collect()` reads the meters when the test asks. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Spans and metrics of everything observed through `tracer` and `meter`. */
export interface InMemoryTelemetry {
  readonly tracer: ReturnType<TracerProvider["getTracer"]>;
  readonly meter: ReturnType<MeterProvider["getMeter"]>;
  /** The spans ended so far. */
  spans(): readonly ReadableSpan[];
  /** The data points of the metric `name` now, each with its attributes. */
  points(name: string): Promise<readonly DataPoint<unknown>[]>;
}

let contextManagerSet = false;

/** Sets up in-memory tracing and metrics; the tracer provider is also made global (a handler's own spans use it). */
export function inMemoryTelemetry(): InMemoryTelemetry {
  if (!contextManagerSet) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.disable();
  trace.setGlobalTracerProvider(tracerProvider);
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracer: tracerProvider.getTracer("test"),
    meter: meterProvider.getMeter("test"),
    spans: () => exporter.getFinishedSpans(),
    async points(name) {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
      return metric?.dataPoints ?? [];
    },
  };
}
