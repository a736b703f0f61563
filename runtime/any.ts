/**
 * The Cloudstate `google.protobuf.Any` convention:
 * - protobuf messages as `type.googleapis.com/<full name>`;
 * - primitive values under `p.cloudstate.io/<kind>`, encoded as field 1 of a message with the value's wire type,
 *   the default value as no bytes at all (so equal values always encode equally);
 * - JSON under `json.cloudstate.io/<name>`, the UTF-8 JSON text encoded like a `bytes` primitive.
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import Long from "long";
import { noteEncoded, noteEncodingFailed } from "./encoding-check.js";
import { ProtocolError } from "./errors.js";
import type { Message, MessageInit, MessageType } from "./message-type.js";

/**
 * A `google.protobuf.Any` as the runtime and ts-proto's generated code hold it: a payload of some type, named by
 * its URL. Commands, replies, events, snapshots and CRDT values all travel to and from the proxy as these, and a
 * field declared `google.protobuf.Any` in a user's proto has this shape. Build one with {@link packMessage} or
 * {@link packJson} and read it with {@link unpackMessage} or {@link unpackJson}.
 */
export interface Any {
  /** The message's own type tag, as ts-proto writes it on every message. */
  $type: "google.protobuf.Any";
  /**
   * Names the payload's type. For messages `type.googleapis.com/<full name>`; Cloudstate adds
   * `p.cloudstate.io/<kind>` for primitive values and `json.cloudstate.io/<name>` for JSON.
   */
  typeUrl: string;
  /** The payload's encoded bytes, to be read as the type `typeUrl` names. */
  value: Buffer;
}

/** The prefix of protobuf message type URLs this library writes. */
export const MESSAGE_URL_PREFIX = "type.googleapis.com/";
/** The prefix of Cloudstate's primitive type URLs. */
export const PRIMITIVE_URL_PREFIX = "p.cloudstate.io/";
/** The prefix of Cloudstate's JSON type URLs. */
export const JSON_URL_PREFIX = "json.cloudstate.io/";

/** A primitive value as carried in an `Any`, tagged with its protobuf kind. */
export type Primitive =
  | PrimitiveOf<"string", string>
  | PrimitiveOf<"bytes", Uint8Array>
  | PrimitiveOf<"int32", number>
  | PrimitiveOf<"int64", Long>
  | PrimitiveOf<"float", number>
  | PrimitiveOf<"double", number>
  | PrimitiveOf<"bool", boolean>;

/** One primitive kind of the convention and the JavaScript value that carries it. */
export interface PrimitiveOf<K extends string, V> {
  /** The protobuf scalar type: it is the last segment of the URL and fixes the wire type of field 1. */
  readonly kind: K;
  /** The value; the kind's default (empty, zero, false) is encoded as no bytes at all. */
  readonly value: V;
}

/** The primitive kinds of the convention. */
export type PrimitiveKind = Primitive["kind"];

const PRIMITIVE_KINDS: readonly PrimitiveKind[] = ["string", "bytes", "int32", "int64", "float", "double", "bool"];

const PRIMITIVE_WIRE_TYPE: Record<PrimitiveKind, WireType> = {
  string: WireType.LengthDelimited,
  bytes: WireType.LengthDelimited,
  int32: WireType.Varint,
  int64: WireType.Varint,
  float: WireType.Bit32,
  double: WireType.Bit64,
  bool: WireType.Varint,
};

function makeAny(typeUrl: string, value: Uint8Array): Any {
  return { $type: "google.protobuf.Any", typeUrl, value: Buffer.from(value.buffer, value.byteOffset, value.length) };
}

/** The type name an `Any` carries: what follows the last `/` of its URL. */
export function typeNameOf(any: Any): string {
  return any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1);
}

/**
 * One writer for every message packed: encoding is synchronous, so no two overlap, and `finish()` hands back an
 * exact copy while the writer keeps its grown buffer. A new writer per message would allocate (and zero) a
 * 128-byte off-heap buffer each time, and grow it by copies for larger messages.
 */
let payloadWriter = new BinaryWriter();
/** Past this, a writer's buffer is let go rather than kept for the next message. @internal */
export const KEPT_WRITER_BYTES = 64 * 1024;

