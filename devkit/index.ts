/**
 * Running and testing Cloudstate user functions locally, behind the real Cloudstate 0.6.0 proxy.
 *
 * - {@link CloudstateTestEnvironment} serves your entities in-process and starts the proxy in front of them
 *   (development mode, or PostgreSQL), with typed clients through it: the integration test's one object.
 * - The building blocks it uses ({@link startProxy}, {@link startPostgres}, {@link startUserFunctionProcess},
 *   {@link startProcess}) are here too, for suites that arrange things their own way. Every process they start is
 *   stopped when this process ends, however it ends.
 *
 * This package is a development dependency: what a service runs in production is `cloudstate-ts` alone. Unit
 * tests, with no proxy, are `cloudstate-ts/testkit`'s.
 * @packageDocumentation
 */
export { CloudstateTestEnvironment } from "./environment/environment.js";
export type { TestEnvironmentOptions, RestartOptions } from "./environment/environment.js";
export { startProxy, DiscoveryRejectedError } from "./launch/proxy.js";
export type { ProxyOptions, ProxyProcess, PostgresConnection } from "./launch/proxy.js";
export type { ProxyFlavour } from "./launch/maven.js";
export { PROXY_IMAGE_NAMES, proxyImage, findContainerEngine } from "./launch/proxy-image.js";
export type { ContainerEngine, EngineSearch } from "./launch/proxy-image.js";
export type { ProxySource } from "./launch/proxy-source.js";
export { startPostgres } from "./launch/postgres.js";
export type { Postgres, PostgresOptions } from "./launch/postgres.js";
export { startUserFunctionProcess } from "./launch/user-function.js";
export type { UserFunctionProcessOptions } from "./launch/user-function.js";
export { freePort, startProcess, stopAll, waitForPort, retryUntil, Started } from "./launch/processes.js";
export type { StartOptions } from "./launch/processes.js";
export { pubsubEventing } from "./eventing/pubsub.js";
export type { PubsubEventingSettings, ProxyEventingOptions } from "./eventing/pubsub.js";
