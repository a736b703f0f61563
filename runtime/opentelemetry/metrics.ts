/**
 * Metrics on the observation seam, on the OpenTelemetry metrics API: labels are bounded (service, rpc, kind,
 * outcome, event type, target, write consistency), never an entity id.
 */
import { metrics, ValueType, type Attributes, type Meter } from "@opentelemetry/api";
import type { CommandStart, EntityObserver, CommandObserver, Observer } from "../observer.js";
import { INSTRUMENTATION_NAME, METRIC } from "./names.js";

/** How to measure. */
export interface MetricsOptions {
  /** The meter to use; defaults to the global provider's meter for `cloudstate-ts`. */
  readonly meter?: Meter;
  /** How many CloudEvent ids to remember per service to recognise a redelivery. Default 10,000. */
  readonly redeliveryWindow?: number;
}

/** An observer that counts and times commands, entities, recoveries, effects, CRDT deltas and deliveries. */
export function metricsObserver(options: MetricsOptions = {}): Observer {
  const meter = options.meter ?? metrics.getMeter(INSTRUMENTATION_NAME);
  const window = options.redeliveryWindow ?? 10_000;
  const commands = meter.createCounter(METRIC.commands, { description: "Commands and action calls by outcome" });
  const duration = meter.createHistogram(METRIC.commandDuration, {
    description: "From a command's arrival to its answer written",
    unit: "s",
  });
  const active = meter.createUpDownCounter(METRIC.activeEntities, { description: "Live entities" });
  const openCalls = meter.createUpDownCounter(METRIC.openStreamedCalls, {
    description: "Open streamed action calls and CRDT subscriptions",
  });
  const events = meter.createCounter(METRIC.eventsEmitted, { description: "Events emitted, by type" });
  const recovery = meter.createHistogram(METRIC.recoveryDuration, { description: "Recovery time", unit: "s" });
  const replayed = meter.createHistogram(METRIC.eventsReplayed, {
    description: "Events replayed per recovery",
    valueType: ValueType.INT,
  });
  const forwards = meter.createCounter(METRIC.forwards, { description: "Forwards, by target" });
  const sideEffects = meter.createCounter(METRIC.sideEffects, { description: "Side effects, by target" });
  const deltas = meter.createCounter(METRIC.crdtDeltas, {
    description: "CRDT deltas sent (by write consistency) and received",
  });
  const age = meter.createHistogram(METRIC.deliveryAge, {
    description: "Now minus an event's ce-time, at delivery",
    unit: "s",
  });
  const redeliveries = meter.createCounter(METRIC.redeliveries, { description: "Event ids delivered again" });
  const seen = new Map<string, Set<string>>();

  const delivery = (start: CommandStart, labels: Attributes): void => {
    // Most commands carry no metadata (the 0.6.0 proxy sends entities none), and only deliveries have a ce-id.
    const id = start.metadata.size === 0 ? undefined : start.metadata.get("ce-id");
    if (id === undefined) return;
    const event = start.metadata.cloudEvent;
    const time = event.time === undefined ? NaN : Date.parse(event.time);
    if (!Number.isNaN(time)) age.record(Math.max(0, (Date.now() - time) / 1000), labels);
    let ids = seen.get(start.serviceName);
    if (ids === undefined) seen.set(start.serviceName, (ids = new Set()));
    const key = `${event.source ?? ""}\u0000${id}`;
    if (ids.has(key)) redeliveries.add(1, labels);
    else {
      ids.add(key);
      // Forget the oldest id: a Set iterates in insertion order.
      if (ids.size > window) ids.delete(ids.values().next().value as string);
    }
  };

  // The label sets, made once per rpc (and outcome, event type, target) rather than per command: bounded sets.
  const rpcLabels = new Map<string, RpcLabels>();
  const labelsOf = (start: CommandStart): RpcLabels => {
    const key = `${start.kind}\u0000${start.serviceName}\u0000${start.commandName}`;
    let labels = rpcLabels.get(key);
    if (labels === undefined) {
      const base = { service: start.serviceName, rpc: start.commandName, kind: start.kind };
      labels = { base, service: { service: start.serviceName }, byOutcome: new Map(), byEventType: new Map() };
      rpcLabels.set(key, labels);
    }
    return labels;
  };
  const cached = <K>(map: Map<K, Attributes>, key: K, make: () => Attributes): Attributes => {
    let labels = map.get(key);
    if (labels === undefined) map.set(key, (labels = make()));
    return labels;
  };
  const targets = new Map<string, Attributes>();
  const targetLabels = (service: string, t: { readonly serviceName: string; readonly commandName: string }) =>
    cached(targets, `${service}\u0000${t.serviceName}/${t.commandName}`, () => ({ service, target: target(t) }));

  const command = (start: CommandStart): CommandObserver => {
    const began = performance.now();
    const labels = labelsOf(start);
    delivery(start, labels.base);
    const streamedAction = start.kind === "action" && start.streamed;
    if (streamedAction) openCalls.add(1, labels.service);
    return {
      completed(c) {
        if (streamedAction) openCalls.add(-1, labels.service);
        commands.add(
          1,
          cached(labels.byOutcome, c.outcome, () => ({ ...labels.base, outcome: c.outcome })),
        );
        duration.record((performance.now() - began) / 1000, labels.base);
        for (const e of c.events) {
          events.add(
            1,
            cached(labels.byEventType, e.type, () => ({ service: start.serviceName, event_type: e.type })),
          );
        }
        if (c.forward !== undefined) forwards.add(1, targetLabels(start.serviceName, c.forward));
        for (const e of c.sideEffects) sideEffects.add(1, targetLabels(start.serviceName, e));
        if (start.kind === "crdt" && c.stateChange !== undefined) {
          const consistency = c.stateChange.writeConsistency ?? "local";
          deltas.add(1, { service: start.serviceName, direction: "sent", write_consistency: consistency });
        }
      },
    };
  };

  return {
    entityStarted(start) {
      const labels = { service: start.serviceName, kind: start.kind };
      active.add(1, labels);
      const watching: EntityObserver = {
        commandBegun: command,
        recovered: (r) => {
          recovery.record(r.durationMs / 1000, { service: start.serviceName });
          replayed.record(r.eventsReplayed, { service: start.serviceName });
        },
        deltaReceived: () => deltas.add(1, { service: start.serviceName, direction: "received" }),
        subscriptionOpened: () => openCalls.add(1, { service: start.serviceName }),
        subscriptionEnded: () => openCalls.add(-1, { service: start.serviceName }),
        closed: () => active.add(-1, labels),
      };
      return watching;
    },
    actionCallBegun: command,
  };
}

/** The label sets of one rpc. */
interface RpcLabels {
  /** service, rpc, kind. */
  readonly base: Attributes;
  /** service alone. */
  readonly service: Attributes;
  /** base and outcome, by outcome. */
  readonly byOutcome: Map<string, Attributes>;
  /** service and event_type, by event type. */
  readonly byEventType: Map<string, Attributes>;
}

function target(t: { readonly serviceName: string; readonly commandName: string }): string {
  return `${t.serviceName}/${t.commandName}`;
}
