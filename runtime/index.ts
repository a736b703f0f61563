/**
 * cloudstate-ts: serve typed Cloudstate entities to the Cloudstate 0.6.0 proxy.
 *
 * Most users implement the interfaces protoc-gen-cloudstate generates from their protos and pass the resulting
 * entities to {@link serve}.
 * @packageDocumentation
 */
export { serve, CloudstateServer, addressFromEnvironment } from "./server.js";
export type { ServerOptions, ListenAddress, ServableEntity } from "./server.js";
export { CommandFailure, ProtocolError } from "./errors.js";
export type {
  CommandContext,
  CommandResult,
  EffectOptions,
  Forward,
  ForwardOptions,
  Reply,
  ReplyOptions,
} from "./context.js";
export { Metadata } from "./metadata.js";
export type { CloudEvent, MetadataEntry, MetadataInit, MetadataValue, ReadonlyMetadata } from "./metadata.js";
export type { EventSourcedCommandContext } from "./event-sourced/context.js";
export { defineEventSourcedEntity, DEFAULT_SNAPSHOT_EVERY } from "./event-sourced/entity.js";
export type {
  EventSourcedEntity,
  EventSourcedEntityConfig,
  EventSourcedCommand,
  EventHandler,
} from "./event-sourced/entity.js";
export type { RetiredType } from "./stored-types.js";
export type { ValueEntityCommandContext } from "./value-entity/context.js";
export { defineValueEntity } from "./value-entity/entity.js";
export type { ValueEntity, ValueEntityConfig, ValueEntityCommand } from "./value-entity/entity.js";
export { defineAction } from "./action/action.js";
export type {
  Action,
  ActionAnswer,
  ActionConfig,
  ActionContext,
  ActionHandler,
  ActionResult,
  Failure,
  NoReply,
  ReplyStream,
  StreamingShape,
} from "./action/action.js";
export { defineCrdtEntity } from "./crdt/entity.js";
export type {
  CrdtEntity,
  CrdtEntityConfig,
  CrdtCommand,
  CrdtCommandResult,
  CrdtStreamedResult,
} from "./crdt/entity.js";
export type {
  CrdtCommandContext,
  CrdtStreamedCommandContext,
  SubscriptionContext,
  StreamCancelledContext,
  StreamedReply,
  WriteConsistency,
} from "./crdt/context.js";
export { CrdtBase, GCounter, PNCounter, GSet, ORSet, LWWRegister, Flag, ORMap, Vote } from "./crdt/types/index.js";
export type { Crdt, CrdtTypeName, Amount, LWWRegisterClock } from "./crdt/types/index.js";
export {
  stringCodec,
  bytesCodec,
  boolCodec,
  int32Codec,
  int64Codec,
  floatCodec,
  doubleCodec,
  messageCodec,
  jsonCodec,
  INT64_ZERO,
} from "./crdt/value-codec.js";
export type { ValueCodec, Int64 } from "./crdt/value-codec.js";
export { methodOf } from "./service.js";
export type { MethodRef, ServiceDefinition, MethodDefinition } from "./service.js";
export type {
  Message,
  MessageType,
  JsonMessageType,
  MessageInit,
  EventInit,
  MessageOf,
  StateInit,
} from "./message-type.js";
export type { DeepReadonly } from "./deep-readonly.js";
// The `Any` convention as users meet it: `google.protobuf.Any` fields of their own messages and JSON topics. The
// wire-level rest (primitive values, URL prefixes, the type registry) is the runtime's own, in ./any.ts.
export { packMessage, unpackMessage, packJson, unpackJson } from "./any.js";
export type { Any, Json } from "./any.js";
export type { ServiceInfoOptions } from "./discovery.js";
export type { EmbeddedFile, EntityDescriptors } from "./descriptor-set.js";
export { observers } from "./observer.js";
export type {
  ActionShape,
  CallbackStart,
  CommandCompletion,
  CommandObserver,
  ObservedOutcome,
  CommandStart,
  EffectTarget,
  EmittedEvent,
  EntityObserver,
  EntityStart,
  ObservedKind,
  Observer,
  Recovery,
  ReplayedEvent,
  StateChange,
  SubscriptionEnd,
  SubscriptionInfo,
} from "./observer.js";
export { consoleLogger } from "./logger.js";
export type { Logger } from "./logger.js";
export { LIBRARY_VERSION } from "./version.js";
