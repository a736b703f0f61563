/**
 * Trace context in a command's metadata: W3C `traceparent`/`tracestate`, or B3 (single `b3` or multi `x-b3-*`)
 * as a client or a mesh sidecar sent it and the proxy copied it. Read here without an SDK's propagators, so the
 * integration needs `@opentelemetry/api` alone; what does not parse is ignored (the span becomes a root).
 */
import { createTraceState, TraceFlags, type SpanContext } from "@opentelemetry/api";
import type { ReadonlyMetadata } from "../metadata.js";

/** Longer headers are refused unread: a traceparent is 55 characters, a B3 single header at most 68. */
const MAX_HEADER = 512;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const HEX_ID = /^[0-9a-f]{16}([0-9a-f]{16})?$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const INVALID_TRACE = /^0+$/;

/** The parent a command's metadata names, why it names none, or undefined when it carries no trace header. */
export type Extracted = { readonly parent: SpanContext } | { readonly malformed: string } | undefined;

/** Reads the remote parent from the metadata: W3C first, then B3. @internal */
export function extractParent(metadata: ReadonlyMetadata): Extracted {
  const traceparent = metadata.get("traceparent");
  if (traceparent !== undefined) return fromTraceparent(traceparent, metadata.get("tracestate"));
  const single = metadata.get("b3");
  if (single !== undefined) return fromB3Single(single);
  const traceId = metadata.get("x-b3-traceid");
  if (traceId !== undefined) {
    return fromB3(
      traceId,
      metadata.get("x-b3-spanid") ?? "",
      metadata.get("x-b3-sampled") ?? metadata.get("x-b3-flags"),
    );
  }
  return undefined;
}

function fromTraceparent(value: string, tracestate: string | undefined): Extracted {
  if (value.length > MAX_HEADER) return { malformed: `traceparent of ${value.length} characters` };
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (match === null || match[1] === "ff" || (match[1] === "00" && match[5] !== undefined)) {
    return { malformed: `traceparent ${JSON.stringify(value)}` };
  }
  const [, , traceId = "", spanId = "", flags = "00"] = match;
  if (INVALID_TRACE.test(traceId) || INVALID_TRACE.test(spanId)) return { malformed: "traceparent with a zero id" };
  const state = tracestate !== undefined && tracestate.length <= MAX_HEADER ? tracestate : undefined;
  return {
    parent: {
      traceId,
      spanId,
      traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
      isRemote: true,
      ...(state !== undefined && { traceState: createTraceState(state) }),
    },
  };
}

function fromB3Single(value: string): Extracted {
  if (value.length > MAX_HEADER) return { malformed: `b3 of ${value.length} characters` };
  const [traceId = "", spanId = "", sampled] = value.trim().toLowerCase().split("-");
  return fromB3(traceId, spanId, sampled);
}

function fromB3(rawTraceId: string, rawSpanId: string, sampled: string | undefined): Extracted {
  const traceIdIn = rawTraceId.trim().toLowerCase();
  const spanId = rawSpanId.trim().toLowerCase();
  if (traceIdIn.length > MAX_HEADER || !HEX_ID.test(traceIdIn) || !SPAN_ID.test(spanId)) {
    return {
      malformed: `B3 trace ${JSON.stringify(rawTraceId.slice(0, 64))} span ${JSON.stringify(rawSpanId.slice(0, 64))}`,
    };
  }
  // A 64-bit B3 trace id is the low half of a 128-bit one.
  const traceId = traceIdIn.padStart(32, "0");
  if (INVALID_TRACE.test(traceId) || INVALID_TRACE.test(spanId)) return { malformed: "B3 with a zero id" };
  const isSampled = sampled === "1" || sampled === "d" || sampled === "true";
  return { parent: { traceId, spanId, traceFlags: isSampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true } };
}

/** The W3C trace-context headers naming `span` as the parent of the next hop. @internal */
export function traceHeaders(span: SpanContext): [string, string][] {
  const flags = (span.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, "0");
  const headers: [string, string][] = [["traceparent", `00-${span.traceId}-${span.spanId}-${flags}`]];
  const state = span.traceState?.serialize();
  if (state !== undefined && state !== "") headers.push(["tracestate", state]);
  return headers;
}
