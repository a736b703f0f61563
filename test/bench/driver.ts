/**
 * The load driver: plays the proxy on EventSourced.handle streams against a user function in another process,
 * and measures it from outside (its CPU time and memory from /proc).
 */
import Long from "long";
import { createChannel, createClient, type Channel } from "nice-grpc";
import {
  EventSourcedDefinition,
  type EventSourcedClient,
  type EventSourcedStreamIn,
  type EventSourcedStreamOut,
} from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { packMessage } from "../../runtime/any.js";
import { RequestQueue, ResponseReader } from "../../runtime/testing/stream.js";
import {
  AddLineItem,
  GetShoppingCart,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { Cart, ItemAdded } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import { cpuSeconds, peakRssMiB, rssMiB } from "./proc.js";

const SERVICE = "com.example.shoppingcart.ShoppingCart";
const STREAMS_PER_CHANNEL = 2000;
type In = DeepPartial<EventSourcedStreamIn>;

/** A set of channels to one address, spreading streams so that no HTTP/2 connection carries too many. */
class Clients {
  readonly #channels: Channel[] = [];
  readonly #clients: EventSourcedClient[] = [];

  constructor(port: number, streams: number) {
    for (let i = 0; i < Math.max(1, Math.ceil(streams / STREAMS_PER_CHANNEL)); i++) {
      const channel = createChannel(`127.0.0.1:${port}`, undefined, { "grpc.use_local_subchannel_pool": 1 });
      this.#channels.push(channel);
      this.#clients.push(createClient(EventSourcedDefinition, channel));
    }
  }

  open(index: number): { send: (m: In) => void; reader: ResponseReader<EventSourcedStreamOut>; close: () => void } {
    const client = this.#clients[index % this.#clients.length];
    if (client === undefined) throw new Error("no client");
    const requests = new RequestQueue<In>();
    const reader = new ResponseReader(client.handle(requests));
    return { send: (m) => requests.push(m), reader, close: () => requests.close() };
  }

  close(): void {
    for (const channel of this.#channels) channel.close();
  }
}

function init(entityId: string): In {
  return { message: { $case: "init", value: { serviceName: SERVICE, entityId } } };
}

/** Commands prepared once, so the driver spends its time sending, not encoding payloads. */
function commandPayloads(entityId: string) {
  const adds = Array.from({ length: 10 }, (_, i) =>
    packMessage(AddLineItem, { userId: entityId, productId: `product-${i}`, name: `Product ${i}`, quantity: 1 }),
  );
  const get = packMessage(GetShoppingCart, { userId: entityId });
  return (n: number): In => ({
    message: {
      $case: "command",
      value:
        n % 2 === 0
          ? { id: Long.fromNumber(n + 1), entityId, name: "AddItem", payload: adds[(n / 2) % 10] }
          : { id: Long.fromNumber(n + 1), entityId, name: "GetCart", payload: get },
    },
  });
}

export interface ThroughputResult {
  readonly entities: number;
  readonly commands: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuSeconds: number;
  readonly commandsPerCpuSecond: number;
  readonly peakRssMiB: number;
  readonly driverCpuSeconds: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/**
 * Closed loop: every entity has one command in flight at a time, as the proxy allows, so `entities` is the
 * number in flight. Commands alternate AddItem and GetCart. Measures after a warm-up.
 */
export async function throughput(
  port: number,
  pid: number,
  entities: number,
  warmupMs: number,
  measureMs: number,
): Promise<ThroughputResult> {
  const clients = new Clients(port, entities);
  const latencies: number[] = [];
  let measuring = false;
  let stop = false;
  const workers = Array.from({ length: entities }, async (_, e) => {
    const entityId = `bench-${e}`;
    const stream = clients.open(e);
    const next = commandPayloads(entityId);
    stream.send(init(entityId));
    for (let n = 0; !stop; n++) {
      const sent = performance.now();
      stream.send(next(n));
      const out = await stream.reader.next(30_000);
      if (out.message?.$case !== "reply") throw new Error(`unexpected answer ${JSON.stringify(out)}`);
      if (measuring) latencies.push(performance.now() - sent);
    }
    stream.close();
  });
  await new Promise((r) => setTimeout(r, warmupMs));
  const cpuBefore = cpuSeconds(pid);
  const driverBefore = process.cpuUsage();
  const started = performance.now();
  measuring = true;
  await new Promise((r) => setTimeout(r, measureMs));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const driver = process.cpuUsage(driverBefore);
  stop = true;
  await Promise.all(workers);
  clients.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    entities,
    commands: latencies.length,
    seconds,
    commandsPerSecond: latencies.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuSeconds: cpu,
    commandsPerCpuSecond: cpu > 0 ? latencies.length / cpu : 0,
    peakRssMiB: peakRssMiB(pid),
    driverCpuSeconds: (driver.user + driver.system) / 1e6,
  };
}

export interface ReplayResult {
  readonly events: number;
  readonly snapshot: boolean;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly cpuSeconds: number;
}

/**
 * Initialises one entity with `events` journaled events (after a snapshot of a 10-line cart, when `snapshot`),
 * and measures the time until its first command is answered.
 */
export async function replay(port: number, pid: number, events: number, snapshot: boolean): Promise<ReplayResult> {
  const clients = new Clients(port, 1);
  const entityId = `replay-${events}-${snapshot}`;
  const messages: In[] = [];
  const base = snapshot ? 1000 : 0;
  messages.push({
    message: {
      $case: "init",
      value: {
        serviceName: SERVICE,
        entityId,
        snapshot: snapshot
          ? {
              snapshotSequence: Long.fromNumber(base),
              snapshot: packMessage(Cart, {
                items: Array.from({ length: 10 }, (_, i) => ({
                  productId: `product-${i}`,
                  name: `Product ${i}`,
                  quantity: 100,
                })),
              }),
            }
          : undefined,
      },
    },
  });
  const payloads = Array.from({ length: 10 }, (_, i) =>
    packMessage(ItemAdded, { item: { productId: `product-${i}`, name: `Product ${i}`, quantity: 1 } }),
  );
  for (let i = 1; i <= events; i++) {
    messages.push({
      message: { $case: "event", value: { sequence: Long.fromNumber(base + i), payload: payloads[i % 10] } },
    });
  }
  messages.push({
    message: {
      $case: "command",
      value: { id: Long.ONE, entityId, name: "GetCart", payload: packMessage(GetShoppingCart, { userId: entityId }) },
    },
  });
  const stream = clients.open(0);
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  for (const message of messages) stream.send(message);
  const out = await stream.reader.next(300_000);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (out.message?.$case !== "reply") throw new Error(`unexpected answer ${JSON.stringify(out)}`);
  stream.close();
  clients.close();
  return { events, snapshot, seconds, eventsPerSecond: events / seconds, cpuSeconds: cpu };
}

export interface MemoryResult {
  readonly entities: number;
  readonly baselineMiB: number;
  readonly loadedMiB: number;
  readonly kibPerEntity: number;
}

/** Opens `entities` streams, each initialised and given one AddItem, and reads the resident memory with them open. */
export async function memory(port: number, pid: number, entities: number): Promise<MemoryResult> {
  const clients = new Clients(port, entities + 1);
  const warm = clients.open(entities);
  warm.send(init("warm"));
  warm.send(commandPayloads("warm")(0));
  await warm.reader.next(30_000);
  await new Promise((r) => setTimeout(r, 500));
  const baselineMiB = rssMiB(pid);
  const streams: ReturnType<Clients["open"]>[] = [];
  const batch = 1000;
  for (let start = 0; start < entities; start += batch) {
    const opened = Array.from({ length: Math.min(batch, entities - start) }, (_, i) => {
      const e = start + i;
      const stream = clients.open(e);
      stream.send(init(`memory-${e}`));
      stream.send(commandPayloads(`memory-${e}`)(0));
      return stream;
    });
    await Promise.all(opened.map((s) => s.reader.next(60_000)));
    streams.push(...opened);
  }
  await new Promise((r) => setTimeout(r, 1000));
  const loadedMiB = rssMiB(pid);
  for (const stream of streams) stream.close();
  warm.close();
  clients.close();
  return { entities, baselineMiB, loadedMiB, kibPerEntity: ((loadedMiB - baselineMiB) * 1024) / entities };
}
