/**
 * Tracing on the observation seam: a SERVER span per command or action call, child of the trace context in the
 * command's metadata (a root span when there is none or it does not parse), active while the handler runs and
 * injected into the command's forwards and side effects, ended once the answer is written; one INTERNAL span per
 * event-sourced recovery, never one per replayed event.
 */
import {
  context as contextApi,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanContext,
  type Tracer,
} from "@opentelemetry/api";
import type { Logger } from "../logger.js";
import type { CommandCompletion, CommandObserver, CommandStart, EntityObserver, Observer } from "../observer.js";
import { extractParent, traceHeaders } from "./trace-context.js";
import { ATTR, INSTRUMENTATION_NAME } from "./names.js";

/** How to trace. */
export interface TracingOptions {
  /** The tracer to use; defaults to the global provider's tracer for `cloudstate-ts`. */
  readonly tracer?: Tracer;
  /** Where a malformed trace header is noted (at debug). */
  readonly logger?: Logger;
}

/** An observer that traces every command, action call and event-sourced recovery. */
export function tracingObserver(options: TracingOptions = {}): Observer {
  const tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_NAME);
  const logger = options.logger;
  const commandObserver = (start: CommandStart): CommandObserver => commandSpan(tracer, start, logger);
  return {
    entityStarted(start) {
      const watching: EntityObserver =
        start.kind === "crdt"
          ? crdtStreams(tracer, start.serviceName, start.entityId, logger)
          : { commandBegun: commandObserver };
      if (start.kind !== "event-sourced") return watching;
      const recovery = tracer.startSpan(
        `${start.serviceName} recovery`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            [ATTR.kind]: start.kind,
            [ATTR.service]: start.serviceName,
            [ATTR.entityId]: start.entityId,
            ...(start.snapshotSequence !== undefined && { [ATTR.snapshotSequence]: start.snapshotSequence }),
          },
        },
        ROOT_CONTEXT,
      );
      let ended = false;
      const end = (eventsReplayed: number | undefined): void => {
        if (ended) return;
        ended = true;
        if (eventsReplayed !== undefined) recovery.setAttribute(ATTR.eventsReplayed, eventsReplayed);
        recovery.end();
      };
      return {
        ...watching,
        recovered: (r) => end(r.eventsReplayed),
        closed: (c) => {
          if (c.failure !== undefined && !ended) recovery.setStatus({ code: SpanStatusCode.ERROR, message: c.failure });
          end(undefined);
        },
      };
    },
    actionCallBegun: (call) => commandSpan(tracer, call, logger),
  };
}

/**
 * A CRDT's commands, and the spans of its streamed calls' change subscribers and cancellation callbacks: each a
 * child of its streamed call's span (which has ended by then: a trace per streamed call, its callbacks in it).
 */
function crdtStreams(
  tracer: Tracer,
  serviceName: string,
  entityId: string,
  logger: Logger | undefined,
): EntityObserver {
  /** The span of each streamed call, by command id, until its subscription ends (or it never opened one). */
  const streams = new Map<string, { readonly span: SpanContext; open: boolean }>();
  return {
    commandBegun(start) {
      const observer = commandSpan(tracer, start, logger);
      if (!start.streamed) return observer;
      streams.set(start.commandId, { span: observer.spanContext, open: false });
      return {
        ...observer,
        completed: (completion) => {
          if (streams.get(start.commandId)?.open !== true) streams.delete(start.commandId);
          observer.completed(completion);
        },
      };
    },
    subscriptionOpened: (s) => {
      const stream = streams.get(s.commandId);
      if (stream !== undefined) stream.open = true;
    },
    subscriptionEnded: (s) => void streams.delete(s.commandId),
    callbackBegun(callback) {
      const parent = streams.get(callback.commandId)?.span;
      const span = tracer.startSpan(
        `${serviceName}/${callback.commandName} ${callback.callback === "change" ? "on change" : "on cancel"}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            [ATTR.rpcSystem]: "cloudstate",
            [ATTR.rpcService]: serviceName,
            [ATTR.rpcMethod]: callback.commandName,
            [ATTR.kind]: "crdt",
            [ATTR.entityId]: entityId,
            [ATTR.commandId]: callback.commandId,
            [ATTR.callback]: callback.callback,
          },
        },
        parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent),
      );
      const active = trace.setSpan(ROOT_CONTEXT, span);
      return {
        around: (call) => contextApi.with(active, call),
        outgoingMetadata: () => traceHeaders(span.spanContext()),
        completed: (completion) => endCommandSpan(span, completion),
      };
    },
    closed: () => streams.clear(),
  };
}

/** A command's observer, with its span's context. */
type CommandSpan = Required<Pick<CommandObserver, "around" | "outgoingMetadata" | "completed">> & {
  readonly spanContext: SpanContext;
};

function commandSpan(tracer: Tracer, start: CommandStart, logger: Logger | undefined): CommandSpan {
  const extracted = extractParent(start.metadata);
  if (extracted !== undefined && "malformed" in extracted) {
    logger?.debug(
      `ignoring a malformed trace header on ${start.serviceName}/${start.commandName}: ${extracted.malformed}`,
    );
  }
  const parent =
    extracted !== undefined && "parent" in extracted
      ? trace.setSpanContext(ROOT_CONTEXT, extracted.parent)
      : ROOT_CONTEXT;
  const attributes: Attributes = {
    [ATTR.rpcSystem]: "cloudstate",
    [ATTR.rpcService]: start.serviceName,
    [ATTR.rpcMethod]: start.commandName,
    [ATTR.kind]: start.kind,
  };
  if (start.kind !== "action") {
    attributes[ATTR.entityId] = start.entityId;
    attributes[ATTR.commandId] = start.commandId;
  }
  const event = start.metadata.cloudEvent;
  if (event.id !== undefined) {
    attributes[ATTR.ceId] = event.id;
    if (event.source !== undefined) attributes[ATTR.ceSource] = event.source;
    if (event.type !== undefined) attributes[ATTR.ceType] = event.type;
    if (event.subject !== undefined) attributes[ATTR.ceSubject] = event.subject;
  }
  const span = tracer.startSpan(
    `${start.serviceName}/${start.commandName}`,
    { kind: SpanKind.SERVER, attributes },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return {
    spanContext: span.spanContext(),
    around: (call) => contextApi.with(active, call),
    outgoingMetadata: () => traceHeaders(span.spanContext()),
    completed: (completion) => endCommandSpan(span, completion),
  };
}

function endCommandSpan(span: Span, c: CommandCompletion): void {
  span.setAttribute(ATTR.outcome, c.outcome);
  if (c.events.length > 0) span.setAttribute(ATTR.eventsEmitted, c.events.length);
  if (c.snapshot) span.setAttribute(ATTR.snapshot, true);
  if (c.sideEffects.length > 0) span.setAttribute(ATTR.sideEffects, c.sideEffects.length);
  if (c.forward !== undefined) span.setAttribute(ATTR.forward, `${c.forward.serviceName}/${c.forward.commandName}`);
  if (c.outcome === "failure" || c.outcome === "error") {
    span.setStatus({ code: SpanStatusCode.ERROR, message: c.failure ?? c.outcome });
  }
  span.end();
}
