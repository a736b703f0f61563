/**
 * Unit tests for Cloudstate entities, with no proxy and no network: each kit drives the entity through the real
 * stream loop in memory and returns a typed result per command (reply, failure, events, state, effects), every
 * message serialized on the way as the proxy would see it.
 *
 * Integration tests behind the real proxy are `cloudstate-ts-devkit`'s `CloudstateTestEnvironment`.
 * @packageDocumentation
 */
export { memoryLogger } from "./memory-logger.js";
export type { MemoryLogger, LogLine } from "./memory-logger.js";
export { EventSourcedTestKit } from "./unit/event-sourced.js";
export type { EventSourcedTestKitOptions, EventSourcedResult } from "./unit/event-sourced.js";
export type { CommandOutcome, HandedOn, SideEffect } from "./unit/results.js";
export type { TestKitChecks } from "./unit/checks.js";
export type { RecordedEntry, RecordedJournal, RecordedValue } from "./unit/recorded-journal.js";
export type {
  CallOptions,
  PartialMessage,
  RequestInit,
  RequestOf,
  ResponseOf,
  RpcKey,
  RpcKeyOfShape,
} from "./unit/types.js";
export { ValueEntityTestKit } from "./unit/value-entity.js";
export type { ValueEntityTestKitOptions, ValueEntityResult, StoredChange } from "./unit/value-entity.js";
export { CrdtTestKit } from "./unit/crdt.js";
export type {
  CrdtTestKitOptions,
  CrdtResult,
  CrdtEventResult,
  CrdtStateChange,
  CrdtSubscription,
  CrdtDeltaInit,
  ORMapEntryDeltaInit,
  DeltaInteger,
  StreamedAnswer,
} from "./unit/crdt.js";
export { ActionTestKit } from "./unit/action.js";
export type { ActionTestKitOptions, ActionAnswerResult, ActionStreamResult, StreamedRequest } from "./unit/action.js";
