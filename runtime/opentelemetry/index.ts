/**
 * `cloudstate-ts/opentelemetry`: tracing and metrics for a user function, on `@opentelemetry/api` alone (an
 * optional peer dependency: the application brings the SDK and its exporters). Give `openTelemetry()` to `serve` as
 * its `observer`; with no SDK registered, the API's no-op tracer and meter make it cost next to nothing.
 *
 * @example
 * ```ts
 * import { serve } from "cloudstate-ts";
 * import { openTelemetry } from "cloudstate-ts/opentelemetry";
 * await serve({ entities: [cart], observer: openTelemetry() });
 * ```
 * @module
 */
import { trace } from "@opentelemetry/api";
import type { Logger } from "../logger.js";
import { observers, type Observer } from "../observer.js";
import { metricsObserver, type MetricsOptions } from "./metrics.js";
import { tracingObserver, type TracingOptions } from "./tracing.js";

export { tracingObserver, type TracingOptions } from "./tracing.js";
export { metricsObserver, type MetricsOptions } from "./metrics.js";
export { ATTR, METRIC } from "./names.js";

/** What to observe with OpenTelemetry. */
export interface OpenTelemetryOptions extends TracingOptions, MetricsOptions {
  /** Trace commands, action calls and recoveries. Default true. */
  readonly tracing?: boolean;
  /** Record metrics. Default true. */
  readonly metrics?: boolean;
}

/** Tracing and metrics as one observer for `serve`'s `observer` option. */
export function openTelemetry(options: OpenTelemetryOptions = {}): Observer {
  const parts: Observer[] = [];
  if (options.tracing ?? true) parts.push(tracingObserver(options));
  if (options.metrics ?? true) parts.push(metricsObserver(options));
  return parts.length === 1 ? parts[0]! : observers(...parts);
}

/**
 * A logger whose lines, when written while a traced command runs, end with its `trace_id=… span_id=…`, so logs and
 * traces can be joined. Wrap the logger given to `serve` (and use it in handlers).
 */
export function tracedLogger(logger: Logger): Logger {
  const ids = (): string => {
    const span = trace.getActiveSpan()?.spanContext();
    return span === undefined ? "" : ` trace_id=${span.traceId} span_id=${span.spanId}`;
  };
  return {
    debug: (m, d) => logger.debug(m + ids(), d),
    info: (m, d) => logger.info(m + ids(), d),
    warn: (m, d) => logger.warn(m + ids(), d),
    error: (m, d) => logger.error(m + ids(), d),
  };
}
