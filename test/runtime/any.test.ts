/** The Any convention: every primitive both ways, JSON, messages, and the errors for what does not fit. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import Long from "long";
import {
  packJson,
  packMessage,
  packPrimitive,
  TypeRegistry,
  unpackJson,
  unpackMessage,
  unpackPrimitive,
  type Primitive,
} from "../../runtime/any.js";
import { ProtocolError } from "../../runtime/errors.js";
import { Any } from "../../gen/google/protobuf/any.js";
import {
  Cart,
  ItemAdded,
  ItemRemoved,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const any = (typeUrl: string, bytes: number[]): Any => Any.fromPartial({ typeUrl, value: Buffer.from(bytes) });

describe("primitives", () => {
  const cases: [Primitive, string, string][] = [
    [{ kind: "string", value: "foo" }, "p.cloudstate.io/string", "0a03666f6f"],
    [{ kind: "bytes", value: new Uint8Array([1, 2]) }, "p.cloudstate.io/bytes", "0a020102"],
    [{ kind: "int32", value: 150 }, "p.cloudstate.io/int32", "089601"],
    [{ kind: "int32", value: -1 }, "p.cloudstate.io/int32", "08ffffffffffffffffff01"],
    [
      { kind: "int64", value: Long.fromString("9007199254740993") },
      "p.cloudstate.io/int64",
      hexOfInt64("9007199254740993"),
    ],
    [{ kind: "int64", value: Long.fromNumber(-2) }, "p.cloudstate.io/int64", "08feffffffffffffffff01"],
    [{ kind: "float", value: 1.5 }, "p.cloudstate.io/float", "0d0000c03f"],
    [{ kind: "double", value: 1.5 }, "p.cloudstate.io/double", "09000000000000f83f"],
    [{ kind: "bool", value: true }, "p.cloudstate.io/bool", "0801"],
  ];
  for (const [primitive, url, bytes] of cases) {
    it(`packs and unpacks ${primitive.kind} ${String(primitive.value)}`, () => {
      const packed = packPrimitive(primitive);
      assert.equal(packed.typeUrl, url);
      assert.equal(hex(packed.value), bytes);
      assert.deepEqual(normalise(unpackPrimitive(packed)), normalise(primitive));
    });
  }

  it("encodes every default value as no bytes, and decodes no bytes as the default", () => {
    const defaults: Primitive[] = [
      { kind: "string", value: "" },
      { kind: "bytes", value: new Uint8Array() },
      { kind: "int32", value: 0 },
      { kind: "int64", value: Long.ZERO },
      { kind: "float", value: 0 },
      { kind: "double", value: 0 },
      { kind: "bool", value: false },
    ];
    for (const primitive of defaults) {
      const packed = packPrimitive(primitive);
      assert.equal(packed.value.length, 0, primitive.kind);
      assert.deepEqual(normalise(unpackPrimitive(packed)), normalise(primitive));
    }
  });

  it("skips fields other than 1 and fields of the wrong wire type", () => {
    // field 2 varint 7, then field 1 as a string "ok"
    assert.deepEqual(unpackPrimitive(any("p.cloudstate.io/string", [0x10, 0x07, 0x0a, 0x02, 0x6f, 0x6b])), {
      kind: "string",
      value: "ok",
    });
    // field 1 as varint where a string is expected: skipped, so the default
    assert.deepEqual(unpackPrimitive(any("p.cloudstate.io/string", [0x08, 0x05])), { kind: "string", value: "" });
  });

  it("rejects unknown kinds, non-primitive URLs and truncated bytes with a ProtocolError", () => {
    assert.throws(
      () => unpackPrimitive(any("p.cloudstate.io/uint32", [])),
      (e) => e instanceof ProtocolError && /unknown primitive type p\.cloudstate\.io\/uint32/.test(e.message),
    );
    assert.throws(() => unpackPrimitive(any("type.googleapis.com/foo.Bar", [])), ProtocolError);
    assert.throws(
      () => unpackPrimitive(any("p.cloudstate.io/string", [0x0a, 0x05, 0x61])),
      (e) => e instanceof ProtocolError && /does not decode/.test(e.message),
    );
  });

  it("round-trips arbitrary values of every kind (property)", () => {
    const arbitrary: fc.Arbitrary<Primitive> = fc.oneof(
      fc.string().map((value) => ({ kind: "string" as const, value })),
      fc.uint8Array().map((value) => ({ kind: "bytes" as const, value })),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value) => ({ kind: "int32" as const, value })),
      fc
        .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
        .map((value) => ({ kind: "int64" as const, value: Long.fromString(value.toString()) })),
      fc.float({ noNaN: true }).map((value) => ({ kind: "float" as const, value: Math.fround(value) })),
      fc.double({ noNaN: true }).map((value) => ({ kind: "double" as const, value })),
      fc.boolean().map((value) => ({ kind: "bool" as const, value })),
    );
    fc.assert(
      fc.property(arbitrary, (primitive) => {
        assert.deepEqual(normalise(unpackPrimitive(packPrimitive(primitive))), normalise(primitive));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("JSON", () => {
  it("packs JSON text as a bytes primitive under json.cloudstate.io/<name>", () => {
    const packed = packJson("com.example.Thing", { a: 1 });
    assert.equal(packed.typeUrl, "json.cloudstate.io/com.example.Thing");
    assert.equal(hex(packed.value), `0a07${Buffer.from('{"a":1}').toString("hex")}`);
    assert.deepEqual(unpackJson(packed), { typeName: "com.example.Thing", value: { a: 1 } });
  });

  it("round-trips JSON values (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json = JSON.parse(JSON.stringify(value)) as never;
        assert.deepEqual(unpackJson(packJson("T", json)).value, json);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects text that is not JSON and URLs that are not JSON", () => {
    assert.throws(
      () => unpackJson(any("json.cloudstate.io/T", [0x0a, 0x01, 0x7b])),
      (e) => e instanceof ProtocolError && /does not decode/.test(e.message),
    );
    assert.throws(() => unpackJson(any("p.cloudstate.io/bytes", [])), ProtocolError);
  });
});

describe("messages", () => {
  it("packs as type.googleapis.com/<full name> and unpacks to an equal message", () => {
    const cart = Cart.fromPartial({ items: [{ productId: "p", name: "n", quantity: 3 }] });
    const packed = packMessage(Cart, cart);
    assert.equal(packed.typeUrl, "type.googleapis.com/com.example.shoppingcart.persistence.Cart");
    assert.deepEqual(unpackMessage(Cart, packed), cart);
  });

  it("accepts any URL prefix, as the protobuf convention allows", () => {
    const packed = packMessage(ItemRemoved, { productId: "x" });
    assert.equal(
      unpackMessage(ItemRemoved, {
        ...packed,
        typeUrl: "example.com/types/com.example.shoppingcart.persistence.ItemRemoved",
      }).productId,
      "x",
    );
  });

  it("rejects another type, a primitive, a missing payload and undecodable bytes", () => {
    const removed = packMessage(ItemRemoved, { productId: "x" });
    assert.throws(
      () => unpackMessage(Cart, removed),
      /expected a com\.example\.shoppingcart\.persistence\.Cart payload but got type\.googleapis\.com\/com\.example\.shoppingcart\.persistence\.ItemRemoved/,
    );
    assert.throws(() => unpackMessage(Cart, packPrimitive({ kind: "string", value: "x" })), ProtocolError);
    assert.throws(() => unpackMessage(Cart, undefined), /carried none/);
    assert.throws(
      () =>
        unpackMessage(Cart, any("type.googleapis.com/com.example.shoppingcart.persistence.Cart", [0x0a, 0x09, 0x01])),
      /does not decode/,
    );
  });

  it("round-trips through a registry chosen by $type, and names unknown types", () => {
    const registry = new TypeRegistry<ItemAdded | ItemRemoved>([ItemAdded, ItemRemoved]);
    const event = ItemAdded.fromPartial({ item: { productId: "p", name: "n", quantity: 1 } });
    assert.deepEqual(registry.unpack(registry.pack(event)), event);
    assert.throws(
      () => registry.unpack(packMessage(Cart, { items: [] })),
      /unknown type type\.googleapis\.com\/com\.example\.shoppingcart\.persistence\.Cart; expected one of/,
    );
    assert.throws(
      () => registry.unpack(packPrimitive({ kind: "string", value: "com.example.shoppingcart.persistence.ItemAdded" })),
      ProtocolError,
    );
  });

  it("round-trips arbitrary carts (property)", () => {
    const item = fc.record({
      productId: fc.string(),
      name: fc.string(),
      quantity: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    });
    fc.assert(
      fc.property(fc.array(item), (items) => {
        const cart = Cart.fromPartial({ items });
        assert.deepEqual(unpackMessage(Cart, packMessage(Cart, cart)), cart);
      }),
      { numRuns: 500 },
    );
  });
});

function hexOfInt64(decimal: string): string {
  // field 1, varint: tag 0x08, then the value's base-128 groups, low first
  let value = BigInt(decimal);
  const bytes = [0x08];
  while (value > 0x7fn) {
    bytes.push(Number(value & 0x7fn) | 0x80);
    value >>= 7n;
  }
  bytes.push(Number(value));
  return Buffer.from(bytes).toString("hex");
}

function normalise(primitive: Primitive): unknown {
  if (primitive.kind === "int64") return { kind: "int64", value: primitive.value.toString() };
  if (primitive.kind === "bytes") return { kind: "bytes", value: Buffer.from(primitive.value).toString("hex") };
  if (primitive.kind === "float" || primitive.kind === "double")
    return { kind: primitive.kind, value: Object.is(primitive.value, -0) ? "-0" : primitive.value };
  return primitive;
}
