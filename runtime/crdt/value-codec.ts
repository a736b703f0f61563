/**
 * How a CRDT's elements, register values and map keys travel as `google.protobuf.Any`, and how they compare.
 * Two values are the same element when their canonical encodings are equal, so a set of messages or of JSON
 * objects behaves like a set of values, not of object identities, whatever the proxy's encoding of them.
 */
import Long from "long";
import {
  packJson,
  packMessage,
  packPrimitive,
  unpackJson,
  unpackMessage,
  unpackPrimitive,
  type Any,
  type Json,
  type Primitive,
} from "../any.js";
import { ProtocolError } from "../errors.js";
import type { Message, MessageType } from "../message-type.js";

/** A 64-bit integer element, as the `long` package represents it. */
export type Int64 = Long;

/** Zero as an {@link Int64}: the empty value of an int64 LWWRegister. */
export const INT64_ZERO: Int64 = Long.ZERO;

/** Encodes and decodes the values of one type held in a CRDT. */
export interface ValueCodec<T> {
  /** For messages: e.g. `string`, `com.example.Friend`. */
  readonly name: string;
  /** Packs a value as the `Any` the proxy stores; equal values must give equal bytes, as elements compare by them. */
  encode(value: T): Any;
  /** @throws ProtocolError when `any` holds another type or does not decode. */
  decode(any: Any): T;
}

/** The comparison key of an encoded value: equal keys mean equal values. @internal */
export function anyKey(any: Any): string {
  return `${any.typeUrl}\u0000${Buffer.from(any.value).toString("base64")}`;
}

/** A value with its encoding and comparison key, as the CRDTs store them (not exported from the package). */
export interface Encoded<T> {
  readonly value: T;
  readonly any: Any;
  readonly key: string;
}

/** Encodes a value a handler passed in. @internal */
export function encodeValue<T>(codec: ValueCodec<T>, value: T): Encoded<T> {
  const any = codec.encode(value);
  return { value, any, key: anyKey(any) };
}

/**
 * Decodes a value the proxy sent, keyed by its re-encoding, so that an element encoded differently elsewhere
 * (unknown fields, another field order) is still the same element.
 * @internal
 */
export function decodeValue<T>(codec: ValueCodec<T>, any: Any): Encoded<T> {
  const value = codec.decode(any);
  return encodeValue(codec, value);
}

function primitiveCodec<T>(
  name: Primitive["kind"],
  wrap: (value: T) => Primitive,
  unwrap: (primitive: Primitive) => T,
): ValueCodec<T> {
  return {
    name,
    encode: (value) => packPrimitive(wrap(value)),
    decode: (any) => {
      const primitive = unpackPrimitive(any);
      if (primitive.kind !== name) throw new ProtocolError(`expected a ${name} value but got ${any.typeUrl}`);
      return unwrap(primitive);
    },
  };
}

/** Strings, as `p.cloudstate.io/string`. */
export const stringCodec: ValueCodec<string> = primitiveCodec(
  "string",
  (value) => ({ kind: "string", value }),
  (primitive) => primitive.value as string,
);
/** Byte strings, as `p.cloudstate.io/bytes`. */
export const bytesCodec: ValueCodec<Uint8Array> = primitiveCodec(
  "bytes",
  (value) => ({ kind: "bytes", value }),
  (primitive) => primitive.value as Uint8Array,
);
/** Booleans, as `p.cloudstate.io/bool`. */
export const boolCodec: ValueCodec<boolean> = primitiveCodec(
  "bool",
  (value) => ({ kind: "bool", value }),
  (primitive) => primitive.value as boolean,
);
/** 32-bit integers, as `p.cloudstate.io/int32`. */
export const int32Codec: ValueCodec<number> = primitiveCodec(
  "int32",
  (value) => ({ kind: "int32", value }),
  (primitive) => primitive.value as number,
);
/** 64-bit integers, as `p.cloudstate.io/int64`. */
export const int64Codec: ValueCodec<Long> = primitiveCodec(
  "int64",
  (value) => ({ kind: "int64", value: Long.fromValue(value) }),
  (primitive) => primitive.value as Long,
);
/** Single-precision numbers, as `p.cloudstate.io/float`. */
export const floatCodec: ValueCodec<number> = primitiveCodec(
  "float",
  (value) => ({ kind: "float", value }),
  (primitive) => primitive.value as number,
);
/** Double-precision numbers, as `p.cloudstate.io/double`. */
export const doubleCodec: ValueCodec<number> = primitiveCodec(
  "double",
  (value) => ({ kind: "double", value }),
  (primitive) => primitive.value as number,
);

/** Protobuf messages of one type, as `type.googleapis.com/<full name>`. */
export function messageCodec<T extends Message>(type: MessageType<T>): ValueCodec<T> {
  return {
    name: type.$type,
    encode: (value) => packMessage(type, value as never),
    decode: (any) => unpackMessage(type, any),
  };
}

/** JSON values, as `json.cloudstate.io/<typeName>`, with object keys sorted so equal values encode equally. */
export function jsonCodec(typeName: string): ValueCodec<Json> {
  return {
    name: `json ${typeName}`,
    encode: (value) => packJson(typeName, canonicalJson(value)),
    decode: (any) => {
      const decoded = unpackJson(any);
      if (decoded.typeName !== typeName) throw new ProtocolError(`expected JSON ${typeName} but got ${any.typeUrl}`);
      return decoded.value;
    },
  };
}

function canonicalJson(value: Json): Json {
  if (Array.isArray(value)) return (value as readonly Json[]).map(canonicalJson);
  if (value !== null && typeof value === "object") {
    const object = value as { readonly [key: string]: Json };
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, canonicalJson(object[key] as Json)]),
    );
  }
  return value;
}
