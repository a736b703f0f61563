/**
 * The runtime's own encoder of entity-stream replies against ts-proto's: for any partial reply the runtime could
 * hand the transport (every field present or missing, Longs as Long, number or string, long strings and large
 * submessages whose length prefixes take several bytes), the bytes are those of
 * `encode(fromPartial(reply)).finish()`, and a reply encoded after another is not disturbed by it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import Long from "long";
import { EventSourcedStreamOut } from "../../gen/cloudstate/event_sourced.js";
import { ValueEntityStreamOut } from "../../gen/cloudstate/value_entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { eventSourcedStreamOutEncoder, valueEntityStreamOutEncoder } from "../../runtime/wire/stream-out-codec.js";
import { ReplyWriter } from "../../runtime/wire/reply-writer.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arbitrary, { nil: undefined, freq: 3 });

/** Strings of every kind: empty, ASCII, any code point including lone surrogates, and long ones. */
const text = fc.oneof(
  fc.constant(""),
  fc.string({ maxLength: 10 }),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: "grapheme", minLength: 40, maxLength: 400 }),
);
const bytes = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 120, maxLength: 20_000 }).map((b) => Buffer.from(b)),
);
/** A command id as the runtime holds it (a Long, signed, any magnitude) or as a caller might give it. */
const longLike = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromString(n.toString())),
  fc.constant(Long.ZERO),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map((n) => n.toString()),
);
const any = fc.record({ typeUrl: maybe(text), value: maybe(bytes) }, { requiredKeys: [] });
const metadata = fc.record(
  {
    entries: maybe(
      fc.array(
        fc.record(
          {
            key: maybe(text),
            value: maybe(
              fc.oneof(
                fc.record({ $case: fc.constant("stringValue" as const), value: maybe(text) }),
                fc.record({ $case: fc.constant("bytesValue" as const), value: maybe(bytes) }),
              ),
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    ),
  },
  { requiredKeys: [] },
);
const failure = fc.record(
  { commandId: maybe(longLike), description: maybe(text), restart: maybe(fc.boolean()) },
  { requiredKeys: [] },
);
const clientAction = fc.record(
  {
    action: maybe(
      fc.oneof(
        fc.record({
          $case: fc.constant("reply" as const),
          value: maybe(fc.record({ payload: maybe(any), metadata: maybe(metadata) }, { requiredKeys: [] })),
        }),
        fc.record({
          $case: fc.constant("forward" as const),
          value: maybe(
            fc.record(
              { serviceName: maybe(text), commandName: maybe(text), payload: maybe(any), metadata: maybe(metadata) },
              { requiredKeys: [] },
            ),
          ),
        }),
        fc.record({ $case: fc.constant("failure" as const), value: maybe(failure) }),
      ),
    ),
  },
  { requiredKeys: [] },
);
const sideEffects = maybe(
  fc.array(
    fc.record(
      {
        serviceName: maybe(text),
        commandName: maybe(text),
        payload: maybe(any),
        synchronous: maybe(fc.boolean()),
        metadata: maybe(metadata),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
);

/**
 * Replies with fields missing or explicitly undefined (the runtime writes both); typed loosely, since
 * `DeepPartial` under `exactOptionalPropertyTypes` names only the first.
 */
const eventSourcedOut = fc.record(
  {
    message: maybe(
      fc.oneof(
        fc.record({
          $case: fc.constant("reply" as const),
          value: maybe(
            fc.record(
              {
                commandId: maybe(longLike),
                clientAction: maybe(clientAction),
                sideEffects,
                events: maybe(fc.array(any, { maxLength: 5 })),
                snapshot: maybe(any),
              },
              { requiredKeys: [] },
            ),
          ),
        }),
        fc.record({ $case: fc.constant("failure" as const), value: maybe(failure) }),
      ),
    ),
  },
  { requiredKeys: [] },
);

const valueEntityOut = fc.record(
  {
    message: maybe(
      fc.oneof(
        fc.record({
          $case: fc.constant("reply" as const),
          value: maybe(
            fc.record(
              {
                commandId: maybe(longLike),
                clientAction: maybe(clientAction),
                sideEffects,
                stateAction: maybe(
                  fc.record(
                    {
                      action: maybe(
                        fc.oneof(
                          fc.record({
                            $case: fc.constant("update" as const),
                            value: maybe(fc.record({ value: maybe(any) }, { requiredKeys: [] })),
                          }),
                          fc.record({ $case: fc.constant("delete" as const), value: maybe(fc.constant({})) }),
                        ),
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                ),
              },
              { requiredKeys: [] },
            ),
          ),
        }),
        fc.record({ $case: fc.constant("failure" as const), value: maybe(failure) }),
      ),
    ),
  },
  { requiredKeys: [] },
);

const asEventSourced = (reply: unknown) => reply as DeepPartial<EventSourcedStreamOut>;
const asValueEntity = (reply: unknown) => reply as DeepPartial<ValueEntityStreamOut>;

describe("the entity-stream reply encoder", () => {
  it("writes an event-sourced reply byte for byte as ts-proto does", () => {
    const encode = eventSourcedStreamOutEncoder();
    fc.assert(
      fc.property(eventSourcedOut.map(asEventSourced), (reply) => {
        const expected = hex(EventSourcedStreamOut.encode(EventSourcedStreamOut.fromPartial(reply)).finish());
        assert.equal(hex(encode(reply)), expected);
      }),
      { numRuns: 400 },
    );
  });

  it("writes a value entity reply byte for byte as ts-proto does", () => {
    const encode = valueEntityStreamOutEncoder();
    fc.assert(
      fc.property(valueEntityOut.map(asValueEntity), (reply) => {
        const expected = hex(ValueEntityStreamOut.encode(ValueEntityStreamOut.fromPartial(reply)).finish());
        assert.equal(hex(encode(reply)), expected);
      }),
      { numRuns: 400 },
    );
  });

  it("encodes each reply afresh: one copied before the next is begun keeps its bytes", () => {
    const encode = eventSourcedStreamOutEncoder();
    fc.assert(
      fc.property(fc.array(eventSourcedOut.map(asEventSourced), { minLength: 2, maxLength: 6 }), (replies) => {
        const copies = replies.map((reply) => hex(encode(reply)));
        const expected = replies.map((reply) =>
          hex(EventSourcedStreamOut.encode(EventSourcedStreamOut.fromPartial(reply)).finish()),
        );
        assert.deepEqual(copies, expected);
      }),
      { numRuns: 100 },
    );
  });

  it("writes the usual reply: a command id, a reply payload and one event", () => {
    const encode = eventSourcedStreamOutEncoder();
    const reply = {
      message: {
        $case: "reply" as const,
        value: {
          commandId: Long.fromNumber(300),
          clientAction: {
            action: { $case: "reply" as const, value: { payload: { typeUrl: "t/a", value: Buffer.from([1]) } } },
          },
          events: [{ typeUrl: "t/e", value: Buffer.from([2, 3]) }],
        },
      },
    };
    const expected = [
      "0a1c", // reply, 28 bytes:
      "08ac02", //   commandId 300
      "120c0a0a0a08", //   clientAction { reply { payload, 8 bytes:
      "0a03742f61120101", //     typeUrl "t/a", value [1] } }
      "2209", //   an event, 9 bytes:
      "0a03742f6512020203", //     typeUrl "t/e", value [2, 3]
    ].join("");
    assert.equal(hex(encode(reply)), expected);
  });
});

describe("the reply writer", () => {
  it("widens a submessage's length prefix past 127 bytes, and starts afresh after a reply that threw", () => {
    const writer = new ReplyWriter();
    writer.begin().tag(1, 2).fork().bytes(Buffer.alloc(200, 7)).join();
    const first = Buffer.from(writer.finish());
    // The field's tag, its length 202 (two bytes), then the bytes' own length 200 (two bytes) and the bytes.
    assert.equal(first.subarray(0, 5).toString("hex"), "0aca01c801");
    assert.equal(first.length, 3 + 2 + 200);
    writer.begin().tag(1, 2).fork(); // left open, as a throw midway would
    assert.equal(hex(writer.begin().tag(2, 0).uint32(1).finish()), "1001");
    assert.throws(() => writer.begin().join(), /join without fork/);
  });
});
