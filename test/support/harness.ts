/**
 * Test helpers: serve entities in-process on a free port and talk to them as the proxy would, over a real gRPC
 * connection.
 * @packageDocumentation
 */
import { createChannel, createClient, type Channel } from "nice-grpc";
import { ActionProtocolDefinition, type ActionProtocolClient } from "../../gen/cloudstate/action.js";
import { EntityDiscoveryDefinition, type EntityDiscoveryClient } from "../../gen/cloudstate/entity.js";
import {
  EventSourcedDefinition,
  type EventSourcedClient,
  type EventSourcedStreamIn,
  type EventSourcedStreamOut,
} from "../../gen/cloudstate/event_sourced.js";
import {
  ValueEntityDefinition,
  type ValueEntityStreamIn,
  type ValueEntityStreamOut,
} from "../../gen/cloudstate/value_entity.js";
import { CrdtDefinition, type CrdtStreamIn, type CrdtStreamOut } from "../../gen/cloudstate/crdt.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import type { Logger } from "../../runtime/logger.js";
import { CloudstateServer, type ServableEntity } from "../../runtime/server.js";
import { RequestQueue, ResponseReader } from "../../runtime/testkit/unit/stream.js";

export { RequestQueue, ResponseReader } from "../../runtime/testkit/unit/stream.js";
export { memoryLogger } from "../../runtime/testkit/memory-logger.js";
export type { MemoryLogger, LogLine } from "../../runtime/testkit/memory-logger.js";

/** One entity stream opened as the proxy would open it. */
export interface EntityStream<In, Out> {
  /** Sends one message to the user function, as the proxy would; fields left out take their defaults. */
  send(message: DeepPartial<In>): void;
  /** The user function's next message; fails if the stream ends or nothing arrives within `timeoutMs` (5 s). */
  next(timeoutMs?: number): Promise<Out>;
  /** Resolves once the user function ends the stream; fails if a message arrives instead or the call failed. */
  end(timeoutMs?: number): Promise<void>;
  /** Half-closes the stream from the proxy's side: no more messages will be sent; responses still arrive. */
  close(): void;
}

/** An `EventSourced.handle` stream. */
export type EventSourcedStream = EntityStream<EventSourcedStreamIn, EventSourcedStreamOut>;

/** A `ValueEntity.handle` stream. */
export type ValueEntityStream = EntityStream<ValueEntityStreamIn, ValueEntityStreamOut>;

function openStream<In, Out>(
  handle: (requests: AsyncIterable<DeepPartial<In>>) => AsyncIterable<Out>,
): EntityStream<In, Out> {
  const requests = new RequestQueue<DeepPartial<In>>();
  const reader = new ResponseReader(handle(requests));
  return {
    send: (message) => requests.push(message),
    next: (timeoutMs) => reader.next(timeoutMs),
    end: (timeoutMs) => reader.end(timeoutMs),
    close: () => requests.close(),
  };
}

/** A `Crdt.handle` stream. */
export type CrdtStream = EntityStream<CrdtStreamIn, CrdtStreamOut>;

/** A running user function and clients that play the proxy. */
export interface TestHarness {
  /** The port the user function listens on, on 127.0.0.1. */
  readonly port: number;
  /** A client of the user function's `EntityDiscovery` service, to call `discover` and `reportError`. */
  readonly discovery: EntityDiscoveryClient;
  /** A client of its `EventSourced` protocol service, for calls the stream helpers do not cover. */
  readonly eventSourced: EventSourcedClient;
  /** A client of its `ActionProtocol` service, to call actions unary or streamed. */
  readonly actions: ActionProtocolClient;
  /** Opens an `EventSourced.handle` stream. */
  openEventSourced(): EventSourcedStream;
  /** Opens a `ValueEntity.handle` stream. */
  openValueEntity(): ValueEntityStream;
  /** Opens a `Crdt.handle` stream. */
  openCrdt(): CrdtStream;
  /** Shuts the user function down (waiting up to 1 s for open streams) and closes the clients' channel. */
  close(): Promise<void>;
}

/** Serves `entities` on 127.0.0.1 at a free port and connects proxy-side clients to it. */
export async function startHarness(entities: readonly ServableEntity[], logger?: Logger): Promise<TestHarness> {
  const server = new CloudstateServer(logger === undefined ? { entities } : { entities, logger });
  const port = await server.start({ host: "127.0.0.1", port: 0 });
  const channel: Channel = createChannel(`127.0.0.1:${port}`);
  const eventSourced = createClient(EventSourcedDefinition, channel);
  const valueEntity = createClient(ValueEntityDefinition, channel);
  return {
    port,
    discovery: createClient(EntityDiscoveryDefinition, channel),
    eventSourced,
    actions: createClient(ActionProtocolDefinition, channel),
    openEventSourced: () => openStream((requests) => eventSourced.handle(requests)),
    openValueEntity: () => openStream((requests) => valueEntity.handle(requests)),
    openCrdt: () => openStream((requests) => createClient(CrdtDefinition, channel).handle(requests)),
    async close() {
      await server.shutdown(1000);
      channel.close();
    },
  };
}
