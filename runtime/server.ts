import { createServer, type Server } from "nice-grpc";
import { EntityDiscoveryDefinition } from "../gen/cloudstate/entity.js";
import { ActionProtocolDefinition } from "../gen/cloudstate/action.js";
import type { CrdtStreamIn } from "../gen/cloudstate/crdt.js";
import type { EventSourcedStreamIn } from "../gen/cloudstate/event_sourced.js";
import type { ValueEntityStreamIn } from "../gen/cloudstate/value_entity.js";
import type { Action } from "./action/action.js";
import type { CrdtEntity } from "./crdt/entity.js";
import { runCrdtStream } from "./crdt/stream.js";
import { actionProtocolService } from "./action/protocol-service.js";
import { Drain } from "./drain.js";
import { entityStreamInterceptor, type EntityStreamRunner } from "./entity-stream-call.js";
import {
  crdtStreamDefinition,
  eventSourcedStreamDefinition,
  valueEntityStreamDefinition,
} from "./entity-stream-definitions.js";
import { entityDiscoveryService, type ServiceInfoOptions } from "./discovery.js";
import type { EventSourcedEntity } from "./event-sourced/entity.js";
import { runEventSourcedStream } from "./event-sourced/stream.js";
import { consoleLogger, type Logger } from "./logger.js";
import { guardObserver } from "./observation.js";
import { observers, type Observer } from "./observer.js";
import { inspectorFeedFromEnvironment } from "./inspector/feed.js";
import type { ValueEntity } from "./value-entity/entity.js";
import { runValueEntityStream } from "./value-entity/stream.js";

/** Any entity `serve` can run. */
export type ServableEntity = EventSourcedEntity | ValueEntity | Action | CrdtEntity;

/** What to serve and how. */
export interface ServerOptions extends ServiceInfoOptions {
  /** The entities and actions to serve, each made by a `define*` function; no service may appear twice. */
  readonly entities: readonly ServableEntity[];
  /** Where log lines go. Defaults to stderr, filtered by `LOG_LEVEL`. */
  readonly logger?: Logger;
  /**
   * Watches every entity stream, command and action call (tracing, metrics, an inspector); see `Observer`. Several
   * can be combined with `observers`. Without one, nothing is observed and nothing is paid.
   */
  readonly observer?: Observer;
}

