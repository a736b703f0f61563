/**
 * Property-based fuzzing of the event-sourced stream loop with fast-check: random and mutated stream messages in
 * any order (duplicate inits, unknown entities and commands, truncated or wrongly-typed payloads, huge payloads,
 * negative and out-of-order sequence numbers, streams that stop mid-way). Properties: the loop never throws;
 * every answer belongs to a command that was sent, in order, exactly once; and a stream either answers every
 * command or ends with a clear error as its last message.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import Long from "long";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import {
  AddLineItem,
  GetShoppingCart,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import {
  Cart,
  ItemAdded,
  ItemRemoved,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";
import type { EventSourcedStreamIn, EventSourcedStreamOut } from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { Any } from "../../gen/google/protobuf/any.js";
import { EventSourcedStreamIn as StreamIn } from "../../gen/cloudstate/event_sourced.js";
import { packMessage } from "../../runtime/any.js";
import { runEventSourcedStream } from "../../runtime/event-sourced/stream.js";
import { memoryLogger } from "../support/harness.js";
import { SERVICE } from "../support/cart-messages.js";

const entities = new Map([[shoppingCart.serviceName, shoppingCart]]);
const ENTITY = "fuzzed";

const bytes = fc.uint8Array({ maxLength: 64 });
const hugeBytes = fc.integer({ min: 100_000, max: 1_000_000 }).map((n) => new Uint8Array(n).fill(0x0a));

/** A payload: valid for some command or event type, of another type, truncated, garbage, huge, or absent. */
const payload: fc.Arbitrary<Any | undefined> = fc.oneof(
  fc
    .record({
      userId: fc.constantFrom(ENTITY, "x"),
      productId: fc.string({ maxLength: 8 }),
      name: fc.string({ maxLength: 8 }),
      quantity: fc.integer(),
    })
    .map((v) => packMessage(AddLineItem, v)),
  fc.constant(packMessage(GetShoppingCart, { userId: ENTITY })),
  fc
    .record({ productId: fc.string({ maxLength: 8 }), quantity: fc.integer() })
    .map((v) => packMessage(ItemAdded, { item: { ...v, name: "" } })),
  fc.string({ maxLength: 8 }).map((productId) => packMessage(ItemRemoved, { productId })),
  fc.constant(packMessage(Cart, { items: [] })),
  fc
    .tuple(
      fc.constantFrom(
        "type.googleapis.com/com.example.shoppingcart.AddLineItem",
        "type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded",
        "type.googleapis.com/com.example.shoppingcart.persistence.Cart",
        "p.cloudstate.io/string",
        "json.cloudstate.io/x",
        "nonsense",
        "",
      ),
      bytes,
    )
    .map(([typeUrl, value]) => Any.fromPartial({ typeUrl, value: Buffer.from(value) })),
  fc
    .tuple(fc.constant("type.googleapis.com/com.example.shoppingcart.AddLineItem"), hugeBytes)
    .map(([typeUrl, value]) => Any.fromPartial({ typeUrl, value: Buffer.from(value) })),
  fc.constant(undefined),
);

const sequence = fc
  .oneof(fc.integer({ min: -3, max: 20 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(-1))
  .map((n) => Long.fromNumber(n));

const message: fc.Arbitrary<DeepPartial<EventSourcedStreamIn>> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .record({
        serviceName: fc.constantFrom(SERVICE, SERVICE, "no.Such"),
        entityId: fc.constantFrom(ENTITY, "other"),
        snapshot: fc.option(fc.record({ snapshotSequence: sequence, snapshot: payload }), { nil: undefined }),
      })
      .map((value) => ({ message: { $case: "init" as const, value } })),
  },
  {
    weight: 3,
    arbitrary: fc.record({ sequence, payload }).map((value) => ({ message: { $case: "event" as const, value } })),
  },
  {
    weight: 8,
    arbitrary: fc
      .record({
        id: fc.integer({ min: -5, max: 1000 }).map((n) => Long.fromNumber(n)),
        entityId: fc.constantFrom(ENTITY, ENTITY, "other"),
        name: fc.constantFrom("AddItem", "RemoveItem", "GetCart", "Checkout", ""),
        payload,
      })
      .map((value) => ({ message: { $case: "command" as const, value } })),
  },
  { weight: 1, arbitrary: fc.constant({}) },
);

