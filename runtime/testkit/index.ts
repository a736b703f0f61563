/**
 * Testing Cloudstate entities.
 *
 * - **Integration**: {@link CloudstateTestEnvironment} serves your entities in-process and starts the real
 *   Cloudstate 0.6.0 proxy in front of them (development mode, or PostgreSQL), with typed clients through it.
 *   The building blocks it uses ({@link startProxy}, {@link startPostgres}, {@link startUserFunctionProcess},
 *   {@link startProcess}) are here too, for suites that arrange things their own way.
 * @packageDocumentation
 */
export { CloudstateTestEnvironment } from "./environment.js";
export type { TestEnvironmentOptions, RestartOptions } from "./environment.js";
export { startProxy, discoveryRejection, DiscoveryRejectedError, PROXY_ONLINE, PROXY_STARTED } from "./proxy.js";
export type { ProxyOptions, ProxyProcess, PostgresConnection } from "./proxy.js";
export { ARTIFACTS, CLOUDSTATE_VERSION, classpathOf, proxyClasspath } from "./maven.js";
export type { ProxyFlavour, ProxyClasspathOptions } from "./maven.js";
export { startPostgres, ensurePostgresInstalled } from "./postgres.js";
export type { Postgres, PostgresOptions } from "./postgres.js";
export { startUserFunctionProcess, USER_FUNCTION_LISTENING } from "./user-function.js";
export type { UserFunctionProcessOptions } from "./user-function.js";
export { freePort, startProcess, stopAll, waitForPort, retryUntil, Started } from "./processes.js";
export type { StartOptions } from "./processes.js";
export { memoryLogger } from "./memory-logger.js";
export type { MemoryLogger, LogLine } from "./memory-logger.js";
export { EventSourcedTestKit } from "./unit/event-sourced.js";
export type { EventSourcedTestKitOptions, EventSourcedResult } from "./unit/event-sourced.js";
export type { CommandOutcome, HandedOn, SideEffect } from "./unit/results.js";
export type { TestKitChecks } from "./unit/checks.js";
export type { RecordedJournal, RecordedValue } from "./unit/recorded-journal.js";
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
export { pubsubEventing } from "./eventing.js";
export type { PubsubEventingSettings, ProxyEventingOptions } from "./eventing.js";
export { DevSession, declaresValueEntity } from "./dev.js";
export type { DevOptions } from "./dev.js";
export { CloudstateCluster, ClusterNode, servedInProcess, userFunctionScript } from "./cluster.js";
export type {
  ClusterOptions,
  ClusterNodePorts,
  ClusterNodeInfo,
  ClusterUserFunction,
  ClusterUserFunctionStarter,
  MemberEvent,
} from "./cluster.js";
