import type { CommandResult } from "../context.js";
import { configDescriptors, type EmbeddedFile, type EntityDescriptors } from "../descriptor-set.js";
import type { DeepReadonly } from "../deep-readonly.js";
import type { EventInit, JsonMessageType, Message, MessageType, StateInit } from "../message-type.js";
import { OldTypes, storedAsOf, type RetiredType } from "../stored-types.js";
import { EventCodec } from "./event-codec.js";
import type { MethodDefinition, MethodNamed, RequestOf, ResponseOf, RpcNameOf, ServiceDefinition } from "../service.js";
import type { EventSourcedCommandContext } from "./context.js";
import { checkCommandHandlers, checkPassivationTimeout, isUnary } from "../entity-checks.js";
import type { Typed } from "../typed-entity.js";

/** The protocol service that drives event-sourced entities, reported at discovery. */
export const EVENT_SOURCED_ENTITY_TYPE = "cloudstate.eventsourced.EventSourced";

/** Snapshot cadence when an entity does not set one. */
export const DEFAULT_SNAPSHOT_EVERY = 100;

/** A command handler of an event-sourced entity together with its rpc, typed by the rpc. */
export interface EventSourcedCommand<State, Event extends Message, M extends MethodDefinition = MethodDefinition> {
  /** The rpc this handler serves, from the generated service definition: it types the command and the reply. */
  readonly method: M;
  /**
   * Handles one command: reads the state through `context`, emits events with `context.emit`, and returns the
   * reply (plain or made by `context.reply`) or a forward. Throwing a `CommandFailure` fails the command and
   * drops the events emitted so far.
   */
  handle(command: RequestOf<M>, context: EventSourcedCommandContext<State, Event>): CommandResult<ResponseOf<M>>;
}

/** One command handler per rpc of `S`, keyed by the rpc's proto name. */
export type EventSourcedCommands<S extends ServiceDefinition, State, Event extends Message> = {
  readonly [N in RpcNameOf<S>]: EventSourcedCommand<State, Event, MethodNamed<S, N>>;
};

/** One handler per event type, keyed by the event's full protobuf name, each typed by its event. */
export type EventHandlers<State, Event extends Message> = {
  readonly [T in Event["$type"]]: EventHandler<State, Extract<Event, Message<T>>>;
};

/**
 * How to persist and apply one event type. Events are persisted as protobuf, or, with `json: true`, as Cloudstate
 * JSON (`json.cloudstate.io/<simple message name>`, the message in the proto3 JSON mapping) for consumers that
 * read JSON. `apply` gets the state read-only and returns the new state, usually built from it; it must not
 * throw.
 */
export type EventHandler<State, E extends Message, Result = StateInit<State>> =
  | {
      /** The event's message type: it decodes the event from the journal and names it there. */
      readonly type: MessageType<E>;
      /** Unset or `false`: the event is persisted as protobuf. */
      readonly json?: false;
      /** Returns the state after `event`, given the state before it (read-only). */
      apply(state: DeepReadonly<State>, event: E): Result;
    }
  | {
      /** The event's message type, with the JSON methods its Cloudstate JSON encoding needs. */
      readonly type: JsonMessageType<E>;
      /** `true`: the event is persisted as Cloudstate JSON rather than protobuf. */
      readonly json: true;
      /** Returns the state after `event`, given the state before it (read-only). */
      apply(state: DeepReadonly<State>, event: E): Result;
    };

/**
 * An entity's configuration as the runtime reads it, whatever its types: what handlers give as state is a
 * {@link StateInit}, which the runtime makes a whole message.
 * @internal
 */
export interface EventSourcedRuntimeConfig extends Omit<
  EventSourcedEntityConfig<Message, Message>,
  "initialState" | "events" | "commands" | "retiredEvents" | "retiredStates"
> {
  initialState(entityId: string): unknown;
  readonly events: { readonly [typeName: string]: EventHandler<Message, Message, unknown> };
  readonly retiredEvents?: { readonly [typeName: string]: RetiredType<EventInit<Message> | undefined> };
  readonly retiredStates?: { readonly [typeName: string]: RetiredType<StateInit<Message>> };
  readonly commands: { readonly [rpcName: string]: EventSourcedCommand<Message, Message> };
}

/** Everything needed to serve one event-sourced entity; written by generated code or by hand. */
export interface EventSourcedEntityConfig<
  State extends Message,
  Event extends Message,
  S extends ServiceDefinition = ServiceDefinition,