/** Where to listen. */
export interface ListenAddress {
  /** The interface to bind, e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** The address from `HOST` and `PORT`, defaulting to `127.0.0.1:8080`, as the proxy expects by default. */
export function addressFromEnvironment(env: NodeJS.ProcessEnv = process.env): ListenAddress {
  const port = Number(env["PORT"] ?? "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env["PORT"]}`);
  return { host: env["HOST"] ?? "127.0.0.1", port };
}

/** A user function: discovery plus the protocol services its entities need. */
export class CloudstateServer {
  readonly #server: Server;
  readonly #logger: Logger;
  /** Started on shutdown: every entity stream finishes its command in hand and ends. */
  readonly #drain = new Drain();
  #port: number | undefined;

  constructor(options: ServerOptions) {
    this.#logger = options.logger ?? consoleLogger();
    const seen = new Set<string>();
    for (const entity of options.entities) {
      if (seen.has(entity.serviceName)) throw new Error(`${entity.serviceName} is served twice`);
      seen.add(entity.serviceName);
    }
    const eventSourced = new Map<string, EventSourcedEntity>();
    const valueEntities = new Map<string, ValueEntity>();
    const actions = new Map<string, Action>();
    const crdts = new Map<string, CrdtEntity>();
    for (const entity of options.entities) {
      if (entity.kind === "event-sourced") eventSourced.set(entity.serviceName, entity);
      else if (entity.kind === "value") valueEntities.set(entity.serviceName, entity);
      else if (entity.kind === "crdt") crdts.set(entity.serviceName, entity);
      else actions.set(entity.serviceName, entity);
    }
    const logger = this.#logger;
    const observer = options.observer === undefined ? undefined : guardObserver(options.observer, logger);
    const drain = this.#drain;
    const handleEventSourced = (requests: AsyncIterable<EventSourcedStreamIn>) =>
      runEventSourcedStream(requests, eventSourced, logger, drain, undefined, observer);
    const handleValueEntity = (requests: AsyncIterable<ValueEntityStreamIn>) =>
      runValueEntityStream(requests, valueEntities, logger, drain, undefined, observer);
    const handleCrdt = (requests: AsyncIterable<CrdtStreamIn>) =>
      runCrdtStream(requests, crdts, logger, drain, undefined, observer);
    // The entity streams are served by the interceptor, off nice-grpc's per-call machinery (see
    // entity-stream-call.ts); they are still added to nice-grpc below, which routes their paths and decodes and
    // encodes their messages.
    const interceptor = entityStreamInterceptor(
      new Map<string, EntityStreamRunner>([
        [eventSourcedStreamDefinition.handle.path, handleEventSourced],
        [valueEntityStreamDefinition.handle.path, handleValueEntity],
        [crdtStreamDefinition.handle.path, handleCrdt],
      ]),
      logger,
    );
    this.#server = createServer({ interceptors: [interceptor] });
    this.#server.add(EntityDiscoveryDefinition, entityDiscoveryService(options.entities, options, this.#logger));
    this.#server.add(eventSourcedStreamDefinition, { handle: handleEventSourced });
    this.#server.add(valueEntityStreamDefinition, { handle: handleValueEntity });
    this.#server.add(ActionProtocolDefinition, actionProtocolService(actions, logger, observer));
    this.#server.add(crdtStreamDefinition, { handle: handleCrdt });
  }

  /** How many entity streams (event-sourced, value entity, CRDT) are open now: one per entity the proxy has active here. */
  get openEntityStreams(): number {
    return this.#drain.open;
  }

  /** The bound port, once started. */
  get port(): number | undefined {
    return this.#port;
  }

  /** Starts listening; resolves to the bound port. */
  async start(address: ListenAddress = addressFromEnvironment()): Promise<number> {
    const host = address.host.includes(":") ? `[${address.host}]` : address.host;
    this.#port = await this.#server.listen(`${host}:${address.port}`);
    this.#logger.info(`user function listening on ${address.host}:${this.#port}`);
    return this.#port;
  }

  /**
   * Stops accepting new calls, lets every entity stream finish the command it is handling and then ends it, and
   * waits for that; after `graceMs`, cancels whatever is still open (a handler that never returns).
   */
  async shutdown(graceMs = 5000): Promise<void> {
    this.#drain.start();
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, graceMs);
    });
    await Promise.race([this.#server.shutdown(), forced]);
    clearTimeout(timer);
  }
}

/** Options of {@link serve}: the server's, and what to finish before the process exits. */
export interface ServeOptions extends ServerOptions {
  /**
   * Runs once the streams have drained after SIGTERM or SIGINT, just before the process exits: export the spans
   * and metrics telemetry still buffers (including those of the commands that finished during the drain), close a
   * pool. It gets {@link ServeOptions.onShutdownMs}; what it throws, or not finishing in time, is logged, and the
   * process exits all the same.
   */
  readonly onShutdown?: () => Promise<void>;
  /** How long `onShutdown` may take, in milliseconds. Default 10 000. */
  readonly onShutdownMs?: number;
}

/**
 * Serves the entities on `HOST`/`PORT` until SIGTERM or SIGINT, then shuts down gracefully (and runs
 * `onShutdown`). The usual `main` of a user function. Under `cloudstate-ts dev` (`CLOUDSTATE_TS_INSPECTOR_FEED`
 * set) it also feeds the dev session's inspector; nothing of that runs otherwise.
 */
export async function serve(options: ServeOptions): Promise<CloudstateServer> {
  const logger = options.logger ?? consoleLogger();
  // Under `cloudstate-ts dev` only: the dev session's inspector asks for a feed through the environment.
  const feed = inspectorFeedFromEnvironment(options.entities, logger);
  // Guarded apart from the user's own observer: should the feed throw, the user's spans still start and end.
  const observer =
    feed === undefined
      ? options.observer
      : options.observer === undefined
        ? feed
        : observers(options.observer, guardObserver(feed, logger));
  const server = new CloudstateServer({ ...options, ...(observer === undefined ? {} : { observer }) });
  const finish = async (): Promise<void> => {
    if (options.onShutdown === undefined) return;
    const limitMs = options.onShutdownMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), limitMs)));
    try {
      const outcome = await Promise.race([options.onShutdown().then(() => "done" as const), late]);
      if (outcome === "late") logger.warn(`onShutdown did not finish within ${limitMs} ms; exiting all the same`);
    } catch (error) {
      logger.error("onShutdown failed; exiting all the same", error);
    } finally {
      clearTimeout(timer);
    }
  };
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // A Ctrl-C (SIGINT) then a supervisor's SIGTERM: one shutdown, one onShutdown.
    if (stopping) {
      logger.info(`${signal} received; already shutting down`);
      return;
    }
    stopping = true;
    logger.info(`${signal} received; shutting down`);
    server.shutdown().then(
      () => finish().then(() => process.exit(0)),
      (error: unknown) => {
        logger.error("shutdown failed", error);
        process.exit(1);
      },
    );
  };
  // Before listening: until a listener exists, the signal's default action ends the process at once, and a
  // supervisor may send it as soon as it reads the "listening" line.
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await server.start(addressFromEnvironment());
  return server;
}
