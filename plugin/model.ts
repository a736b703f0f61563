/**
 * The typed model the emitters print from: entity services with their resolved message types and comments.
 * plugin/build/ makes it from the request, checking the user's protos.
 */
import type { DescMessage } from "@bufbuild/protobuf";

/** A message type and where ts-proto put it. */
export interface MessageInfo {
  readonly fullName: string;
  /** The module ts-proto wrote it to (proto path without `.proto`). */
  readonly module: string;
  /** Its exported name in that module. */
  readonly symbol: string;
  readonly desc: DescMessage;
  readonly file: string;
}

/** The streaming shape of an rpc. */
export type StreamingShape = "unary" | "client-streaming" | "server-streaming" | "bidi-streaming";

export interface CommandModel {
  /** The rpc name, e.g. `AddItem`. */
  readonly rpcName: string;
  /** Its key in ts-proto's service definition, e.g. `addItem`. */
  readonly key: string;
  readonly input: MessageInfo;
  readonly output: MessageInfo;
  readonly shape: StreamingShape;
  readonly comment: string | undefined;
  /** Where the proxy feeds the rpc events from, and where it publishes its answers, per `(cloudstate.eventing)`. */
  readonly eventing: EventingModel;
}

/** An rpc's `(cloudstate.eventing)` option, checked. */
export interface EventingModel {
  /** The event source feeding the rpc, if any. */
  readonly source:
    { readonly kind: "topic" | "event-log"; readonly name: string; readonly consumerGroup: string } | undefined;
  /** The topic the rpc's answers are published to, if any. */
  readonly destinationTopic: string | undefined;
}

/** What every kind's model has. */
export interface ServiceModelBase {
  readonly file: string;
  readonly module: string;
  /** The service's simple name, e.g. `ShoppingCart`. */
  readonly name: string;
  readonly fullName: string;
  readonly comment: string | undefined;
  readonly commands: readonly CommandModel[];
}

/** How a stored type is encoded: protobuf under `type.googleapis.com/`, or Cloudstate JSON. */
export type StoredEncoding = "protobuf" | "json";

/** A type that stored data may hold but the entity no longer writes, read through an upcaster. */
export interface RetiredTypeModel {
  readonly message: MessageInfo;
  readonly encoding: StoredEncoding;
  /** The type URLs it is read from: its own and its previous names'. */
  readonly urls: readonly string[];
}

/** What the stateful kinds' models have besides. */
export interface EntityModelBase extends ServiceModelBase {
  readonly state: MessageInfo;
  readonly persistenceId: string;
  readonly passivationTimeoutMs: number | undefined;
  /**
   * The type URLs each current type (state, events) was stored under before, from its
   * `(cloudstate.typescript.previous_names)`, by full name; only types that have some.
   */
  readonly previousUrls: ReadonlyMap<string, readonly string[]>;
  /** Old state types snapshots or stored values may hold, each read through an upcaster. */
  readonly retiredStates: readonly RetiredTypeModel[];
}

export interface EventSourcedEntityModel extends EntityModelBase {
  readonly kind: "event-sourced";
  readonly events: readonly MessageInfo[];
  /** Full names of the events persisted as Cloudstate JSON rather than protobuf (a subset of `events`). */
  readonly jsonEvents: readonly string[];
  readonly snapshotEvery: number | undefined;
  /** Old event types journals may hold, each read through an upcaster. */
  readonly retiredEvents: readonly RetiredTypeModel[];
}

export interface ValueEntityModel extends EntityModelBase {
  readonly kind: "value";
}

export interface ActionModel extends ServiceModelBase {
  readonly kind: "action";
}

/** The scalar types a CRDT element may have, carried as Cloudstate primitives. */
export const CRDT_SCALARS = ["string", "bytes", "bool", "int32", "int64", "float", "double"] as const;
export type CrdtScalar = (typeof CRDT_SCALARS)[number];

/** The type of a CRDT's elements, register value or map keys. */
export type CrdtElementModel =
  | { readonly kind: "scalar"; readonly scalar: CrdtScalar }
  | { readonly kind: "message"; readonly message: MessageInfo };

/** A declared CRDT type, with its element types. */
export type CrdtSpecModel =
  | { readonly type: "GCounter" | "PNCounter" | "Flag" | "Vote" }
  | { readonly type: "GSet" | "ORSet" | "LWWRegister"; readonly element: CrdtElementModel }
  | { readonly type: "ORMap"; readonly element: CrdtElementModel; readonly value: CrdtSpecModel };

export interface CrdtEntityModel extends ServiceModelBase {
  readonly kind: "crdt";
  /** Undefined: any CRDT, chosen per entity by the handlers. */
  readonly crdt: CrdtSpecModel | undefined;
  readonly passivationTimeoutMs: number | undefined;
}

export type EntityModel = EventSourcedEntityModel | ValueEntityModel | ActionModel | CrdtEntityModel;

/** The entities of one generated proto file. */
export interface FileModel {
  readonly file: string;
  readonly module: string;
  readonly entities: readonly EntityModel[];
}

/** Problems in the user's protos, all at once. */
export class ModelError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}
