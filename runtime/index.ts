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
export { defineEventSourcedEntity, EVENT_SOURCED_ENTITY_TYPE, DEFAULT_SNAPSHOT_EVERY } from "./event-sourced/entity.js";
export type {
  EventSourcedEntity,
  EventSourcedEntityConfig,
  EventSourcedCommand,
  EventHandler,
} from "./event-sourced/entity.js";
export type { ValueEntityCommandContext } from "./value-entity/context.js";
export { defineValueEntity, VALUE_ENTITY_TYPE } from "./value-entity/entity.js";
export type { ValueEntity, ValueEntityConfig, ValueEntityCommand } from "./value-entity/entity.js";
export { defineAction, ACTION_ENTITY_TYPE } from "./action/action.js";
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
export { defineCrdtEntity, CRDT_ENTITY_TYPE } from "./crdt/entity.js";
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
export {
  packMessage,
  unpackMessage,
  packPrimitive,
  unpackPrimitive,
  packJson,
  unpackJson,
  typeNameOf,
  TypeRegistry,
  MESSAGE_URL_PREFIX,
  PRIMITIVE_URL_PREFIX,
  JSON_URL_PREFIX,
} from "./any.js";
export type { Any, Primitive, PrimitiveKind, Json } from "./any.js";
export type { ServiceInfoOptions } from "./discovery.js";
export { consoleLogger } from "./logger.js";
export type { Logger } from "./logger.js";
export { LIBRARY_NAME, LIBRARY_VERSION, PROTOCOL_VERSION } from "./version.js";
