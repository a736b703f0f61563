/** The names this integration gives spans' attributes and metrics, in one place (docs/observability.md lists them). */

/** The instrumentation scope of the tracer and meter. @internal */
export const INSTRUMENTATION_NAME = "cloudstate-ts";

/** Span attribute keys: OpenTelemetry's RPC conventions, CloudEvents' and our own under `cloudstate.`. */
export const ATTR = {
  /** Always `cloudstate`. */
  rpcSystem: "rpc.system",
  /** The full service name. */
  rpcService: "rpc.service",
  /** The rpc. */
  rpcMethod: "rpc.method",
  /** `event-sourced`, `value`, `crdt` or `action`. */
  kind: "cloudstate.kind",
  /** The full service name (on a recovery span). */
  service: "cloudstate.service",
  /** The entity's id (spans only, never a metric label). */
  entityId: "cloudstate.entity_id",
  /** The command's id on its entity stream. */
  commandId: "cloudstate.command_id",
  /** `reply`, `forward`, `no-reply`, `failure` or `error`. */
  outcome: "cloudstate.outcome",
  /** How many events the command emitted. */
  eventsEmitted: "cloudstate.events_emitted",
  /** True when a snapshot was written with the reply. */
  snapshot: "cloudstate.snapshot",
  /** How many side effects went with the answer. */
  sideEffects: "cloudstate.side_effects",
  /** The forward's target, `service/rpc`. */
  forward: "cloudstate.forward",
  /** A CRDT streamed call's callback span: `change` (its change subscriber) or `cancelled` (its cancellation callback). */
  callback: "cloudstate.callback",
  /** The snapshot a recovery started from. */
  snapshotSequence: "cloudstate.snapshot_sequence",
  /** How many events a recovery replayed. */
  eventsReplayed: "cloudstate.events_replayed",
  /** A delivered CloudEvent's id. */
  ceId: "cloudevents.event_id",
  /** A delivered CloudEvent's source. */
  ceSource: "cloudevents.event_source",
  /** A delivered CloudEvent's type. */
  ceType: "cloudevents.event_type",
  /** A delivered CloudEvent's subject. */
  ceSubject: "cloudevents.event_subject",
} as const;

/** Metric names (a Prometheus exporter writes dots as underscores, and adds `_total` to counters). */
export const METRIC = {
  /** Counter by service, rpc, kind and outcome. */
  commands: "cloudstate.commands",
  /** Histogram (seconds) by service, rpc and kind: arrival to answer written. */
  commandDuration: "cloudstate.command.duration",
  /** Up-down counter by service and kind. */
  activeEntities: "cloudstate.entities.active",
  /** Up-down counter by service: streamed action calls and CRDT subscriptions. */
  openStreamedCalls: "cloudstate.streamed_calls.open",
  /** Counter by service and event_type. */
  eventsEmitted: "cloudstate.events.emitted",
  /** Histogram (seconds) by service. */
  recoveryDuration: "cloudstate.recovery.duration",
  /** Histogram by service: events replayed per recovery. */
  eventsReplayed: "cloudstate.recovery.events_replayed",
  /** Counter by service and target. */
  forwards: "cloudstate.forwards",
  /** Counter by service and target. */
  sideEffects: "cloudstate.side_effects",
  /** Counter by service, direction (sent, received) and write_consistency (sent only). */
  crdtDeltas: "cloudstate.crdt.deltas",
  /** Histogram (seconds) by service, rpc and kind: now − ce-time. */
  deliveryAge: "cloudstate.eventing.delivery.age",
  /** Counter by service, rpc and kind: an event id seen again. */
  redeliveries: "cloudstate.eventing.redeliveries",
} as const;