/** Packs a protobuf message as `type.googleapis.com/<full name>`. */
export function packMessage<T extends Message>(type: MessageType<T>, message: MessageInit<T>): Any {
  let bytes: Uint8Array;
  try {
    bytes = type.encode(message as unknown as T, payloadWriter).finish();
  } catch (error) {
    // A throw midway leaves the writer's forks open: the next message starts on a fresh one.
    payloadWriter = new BinaryWriter();
    noteEncodingFailed(type, message, error);
    throw error;
  }
  if (bytes.length > KEPT_WRITER_BYTES) payloadWriter = new BinaryWriter();
  noteEncoded(type, message, bytes);
  return makeAny(MESSAGE_URL_PREFIX + type.$type, bytes);
}

/**
 * Unpacks an `Any` that must hold a message of `type`.
 * @throws ProtocolError naming both types when the URL names another type, or when the bytes do not decode.
 */
export function unpackMessage<T extends Message>(type: MessageType<T>, any: Any | undefined): T {
  if (any === undefined) throw new ProtocolError(`expected a ${type.$type} payload but the message carried none`);
  if (any.typeUrl.startsWith(PRIMITIVE_URL_PREFIX) || any.typeUrl.startsWith(JSON_URL_PREFIX)) {
    throw new ProtocolError(`expected a ${type.$type} payload but got ${any.typeUrl}`);
  }
  const name = typeNameOf(any);
  if (name !== type.$type) throw new ProtocolError(`expected a ${type.$type} payload but got ${any.typeUrl}`);
  try {
    return type.decode(any.value);
  } catch (error) {
    throw new ProtocolError(`payload of type ${type.$type} does not decode: ${describe(error)}`);
  }
}

/** Packs a primitive value under `p.cloudstate.io/<kind>`. */
export function packPrimitive(primitive: Primitive): Any {
  return makeAny(PRIMITIVE_URL_PREFIX + primitive.kind, encodePrimitiveValue(primitive));
}

function isDefault(primitive: Primitive): boolean {
  switch (primitive.kind) {
    case "string":
    case "bytes":
      return primitive.value.length === 0;
    case "int64":
      return primitive.value.isZero();
    case "bool":
      return !primitive.value;
    case "int32":
    case "float":
    case "double":
      // Positive zero only: -0 differs on the wire, as in protobuf.
      return Object.is(primitive.value, 0);
  }
}

function encodePrimitiveValue(primitive: Primitive): Uint8Array {
  if (isDefault(primitive)) return new Uint8Array(0);
  const writer = new BinaryWriter().tag(1, PRIMITIVE_WIRE_TYPE[primitive.kind]);
  switch (primitive.kind) {
    case "string":
      return writer.string(primitive.value).finish();
    case "bytes":
      return writer.bytes(primitive.value).finish();
    case "int32":
      return writer.int32(primitive.value).finish();
    case "int64":
      return writer.int64(primitive.value.toString()).finish();
    case "float":
      return writer.float(primitive.value).finish();
    case "double":
      return writer.double(primitive.value).finish();
    case "bool":
      return writer.bool(primitive.value).finish();
  }
}

function defaultPrimitive(kind: PrimitiveKind): Primitive {
  switch (kind) {
    case "string":
      return { kind, value: "" };
    case "bytes":
      return { kind, value: new Uint8Array(0) };
    case "int64":
      return { kind, value: Long.ZERO };
    case "bool":
      return { kind, value: false };
    case "int32":
    case "float":
    case "double":
      return { kind, value: 0 };
  }
}

function readPrimitive(kind: PrimitiveKind, reader: BinaryReader): Primitive {
  switch (kind) {
    case "string":
      return { kind, value: reader.string() };
    case "bytes":
      return { kind, value: reader.bytes() };
    case "int32":
      return { kind, value: reader.int32() };
    case "int64":
      return { kind, value: Long.fromString(reader.int64().toString()) };
    case "float":
      return { kind, value: reader.float() };
    case "double":
      return { kind, value: reader.double() };
    case "bool":
      return { kind, value: reader.bool() };
  }
}

