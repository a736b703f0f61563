/**
 * The cost of observation: shopping-cart commands through the unit testkit (checks off, so the runtime's own path
 * dominates) with no observer, and with `cloudstate-ts/opentelemetry`'s tracing and metrics on real SDK providers
 * (spans batched to an exporter that drops them, metrics aggregated in memory).
 */
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from "@opentelemetry/sdk-trace";
import { openTelemetry } from "cloudstate-ts/opentelemetry";
import { testkitThroughput, type TestkitFigures } from "./testkit.js";

class Dropping implements SpanExporter {
  export(_spans: unknown[], done: (result: { code: 0 }) => void): void {
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

class Idle extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Commands per second with observation off, then on; the entity count and commands per entity as given. */
export async function observationCost(
  entities: number,
  perEntity: number,
): Promise<{ off: TestkitFigures; on: TestkitFigures }> {
  await testkitThroughput(entities, perEntity, false); // warm-up
  const off = await testkitThroughput(entities, perEntity, false);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new Dropping() })] });
  const meterProvider = new MeterProvider({ readers: [new Idle()] });
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  try {
    const observer = openTelemetry();
    await testkitThroughput(entities, perEntity, false, observer); // warm-up
    const on = await testkitThroughput(entities, perEntity, false, observer);
    return { off, on };
  } finally {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    context.disable();
  }
}