const commandOnly = message.filter((m) => m.message?.$case === "command");

/**
 * Arbitrary messages throughout; or a well-formed start (init, a few events) followed by arbitrary messages; or
 * that start followed by commands only, to reach deep into command handling.
 */
const script = fc.oneof(
  fc.array(message, { maxLength: 30 }),
  fc
    .array(commandOnly, { maxLength: 30 })
    .map((rest) => [
      { message: { $case: "init" as const, value: { serviceName: SERVICE, entityId: ENTITY } } },
      ...rest,
    ]),
  fc
    .tuple(
      fc.array(fc.record({ productId: fc.string({ maxLength: 4 }), quantity: fc.integer({ min: 1, max: 5 }) }), {
        maxLength: 5,
      }),
      fc.array(message, { maxLength: 30 }),
    )
    .map(([events, rest]) => [
      { message: { $case: "init" as const, value: { serviceName: SERVICE, entityId: ENTITY } } },
      ...events.map((e, i) => ({
        message: {
          $case: "event" as const,
          value: { sequence: Long.fromNumber(i + 1), payload: packMessage(ItemAdded, { item: { ...e, name: "" } }) },
        },
      })),
      ...rest,
    ]),
);

// eslint-disable-next-line @typescript-eslint/require-await -- an async source, as the gRPC stream is
async function* source(messages: readonly DeepPartial<EventSourcedStreamIn>[]): AsyncGenerator<EventSourcedStreamIn> {
  // As over the wire: encoded and decoded, so defaults are filled in.
  for (const m of messages) yield StreamIn.decode(StreamIn.encode(StreamIn.fromPartial(m)).finish());
}

async function run(
  messages: readonly DeepPartial<EventSourcedStreamIn>[],
): Promise<DeepPartial<EventSourcedStreamOut>[]> {
  const out: DeepPartial<EventSourcedStreamOut>[] = [];
  for await (const o of runEventSourcedStream(source(messages), entities, memoryLogger())) out.push(o);
  return out;
}

function answerId(out: DeepPartial<EventSourcedStreamOut>): string {
  const m = out.message;
  if (m?.$case === "reply") return Long.fromValue(m.value?.commandId ?? 0).toString();
  if (m?.$case === "failure") return Long.fromValue(m.value?.commandId ?? 0).toString();
  return "?";
}

describe("fuzzing EventSourced.handle", () => {
  it("never throws, answers each command once and in order, or ends with a clear error", async (t) => {
    let cases = 0;
    let commands = 0;
    let endedEarly = 0;
    await fc.assert(
      fc.asyncProperty(script, async (messages) => {
        cases++;
        const outputs = await run(messages);
        const sent = messages
          .filter((m) => m.message?.$case === "command")
          .map((m) => Long.fromValue((m.message?.value as { id: Long }).id).toString());
        commands += sent.length;
        const last = outputs.at(-1);
        const streamFailed = last?.message?.$case === "failure" || /before init/.test(JSON.stringify(last ?? {}));
        // Only the last message may be a stream-level failure.
        for (const o of outputs.slice(0, -1)) assert.equal(o.message?.$case, "reply");
        const answered = outputs.filter((o) => o.message?.$case === "reply").map(answerId);
        if (streamFailed) {
          endedEarly++;
          const description =
            last?.message?.value && "description" in last.message.value
              ? last.message.value.description
              : JSON.stringify(last);
          assert.ok(typeof description === "string" && description.length > 0, "a clear error");
          assert.deepEqual(answered, sent.slice(0, answered.length), "answers are for the commands sent, in order");
        } else {
          assert.deepEqual(answered, sent, "every command answered exactly once, in order");
        }
      }),
      { numRuns: 10_000 },
    );
    t.diagnostic(`fuzzed ${cases} streams with ${commands} commands; ${endedEarly} ended early with an error`);
    assert.equal(cases, 10_000);
  });
});
