/**
 * The load driver: plays the proxy on EventSourced.handle streams against a user function in another process,
 * and measures it from outside (its CPU time and memory from /proc).
 *
 * The driver must not be the bottleneck, so it works below nice-grpc: messages are encoded once, up front, and
 * written as raw frames with @grpc/grpc-js; answers are told apart by their first byte (reply or failure) without
 * being decoded. `npm run bench` prints the driver's own CPU time beside every throughput figure, and the echo
 * ceiling shows what the driver and transport reach with no user function work at all.
 */
import { credentials, makeGenericClientConstructor, type Client, type ClientDuplexStream } from "@grpc/grpc-js";
import Long from "long";
import { EventSourcedStreamIn } from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { packMessage } from "../../runtime/any.js";
import {
  AddLineItem,
  GetShoppingCart,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { Cart, ItemAdded } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import { cpuSeconds, peakRssMiB, rssMiB } from "./proc.js";

const SERVICE = "com.example.shoppingcart.ShoppingCart";
const METHOD = "/cloudstate.eventsourced.EventSourced/handle";
const STREAMS_PER_CONNECTION = 2000;
/** EventSourcedStreamOut.reply is field 1 (length-delimited): its frames start with this byte. */
const REPLY_TAG = 0x0a;

const RawClient = makeGenericClientConstructor({}, "EventSourcedRaw");
const identity = (b: Buffer): Buffer => b;

function encode(message: DeepPartial<EventSourcedStreamIn>): Buffer {
  return Buffer.from(EventSourcedStreamIn.encode(EventSourcedStreamIn.fromPartial(message)).finish());
}

/** Connections to one address, spreading streams so that no HTTP/2 connection carries too many. */
class Connections {
  readonly #clients: Client[] = [];

  constructor(port: number, streams: number) {
    for (let i = 0; i < Math.max(1, Math.ceil(streams / STREAMS_PER_CONNECTION)); i++) {
      // A distinct option per client keeps grpc-js from sharing one connection between them.
      this.#clients.push(new RawClient(`127.0.0.1:${port}`, credentials.createInsecure(), { "bench.connection": i }));
    }
  }

  open(index: number): ClientDuplexStream<Buffer, Buffer> {
    const client = this.#clients[index % this.#clients.length];
    if (client === undefined) throw new Error("no client");
    return client.makeBidiStreamRequest(METHOD, identity, identity);
  }

  close(): void {
    for (const client of this.#clients) client.close();
  }
}

function initFrame(entityId: string): Buffer {
  return encode({ message: { $case: "init", value: { serviceName: SERVICE, entityId } } });
}

/** Twenty commands for one entity, encoded once: AddItem of ten products alternating with GetCart. */
function commandFrames(entityId: string): Buffer[] {
  return Array.from({ length: 20 }, (_, n) =>
    encode({
      message: {
        $case: "command",
        value:
          n % 2 === 0
            ? {
                id: Long.fromNumber(n + 1),
                entityId,
                name: "AddItem",
                payload: packMessage(AddLineItem, {
                  userId: entityId,
                  productId: `product-${n / 2}`,
                  name: `Product ${n / 2}`,
                  quantity: 1,
                }),
              }
            : {
                id: Long.fromNumber(n + 1),
                entityId,
                name: "GetCart",
                payload: packMessage(GetShoppingCart, { userId: entityId }),
              },
      },
    }),
  );
}

function checkReply(frame: Buffer): void {
  if (frame[0] !== REPLY_TAG) throw new Error(`expected a reply, got a frame starting with ${frame[0]}`);
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
 * number in flight. Measures after a warm-up.
 */
export async function throughput(
  port: number,
  pid: number,
  entities: number,
  warmupMs: number,
  measureMs: number,
): Promise<ThroughputResult> {
  const connections = new Connections(port, entities);
  const latencies: number[] = [];
  let measuring = false;
  let stopping = false;
  const failures: Error[] = [];
  const done = Array.from(
    { length: entities },
    (_, e) =>
      new Promise<void>((resolve) => {
        const entityId = `bench-${e}`;
        const frames = commandFrames(entityId);
        const call = connections.open(e);
        let n = 0;
        let sent = 0;
        const sendNext = (): void => {
          sent = performance.now();
          call.write(frames[n++ % frames.length] ?? Buffer.alloc(0));
        };
        call.on("data", (frame: Buffer) => {
          try {
            checkReply(frame);
          } catch (error) {
            failures.push(error as Error);
          }
          if (measuring) latencies.push(performance.now() - sent);
          if (stopping) call.end();
          else sendNext();
        });
        call.on("error", (error: Error) => {
          if (!stopping) failures.push(error);
          resolve();
        });
        call.on("end", () => resolve());
        call.write(initFrame(entityId));
        sendNext();
      }),
  );
  await new Promise((r) => setTimeout(r, warmupMs));
  const cpuBefore = cpuSeconds(pid);
  const driverBefore = process.cpuUsage();
  const started = performance.now();
  latencies.length = 0;
  measuring = true;
  await new Promise((r) => setTimeout(r, measureMs));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const driver = process.cpuUsage(driverBefore);
  const commands = latencies.length;
  stopping = true;
  await Promise.all(done);
  connections.close();
  const failure = failures[0];
  if (failure !== undefined) throw failure;
  const sorted = Float64Array.from(latencies).sort();
  return {
    entities,
    commands,
    seconds,
    commandsPerSecond: commands / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuSeconds: cpu,
    commandsPerCpuSecond: cpu > 0 ? commands / cpu : 0,
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

/** Writes frames in order, waiting for the stream to drain when gRPC asks it to. */
async function writeAll(call: ClientDuplexStream<Buffer, Buffer>, frames: readonly Buffer[]): Promise<void> {
  for (const frame of frames) {
    if (!call.write(frame)) await new Promise((r) => call.once("drain", r));
  }
}

/**
 * Initialises one entity with `events` journaled events (after a snapshot of a 10-line cart, when `snapshot`),
 * and measures the time until its first command is answered.
 */
export async function replay(port: number, pid: number, events: number, snapshot: boolean): Promise<ReplayResult> {
  const connections = new Connections(port, 1);
  const entityId = `replay-${events}-${snapshot}-${Date.now()}`;
  const base = snapshot ? 1000 : 0;
  const frames: Buffer[] = [
    encode({
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
    }),
  ];
  const payloads = Array.from({ length: 10 }, (_, i) =>
    packMessage(ItemAdded, { item: { productId: `product-${i}`, name: `Product ${i}`, quantity: 1 } }),
  );
  for (let i = 1; i <= events; i++) {
    frames.push(
      encode({
        message: { $case: "event", value: { sequence: Long.fromNumber(base + i), payload: payloads[i % 10] } },
      }),
    );
  }
  frames.push(commandFrames(entityId)[1] ?? Buffer.alloc(0)); // GetCart
  const call = connections.open(0);
  const answered = new Promise<Buffer>((resolve, reject) => {
    call.once("data", resolve);
    call.once("error", reject);
  });
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  await writeAll(call, frames);
  checkReply(await answered);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  call.end();
  connections.close();
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
  const connections = new Connections(port, entities);
  const open = (index: number, entityId: string): Promise<ClientDuplexStream<Buffer, Buffer>> => {
    const call = connections.open(index);
    return new Promise((resolve, reject) => {
      call.once("data", (frame: Buffer) => {
        checkReply(frame);
        resolve(call);
      });
      call.once("error", reject);
      call.write(initFrame(entityId));
      call.write(commandFrames(entityId)[0] ?? Buffer.alloc(0));
    });
  };
  const warm = await open(0, "warm");
  await new Promise((r) => setTimeout(r, 500));
  const baselineMiB = rssMiB(pid);
  const calls: ClientDuplexStream<Buffer, Buffer>[] = [];
  const batch = 1000;
  for (let start = 0; start < entities; start += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, entities - start) }, (_, i) => open(start + i, `memory-${start + i}`)),
    );
    calls.push(...opened);
  }
  await new Promise((r) => setTimeout(r, 1000));
  const loadedMiB = rssMiB(pid);
  for (const call of [...calls, warm]) call.end();
  connections.close();
  return { entities, baselineMiB, loadedMiB, kibPerEntity: ((loadedMiB - baselineMiB) * 1024) / entities };
}
