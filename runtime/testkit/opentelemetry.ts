/**
 * `cloudstate-ts/testkit/opentelemetry`: the spans and metrics of the commands a unit test runs, recorded in
 * memory, on `@opentelemetry/api` alone (no SDK, no exporter, nothing global). Give the recorder's `observer` to a
 * testkit; after a call, `spans()` are the spans it ended and `value()` reads a metric.
 *
 * @example
 * ```ts
 * import { EventSourcedTestKit } from "cloudstate-ts/testkit";
 * import { recordTelemetry } from "cloudstate-ts/testkit/opentelemetry";
 *
 * const telemetry = recordTelemetry();
 * const cart = await EventSourcedTestKit.create(shoppingCart, { observer: telemetry.observer });
 * await cart.call("addItem", item);
 * assert.equal(telemetry.span("com.example.shoppingcart.ShoppingCart/AddItem").attributes["cloudstate.outcome"], "reply");
 * assert.equal(telemetry.value("cloudstate.commands", { rpc: "AddItem", outcome: "reply" }), 1);
 * ```
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  context as contextApi,
  createNoopMeter,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Context,
  type Link,
  type Meter,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
} from "@opentelemetry/api";
import type { Observer } from "../observer.js";
import { openTelemetry } from "../opentelemetry/index.js";

/** A span as the recorder kept it. */
export interface RecordedSpan {
  /** For example `com.example.shoppingcart.ShoppingCart/AddItem`. */
  readonly name: string;
  /** SERVER for a command or action call, INTERNAL for a recovery. */
  readonly kind: SpanKind;
  /** Its trace, 32 hex digits. */
  readonly traceId: string;
  /** Its own id, 16 hex digits. */
  readonly spanId: string;
  /** Its parent's span id (the caller's, from `traceparent` or B3), or undefined for a root span. */
  readonly parentSpanId: string | undefined;
  /** Its attributes when it ended. */
  readonly attributes: Readonly<Attributes>;
  /** UNSET, or ERROR with the failure's description. */
  readonly status: Readonly<SpanStatus>;
  /** From its start to its end. */
  readonly durationMs: number;
}

/** The instrument kinds the recorder keeps. */
export type RecordedInstrument = "counter" | "up-down-counter" | "histogram" | "gauge";

/** One recorded measurement of a metric. */
export interface RecordedMeasurement {
  /** The metric's name, e.g. `cloudstate.commands`. */
  readonly name: string;
  /** What kind of instrument recorded it. */
  readonly instrument: RecordedInstrument;
  /** The amount added (a counter) or the value recorded (a histogram, a gauge). */
  readonly value: number;
  /** Its labels. */
  readonly attributes: Readonly<Attributes>;
}

/** What {@link recordTelemetry} returns. */
export interface TelemetryRecorder {
  /** Tracing and metrics into this recorder: give it to a testkit's `observer` option. */
  readonly observer: Observer;
  /** The recording tracer, for a handler's own spans or `openTelemetry({ tracer })`. */
  readonly tracer: Tracer;
  /** The recording meter. */
  readonly meter: Meter;
  /** The spans ended so far, in the order they ended. */
  spans(): readonly RecordedSpan[];
  /**
   * The one ended span named `name`.
   * @throws Error naming the spans there are, when there is none or more than one.
   */
  span(name: string): RecordedSpan;
  /** Every measurement so far, in order. */
  measurements(): readonly RecordedMeasurement[];
  /**
   * A metric's value over the measurements whose labels include `labels`: a counter's or up-down counter's sum,
   * a histogram's count of recordings, a gauge's last value (0 when there is none).
   */
  value(name: string, labels?: Readonly<Record<string, AttributeValue>>): number;
  /** Forgets the spans and measurements recorded so far. */
  clear(): void;
}