> {
  /** The gRPC service the entity backs. */
  readonly service: S;
  /** The service's proto file as generated code embeds it, with its imports; or give `descriptorSet`. */
  readonly descriptor?: EmbeddedFile;
  /** A serialized FileDescriptorSet of the service's file and all it imports, sent to the proxy at discovery. */
  readonly descriptorSet?: Uint8Array;
  /** Namespace of the journal. Defaults to the service's simple name. */
  readonly persistenceId?: string;
  /** Attach a snapshot whenever the sequence number crosses a multiple of this. Default 100; 0 turns it off. */
  readonly snapshotEvery?: number;
  /** Ask the proxy to passivate after this many idle milliseconds. Unset leaves the proxy's default. */
  readonly passivationTimeoutMs?: number;
  /** The snapshot (state) message type. */
  readonly state: MessageType<State>;
  /** The state of an entity with neither snapshot nor events (a plain object will do: see {@link StateInit}). */
  initialState(entityId: string): StateInit<State>;
  /** One handler per event type, keyed by the event's full protobuf name. */
  readonly events: EventHandlers<State, Event>;
  /** One handler per rpc, keyed by the rpc's proto name (e.g. `AddItem`). */
  readonly commands: EventSourcedCommands<S, State, Event>;
  /**
   * The type URLs the current event and state types were stored under before (their previous names, after a
   * rename or a package move), by full name. Read on replay and recovery only.
   */
  readonly storedAs?: { readonly [typeName: string]: readonly string[] };
  /** Event types journals may hold that the entity no longer emits, by full name, each with its upcaster. */
  readonly retiredEvents?: { readonly [typeName: string]: RetiredType<EventInit<Event> | undefined> };
  /** State types snapshots may hold that the entity no longer writes, by full name, each with its upcaster. */
  readonly retiredStates?: { readonly [typeName: string]: RetiredType<StateInit<State>> };
}

/**
 * A served event-sourced entity, as `serve` takes it. Make one with `defineEventSourcedEntity`. The type
 * parameters record the service, state and events it was made from, for the testkit.
 */
export interface EventSourcedEntity<
  S extends ServiceDefinition = ServiceDefinition,
  State extends Message = Message,
  Event extends Message = Message,
> extends Typed<{
  /** The generated service definition the entity serves. */
  readonly service: S;
  /** The state (snapshot) message. */
  readonly state: State;
  /** The union of the entity's event messages. */
  readonly event: Event;
}> {
  /** Which kind of entity this is; `serve` dispatches on it. */
  readonly kind: "event-sourced";
  /** The protocol service that drives this kind, as reported to the proxy at discovery. */
  readonly entityType: typeof EVENT_SOURCED_ENTITY_TYPE;
  /** The full protobuf name of the service the entity backs, e.g. `com.example.shoppingcart.ShoppingCart`. */
  readonly serviceName: string;
  /** The journal namespace, as configured or defaulted to the service's simple name. */
  readonly persistenceId: string;
  /** The snapshot cadence in events; 0 means no snapshots. */
  readonly snapshotEvery: number;
  /** The idle time after which the proxy passivates an instance, or `undefined` for the proxy's default. */
  readonly passivationTimeoutMs: number | undefined;
  /** The serialized FileDescriptorSet sent to the proxy at discovery. */
  readonly descriptorSet: Uint8Array;
  /** @internal */
  readonly config: EventSourcedRuntimeConfig & EntityDescriptors;
  /** The event types' codec, shared by every instance. @internal */
  readonly eventCodec: EventCodec;
  /** How snapshots of old state types are read. @internal */
  readonly oldStates: OldTypes<unknown>;
}

/**
 * Checks an entity's configuration and turns it into something `serve` can run.
 * @throws Error naming the problem: a streamed rpc, an rpc without a handler, a bad snapshot cadence.
 */
export function defineEventSourcedEntity<
  State extends Message,
  Event extends Message,
  S extends ServiceDefinition = ServiceDefinition,
>(config: EventSourcedEntityConfig<State, Event, S> & EntityDescriptors): EventSourcedEntity<S, State, Event> {
  const serviceName = config.service.fullName;
  checkCommandHandlers(config.service, config.commands, isUnary, "event-sourced entities serve unary rpcs only");
  const snapshotEvery = config.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
  if (!Number.isInteger(snapshotEvery) || snapshotEvery < 0) {
    throw new Error(`${serviceName}: snapshotEvery must be a whole number >= 0, got ${snapshotEvery}`);
  }
  const timeout = config.passivationTimeoutMs;
  checkPassivationTimeout(serviceName, timeout);
  const descriptorSet = configDescriptors(serviceName, config);
  return {
    kind: "event-sourced",
    entityType: EVENT_SOURCED_ENTITY_TYPE,
    serviceName,
    persistenceId: config.persistenceId || config.service.name,
    snapshotEvery,
    passivationTimeoutMs: timeout,
    get descriptorSet() {
      return descriptorSet();
    },
    // The upcasters' results are checked at run time (a current event, a whole state), so their types are erased
    // here like the event handlers' states.
    config: config as EventSourcedRuntimeConfig & EntityDescriptors,
    eventCodec: new EventCodec(
      Object.values<EventHandler<State, Event>>(config.events),
      serviceName,
      new OldTypes<unknown>(
        `${serviceName} events`,
        new Map(Object.values<EventHandler<State, Event>>(config.events).map((h) => [h.type.$type, h.type])),
        storedAsOf(config.storedAs, Object.keys(config.events)),
        config.retiredEvents,
      ),
    ),
    oldStates: new OldTypes<unknown>(
      `${serviceName} state`,
      new Map([[config.state.$type, config.state]]),
      storedAsOf(config.storedAs, [config.state.$type]),
      config.retiredStates,
    ),
  };
}
