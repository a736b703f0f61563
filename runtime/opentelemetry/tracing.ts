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
  type Context,
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
  const names = rpcNamesCache();
  const commandObserver = (start: CommandStart): CommandObserver => commandSpan(tracer, start, logger, names(start));
  return {
    entityStarted(start) {
      const watching: EntityObserver =
        start.kind === "crdt"
          ? crdtStreams(tracer, start.serviceName, start.entityId, logger, names)
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
    actionCallBegun: (call) => commandSpan(tracer, call, logger, names(call)),
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
  names: (start: CommandStart) => RpcNames,
): EntityObserver {
  /** The span of each streamed call, by command id, until its subscription ends (or it never opened one). */
  const streams = new Map<string, { readonly span: SpanContext; open: boolean }>();
  return {
    commandBegun(start) {
      const observer = commandSpan(tracer, start, logger, names(start));
      if (!start.streamed) return observer;
      streams.set(start.commandId, { span: observer.spanContext, open: false });
      return {
        around: (call) => observer.around(call),
        outgoingMetadata: () => observer.outgoingMetadata(),
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
      return new SpanObserver(span, trace.setSpan(ROOT_CONTEXT, span));
    },
    closed: () => streams.clear(),
  };
}

/**
 * A command's (or callback's) observer: its span active while the user code runs, its context injected into
 * forwards and side effects, ended with the outcome. A class: one is made per command.
 */
class SpanObserver implements CommandObserver {
  constructor(
    readonly span: Span,
    private readonly active: Context,
  ) {}

  get spanContext(): SpanContext {
    return this.span.spanContext();
  }

  around<T>(call: () => T): T {
    return contextApi.with(this.active, call);
  }

  outgoingMetadata(): Iterable<readonly [key: string, value: string]> {
    return traceHeaders(this.span.spanContext());
  }

  completed(completion: CommandCompletion): void {
    endCommandSpan(this.span, completion);
  }
}

/** The span name and the attributes every command of one rpc shares, made once per rpc. */
interface RpcNames {
  readonly spanName: string;
  readonly attributes: Readonly<Attributes>;
}

function commandSpan(
  tracer: Tracer,
  start: CommandStart,
  logger: Logger | undefined,
  names: RpcNames = rpcNames(start),
): SpanObserver {
  const metadata = start.metadata;
  // Most commands carry no metadata (the 0.6.0 proxy sends entities none): nothing to parse then.
  const extracted = metadata.size === 0 ? undefined : extractParent(metadata);
  if (extracted !== undefined && "malformed" in extracted) {
    logger?.debug(
      `ignoring a malformed trace header on ${start.serviceName}/${start.commandName}: ${extracted.malformed}`,
    );
  }
  const parent =
    extracted !== undefined && "parent" in extracted
      ? trace.setSpanContext(ROOT_CONTEXT, extracted.parent)
      : ROOT_CONTEXT;
  const attributes: Attributes = { ...names.attributes };
  if (start.kind !== "action") {
    attributes[ATTR.entityId] = start.entityId;
    attributes[ATTR.commandId] = start.commandId;
  }
  const eventId = metadata.size === 0 ? undefined : metadata.get("ce-id");
  if (eventId !== undefined) {
    const event = metadata.cloudEvent;
    attributes[ATTR.ceId] = eventId;
    if (event.source !== undefined) attributes[ATTR.ceSource] = event.source;
    if (event.type !== undefined) attributes[ATTR.ceType] = event.type;
    if (event.subject !== undefined) attributes[ATTR.ceSubject] = event.subject;
  }
  const span = tracer.startSpan(names.spanName, { kind: SpanKind.SERVER, attributes }, parent);
  return new SpanObserver(span, trace.setSpan(parent, span));
}

function rpcNames(start: CommandStart): RpcNames {
  return {
    spanName: `${start.serviceName}/${start.commandName}`,
    attributes: {
      [ATTR.rpcSystem]: "cloudstate",
      [ATTR.rpcService]: start.serviceName,
      [ATTR.rpcMethod]: start.commandName,
      [ATTR.kind]: start.kind,
    },
  };
}

/** {@link rpcNames}, remembered per service, rpc and kind (a bounded set: the services' rpcs). */
function rpcNamesCache(): (start: CommandStart) => RpcNames {
  const byKey = new Map<string, RpcNames>();
  return (start) => {
    const key = `${start.kind}\u0000${start.serviceName}\u0000${start.commandName}`;
    let names = byKey.get(key);
    if (names === undefined) byKey.set(key, (names = rpcNames(start)));
    return names;
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
