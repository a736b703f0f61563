/**
 * `npm run bench:codec`: what encoding one entity-stream reply costs, in CPU microseconds, three ways: as nice-grpc
 * does with ts-proto's definition (`fromPartial`, then `encode` into a new writer), the same into one reused writer,
 * and with the runtime's own envelope encoder. The reply is the shopping cart's usual one: a command id, a reply
 * payload and one event (plus, in the second case, a snapshot). Measured in this process, alternating the three
 * in rounds; CPU time, not wall time, so a loaded machine disturbs it less.
 */
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import Long from "long";
import { EventSourcedStreamOut } from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { packMessage } from "../../runtime/any.js";
import { eventSourcedStreamOutEncoder } from "../../runtime/wire/stream-out-codec.js";
import { GetShoppingCart } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { Cart, ItemAdded } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";

const item = { productId: "apple", name: "Apple", quantity: 3 };
const usual: DeepPartial<EventSourcedStreamOut> = {
  message: {
    $case: "reply",
    value: {
      commandId: Long.fromNumber(12345),
      clientAction: { action: { $case: "reply", value: { payload: packMessage(GetShoppingCart, { userId: "u1" }) } } },
      events: [packMessage(ItemAdded, { item })],
    },
  },
};
const withSnapshot: DeepPartial<EventSourcedStreamOut> = {
  message: {
    $case: "reply",
    value: {
      ...(usual.message?.value as object),
      snapshot: packMessage(Cart, { items: Array.from({ length: 20 }, (_, i) => ({ ...item, productId: `p${i}` })) }),
    },
  },
};

type Encode = (reply: DeepPartial<EventSourcedStreamOut>) => Uint8Array;
const reused = new BinaryWriter();
const ways: [string, Encode][] = [
  [
    "ts-proto, new writer (nice-grpc's way)",
    (r) => EventSourcedStreamOut.encode(EventSourcedStreamOut.fromPartial(r)).finish(),
  ],
  [
    "ts-proto, one reused writer",
    (r) => EventSourcedStreamOut.encode(EventSourcedStreamOut.fromPartial(r), reused).finish(),
  ],
  ["the runtime's envelope encoder", eventSourcedStreamOutEncoder()],
];

/** The transport copies what it is given at once; so does this, so that every way pays the same for it. */
const copyOut = (bytes: Uint8Array): Buffer => Buffer.from(bytes);

function cpuMicroseconds(encode: Encode, reply: DeepPartial<EventSourcedStreamOut>, count: number): number {
  const before = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < count; i++) sink += copyOut(encode(reply)).length;
  const used = process.cpuUsage(before);
  if (sink === 0) throw new Error("nothing encoded");
  return (used.user + used.system) / count;
}

const rounds = 5;
const count = 200_000;
for (const [label, reply] of [
  ["usual reply (id, payload, one event)", usual],
  ["reply with a 20-item snapshot", withSnapshot],
] as const) {
  const samples = new Map<string, number[]>(ways.map(([name]) => [name, []]));
  for (const [, encode] of ways) cpuMicroseconds(encode, reply, count / 4); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [name, encode] of ways) samples.get(name)?.push(cpuMicroseconds(encode, reply, count));
  }
  console.log(`\n${label}: CPU µs per encode, median of ${rounds} rounds of ${count}`);
  const base = median(samples.get(ways[0]?.[0] ?? "") ?? []);
  for (const [name] of ways) {
    const m = median(samples.get(name) ?? []);
    console.log(`  ${name.padEnd(40)} ${m.toFixed(3)} µs  (${(m / base).toFixed(2)}x)`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
