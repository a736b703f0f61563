/**
 * Test helpers: serve entities in-process on a free port and talk to them as the proxy would, over a real gRPC
 * connection.
 * @packageDocumentation
 */
import { createChannel, createClient, type Channel } from "nice-grpc";
import { EntityDiscoveryDefinition, type EntityDiscoveryClient } from "../../gen/cloudstate/entity.js";
import {
  EventSourcedDefinition,
  type EventSourcedClient,
  type EventSourcedStreamIn,
  type EventSourcedStreamOut,
} from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import type { Logger } from "../logger.js";
import { CloudstateServer, type ServableEntity } from "../server.js";
import { RequestQueue, ResponseReader } from "./stream.js";

export { RequestQueue, ResponseReader } from "./stream.js";

/** One event-sourced entity stream opened as the proxy would open it. */
export interface EventSourcedStream {
  send(message: DeepPartial<EventSourcedStreamIn>): void;
  next(timeoutMs?: number): Promise<EventSourcedStreamOut>;
  end(timeoutMs?: number): Promise<void>;
  close(): void;
}

/** A running user function and clients that play the proxy. */
export interface TestHarness {
  readonly port: number;
  readonly discovery: EntityDiscoveryClient;
  readonly eventSourced: EventSourcedClient;
  /** Opens an `EventSourced.handle` stream. */
  openEventSourced(): EventSourcedStream;
  close(): Promise<void>;
}

/** A logger that keeps what it is told, for assertions. */
export function memoryLogger(): Logger & { readonly lines: { level: string; message: string; detail: unknown }[] } {
  const lines: { level: string; message: string; detail: unknown }[] = [];
  const at = (level: string) => (message: string, detail?: unknown) => {
    lines.push({ level, message, detail });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Serves `entities` on 127.0.0.1 at a free port and connects proxy-side clients to it. */
export async function startHarness(entities: readonly ServableEntity[], logger?: Logger): Promise<TestHarness> {
  const server = new CloudstateServer(logger === undefined ? { entities } : { entities, logger });
  const port = await server.start({ host: "127.0.0.1", port: 0 });
  const channel: Channel = createChannel(`127.0.0.1:${port}`);
  const eventSourced = createClient(EventSourcedDefinition, channel);
  return {
    port,
    discovery: createClient(EntityDiscoveryDefinition, channel),
    eventSourced,
    openEventSourced(): EventSourcedStream {
      const requests = new RequestQueue<DeepPartial<EventSourcedStreamIn>>();
      const reader = new ResponseReader(eventSourced.handle(requests));
      return {
        send: (message) => requests.push(message),
        next: (timeoutMs) => reader.next(timeoutMs),
        end: (timeoutMs) => reader.end(timeoutMs),
        close: () => requests.close(),
      };
    },
    async close() {
      await server.shutdown(1000);
      channel.close();
    },
  };
}