/** A recorder of the spans and metrics of what it observes (see the module's example). */
export function recordTelemetry(): TelemetryRecorder {
  let spans: RecordedSpan[] = [];
  let measurements: RecordedMeasurement[] = [];
  const tracer = recordingTracer((span) => spans.push(span));
  const meter = recordingMeter((m) => measurements.push(m));
  return {
    observer: openTelemetry({ tracer, meter }),
    tracer,
    meter,
    spans: () => spans,
    span(name) {
      const named = spans.filter((s) => s.name === name);
      if (named.length !== 1) {
        throw new Error(`${named.length} spans named ${name}; ended: ${JSON.stringify(spans.map((s) => s.name))}`);
      }
      return named[0]!;
    },
    measurements: () => measurements,
    value(name, labels = {}) {
      const matching = measurements.filter(
        (m) => m.name === name && Object.entries(labels).every(([key, value]) => m.attributes[key] === value),
      );
      const instrument = matching[0]?.instrument;
      if (instrument === "histogram") return matching.length;
      if (instrument === "gauge") return matching[matching.length - 1]!.value;
      return matching.reduce((sum, m) => sum + m.value, 0);
    },
    clear() {
      spans = [];
      measurements = [];
    },
  };
}

const hex = (bytes: number): string => randomBytes(bytes).toString("hex");

function recordingTracer(ended: (span: RecordedSpan) => void): Tracer {
  // As the SDK's tracer: without a context given, the parent is the active span (a handler's own span is a child
  // of its command's, when a context manager is registered).
  const startSpan = (name: string, options: SpanOptions = {}, context: Context = contextApi.active()): Span => {
    const parent = options.root === true ? undefined : trace.getSpanContext(context);
    return new RecordingSpan(name, options, parent, ended);
  };
  // startActiveSpan's overloads: (name, fn), (name, options, fn), (name, options, context, fn); `fn` runs with
  // the new span active.
  function startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = (rest.length > 1 ? rest[0] : {}) as SpanOptions;
    const context = rest.length > 2 ? (rest[1] as Context) : contextApi.active();
    const span = startSpan(name, options, context);
    return contextApi.with(trace.setSpan(context, span), () => fn(span)) as ReturnType<F>;
  }
  return { startSpan, startActiveSpan };
}

class RecordingSpan implements Span {
  readonly #context: SpanContext;
  readonly #attributes: Attributes;
  readonly #started = performance.now();
  #name: string;
  #status: SpanStatus = { code: SpanStatusCode.UNSET };
  #ended = false;

  constructor(
    name: string,
    private readonly options: SpanOptions,
    private readonly parent: SpanContext | undefined,
    private readonly ended: (span: RecordedSpan) => void,
  ) {
    this.#name = name;
    this.#attributes = { ...options.attributes };
    this.#context = { traceId: parent?.traceId ?? hex(16), spanId: hex(8), traceFlags: TraceFlags.SAMPLED };
  }

  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(key: string, value: AttributeValue): this {
    if (!this.#ended) this.#attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    if (!this.#ended) Object.assign(this.#attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    if (!this.#ended) this.#status = status;
    return this;
  }
  updateName(name: string): this {
    if (!this.#ended) this.#name = name;
    return this;
  }
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.ended({
      name: this.#name,
      kind: this.options.kind ?? SpanKind.INTERNAL,
      traceId: this.#context.traceId,
      spanId: this.#context.spanId,
      parentSpanId: this.parent?.spanId,
      attributes: this.#attributes,
      status: this.#status,
      durationMs: performance.now() - this.#started,
    });
  }
  isRecording(): boolean {
    return !this.#ended;
  }
  recordException(): void {}
}

function recordingMeter(record: (measurement: RecordedMeasurement) => void): Meter {
  const noop = createNoopMeter();
  const instrument = (name: string, kind: RecordedInstrument) => ({
    add: (value: number, attributes: Attributes = {}) => record({ name, instrument: kind, value, attributes }),
    record: (value: number, attributes: Attributes = {}) => record({ name, instrument: kind, value, attributes }),
  });
  return {
    createCounter: (name) => instrument(name, "counter"),
    createUpDownCounter: (name) => instrument(name, "up-down-counter"),
    createHistogram: (name) => instrument(name, "histogram"),
    createGauge: (name) => instrument(name, "gauge"),
    createObservableGauge: (name, options) => noop.createObservableGauge(name, options),
    createObservableCounter: (name, options) => noop.createObservableCounter(name, options),
    createObservableUpDownCounter: (name, options) => noop.createObservableUpDownCounter(name, options),
    addBatchObservableCallback: (callback, observables) => noop.addBatchObservableCallback(callback, observables),
    removeBatchObservableCallback: (callback, observables) => noop.removeBatchObservableCallback(callback, observables),
  };
}
