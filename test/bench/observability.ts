/**
 * The cost of observation: shopping-cart commands through the unit testkit (checks off, so the runtime's own path
 * dominates) with no observer, and with `cloudstate-ts/opentelemetry`'s tracing and metrics (together and each
 * alone) on real SDK providers (spans batched to an exporter that drops them, metrics aggregated in memory). "Off"
 * runs with no OpenTelemetry at all; the others with a context manager, as a traced service runs.
 */
import { context } from "@opentelemetry/api";
import type { Observer } from "cloudstate-ts";
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

/** The figures of each setting: observation off, tracing and metrics on, each alone. */
export interface ObservationCost {
  readonly off: TestkitFigures;
  readonly on: TestkitFigures;
  readonly tracingOnly: TestkitFigures;
  readonly metricsOnly: TestkitFigures;
  /** How many rounds each setting ran; each figure is its fastest round. */
  readonly rounds: number;
}

/**
 * Commands per second with observation off and on (tracing and metrics, and each alone), the entity count and
 * commands per entity as given. The settings take turns, `rounds` times, and each keeps its fastest round: on a
 * loaded machine the fastest is the one least disturbed by other work.
 */
export async function observationCost(entities: number, perEntity: number, rounds = 5): Promise<ObservationCost> {
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new Dropping() })] });
  const meterProvider = new MeterProvider({ readers: [new Idle()] });
  const observed = {
    on: openTelemetry({ tracer: tracerProvider.getTracer("bench"), meter: meterProvider.getMeter("bench") }),
    tracingOnly: openTelemetry({ tracer: tracerProvider.getTracer("bench"), metrics: false }),
    metricsOnly: openTelemetry({ meter: meterProvider.getMeter("bench"), tracing: false }),
  };
  const best = new Map<string, TestkitFigures>();
  const run = async (name: string, observer?: Observer): Promise<void> => {
    const figures = await testkitThroughput(entities, perEntity, false, observer);
    const fastest = best.get(name);
    if (fastest === undefined || figures.commandsPerSecond > fastest.commandsPerSecond) best.set(name, figures);
  };
  try {
    // Round 0 warms up and is not counted.
    for (let round = 0; round <= rounds; round++) {
      if (round === 1) best.clear();
      // Off: no observer and no OpenTelemetry at all, as a service that does not turn it on.
      await run("off");
      // On: as a traced service runs, with a context manager (on Node 20, promise hooks for every promise).
      const manager = new AsyncLocalStorageContextManager().enable();
      context.setGlobalContextManager(manager);
      try {
        for (const [name, observer] of Object.entries(observed)) await run(name, observer);
      } finally {
        manager.disable();
        context.disable();
      }
    }
    return {
      off: best.get("off")!,
      on: best.get("on")!,
      tracingOnly: best.get("tracingOnly")!,
      metricsOnly: best.get("metricsOnly")!,
      rounds,
    };
  } finally {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  }
}
