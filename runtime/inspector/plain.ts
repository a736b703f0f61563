/**
 * Values as plain JSON for the inspector's feed: decoded messages (their `$type` tags kept), int64 values as
 * decimal strings, bytes as base64, CRDTs as their visible value, and any `Any` decoded where its type is known.
 */
import Long from "long";
import {
  isPrimitive,
  JSON_URL_PREFIX,
  MESSAGE_URL_PREFIX,
  typeNameOf,
  unpackJson,
  unpackPrimitive,
  type Any,
} from "../any.js";
import { CrdtBase } from "../crdt/types/base.js";
import type { MessageType } from "../message-type.js";

/** A payload as the feed carries it: its type, and its JSON where the type is known, else its bytes in base64. */
export interface FeedPayload {
  /** The full type URL. */
  readonly typeUrl: string;
  /** The payload as JSON, when its type is known. */
  readonly json?: unknown;
  /** The raw bytes in base64: always, so a consumer can hand them back (replay, tests). */
  readonly base64: string;
}

/** Deep copy of `value` that `JSON.stringify` renders faithfully; cycles and depth are bounded. */
export function plain(value: unknown, depth = 0): unknown {
  if (depth > 64) return "…";
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return value;
  if (Long.isLong(value)) return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString("base64");
  if (value instanceof Date) return value.toISOString();
  if (isCrdt(value)) return crdtValue(value, depth);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(plain(k, depth + 1))] = plain(v, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = plain(item, depth + 1);
  return out;
}

/**
 * Whether `value` is one of the runtime's CRDTs: by `instanceof`, or by shape, since a project may hold two copies of
 * the runtime (its own and a tool's), whose classes differ.
 */
function isCrdt(value: object): value is CrdtBase {
  if (value instanceof CrdtBase) return true;
  return (
    Object.getPrototypeOf(value) !== Object.prototype && typeof (value as { typeName?: unknown }).typeName === "string"
  );
}

/** A CRDT's visible value: what its public getters and iteration show. */
function crdtValue(crdt: CrdtBase, depth: number): unknown {
  const view = crdt as unknown as Record<string, unknown> & Partial<Iterable<unknown>>;
  const out: Record<string, unknown> = { crdt: crdt.typeName };
  for (const getter of ["value", "enabled", "selfVote", "votesFor", "voters"]) {
    if (getter in view) out[getter] = plain(view[getter], depth + 1);
  }
  if (typeof view[Symbol.iterator] === "function") {
    out["elements"] = [...(view as Iterable<unknown>)].map((item) => plain(item, depth + 1));
  }
  return out;
}

/** The message types an entity's payloads may be, by full name. */
export type TypesByName = ReadonlyMap<string, MessageType>;

/** An `Any` for the feed: decoded where `types` knows it (or it is a primitive or JSON), its bytes always. */
export function feedPayload(any: Any, types: TypesByName): FeedPayload {
  const base64 = Buffer.from(any.value).toString("base64");
  try {
    if (any.typeUrl.startsWith(JSON_URL_PREFIX)) return { typeUrl: any.typeUrl, json: unpackJson(any).value, base64 };
    if (isPrimitive(any)) return { typeUrl: any.typeUrl, json: plain(unpackPrimitive(any).value), base64 };
    const type = types.get(typeNameOf(any));
    if (type !== undefined && any.typeUrl.startsWith(MESSAGE_URL_PREFIX)) {
      return { typeUrl: any.typeUrl, json: plain(type.decode(any.value)), base64 };
    }
  } catch {
    // Bytes that do not decode are shown raw: the inspector must never fail on what the proxy sent.
  }
  return { typeUrl: any.typeUrl, base64 };
}
