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
    const event = start.metadata.cloudEvent;
    if (event.id === undefined) return;
    const time = event.time === undefined ? NaN : Date.parse(event.time);
    if (!Number.isNaN(time)) age.record(Math.max(0, (Date.now() - time) / 1000), labels);
    let ids = seen.get(start.serviceName);
    if (ids === undefined) seen.set(start.serviceName, (ids = new Set()));
    const key = `${event.source ?? ""}\u0000${event.id}`;
    if (ids.has(key)) redeliveries.add(1, labels);
    else {
      ids.add(key);
      // Forget the oldest id: a Set iterates in insertion order.
      if (ids.size > window) ids.delete(ids.values().next().value as string);
    }
  };

  const command = (start: CommandStart): CommandObserver => {
    const began = performance.now();
    const labels = { service: start.serviceName, rpc: start.commandName, kind: start.kind };
    delivery(start, labels);
    const streamedAction = start.kind === "action" && start.streamed;
    if (streamedAction) openCalls.add(1, { service: start.serviceName });
    return {
      completed(c) {
        if (streamedAction) openCalls.add(-1, { service: start.serviceName });
        commands.add(1, { ...labels, outcome: c.outcome });
        duration.record((performance.now() - began) / 1000, labels);
        for (const e of c.events) events.add(1, { service: start.serviceName, event_type: e.type });
        if (c.forward !== undefined) forwards.add(1, { service: start.serviceName, target: target(c.forward) });
        for (const e of c.sideEffects) sideEffects.add(1, { service: start.serviceName, target: target(e) });
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

function target(t: { readonly serviceName: string; readonly commandName: string }): string {
  return `${t.serviceName}/${t.commandName}`;
}