/** Whether an `Any` holds a Cloudstate primitive. */
export function isPrimitive(any: Any): boolean {
  return any.typeUrl.startsWith(PRIMITIVE_URL_PREFIX);
}

/**
 * Unpacks a `p.cloudstate.io/<kind>` value. Fields other than 1 are skipped; a missing field 1 is the default.
 * @throws ProtocolError for another URL, an unknown kind, or bytes that do not decode.
 */
export function unpackPrimitive(any: Any): Primitive {
  if (!isPrimitive(any)) throw new ProtocolError(`expected a primitive value but got ${any.typeUrl}`);
  const kind = any.typeUrl.slice(PRIMITIVE_URL_PREFIX.length) as PrimitiveKind;
  if (!PRIMITIVE_KINDS.includes(kind)) throw new ProtocolError(`unknown primitive type ${any.typeUrl}`);
  try {
    const reader = new BinaryReader(any.value);
    let result = defaultPrimitive(kind);
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (field === 1 && wireType === PRIMITIVE_WIRE_TYPE[kind]) result = readPrimitive(kind, reader);
      else reader.skip(wireType, field);
    }
    return result;
  } catch (error) {
    throw new ProtocolError(`primitive payload ${any.typeUrl} does not decode: ${describe(error)}`);
  }
}

/** A JSON value. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Packs a JSON-serializable value as `json.cloudstate.io/<typeName>`. */
export function packJson(typeName: string, value: Json): Any {
  const text = new TextEncoder().encode(JSON.stringify(value));
  return makeAny(JSON_URL_PREFIX + typeName, encodePrimitiveValue({ kind: "bytes", value: text }));
}

/**
 * Unpacks a `json.cloudstate.io/<typeName>` value.
 * @throws ProtocolError for another URL or text that is not JSON.
 */
export function unpackJson(any: Any): {
  /** What follows `json.cloudstate.io/` in the URL: the name the JSON value was packed under. */
  readonly typeName: string;
  /** The parsed JSON value. */
  readonly value: Json;
} {
  if (!any.typeUrl.startsWith(JSON_URL_PREFIX)) throw new ProtocolError(`expected a JSON value but got ${any.typeUrl}`);
  const bytes = unpackPrimitive(makeAny(PRIMITIVE_URL_PREFIX + "bytes", any.value));
  if (bytes.kind !== "bytes") throw new ProtocolError(`JSON payload ${any.typeUrl} does not decode`);
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.value);
    return { typeName: any.typeUrl.slice(JSON_URL_PREFIX.length), value: JSON.parse(text) as Json };
  } catch (error) {
    throw new ProtocolError(`JSON payload ${any.typeUrl} does not decode: ${describe(error)}`);
  }
}

/**
 * Packs and unpacks the messages of an explicit list of types, such as an entity's events. There is no global
 * registry: each entity's generated definition hands its own types in.
 */
export class TypeRegistry<T extends Message = Message> {
  readonly #types = new Map<string, MessageType<T>>();

  constructor(types: Iterable<MessageType<T>>) {
    for (const type of types) this.#types.set(type.$type, type);
  }

  /** Whether `typeName` is one of the registry's types. */
  has(typeName: string): boolean {
    return this.#types.has(typeName);
  }

  /** Packs a message, choosing its type by its `$type` tag. */
  pack(message: T): Any {
    const type = this.#types.get(message.$type);
    if (type === undefined) throw new ProtocolError(`${message.$type} is not one of the registered types`);
    return packMessage(type, message as MessageInit<T>);
  }

  /**
   * Unpacks a message of one of the registry's types.
   * @throws ProtocolError when the URL names an unknown type or the bytes do not decode.
   */
  unpack(any: Any): T {
    const type = this.#types.get(typeNameOf(any));
    if (
      type === undefined ||
      !any.typeUrl.includes("/") ||
      isPrimitive(any) ||
      any.typeUrl.startsWith(JSON_URL_PREFIX)
    ) {
      throw new ProtocolError(`unknown type ${any.typeUrl}; expected one of ${[...this.#types.keys()].join(", ")}`);
    }
    return unpackMessage(type, any);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
