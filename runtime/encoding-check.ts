/**
 * The testkit's serialization check: while an entity runs under {@link withEncodingCheck}, every message the
 * runtime encodes (replies, events, snapshots, stored state, forwards, side effects, CRDT values) is decoded again
 * and compared with what the handler gave, so a value protobuf cannot carry (a number too large for its field, a
 * string where a number belongs because a cast bypassed the compiler, a field the message does not have) is
 * reported instead of silently changed on its way to the proxy. Outside a check this costs one lookup per encode.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Message, MessageType } from "./message-type.js";

/** A value that came back from encoding as something else. @internal */
export interface EncodingProblem {
  /** The full name of the message encoded, e.g. `com.example.shoppingcart.persistence.ItemAdded`. */
  readonly typeName: string;
  /** Where in it, e.g. `item.quantity` or `items[2].name`; empty for the message itself. */
  readonly path: string;
  readonly given: unknown;
  readonly decoded: unknown;
}

const problems = new AsyncLocalStorage<EncodingProblem[]>();

/**
 * Runs `work` with every encode inside it, and inside everything it starts, checked: problems are appended to
 * `found`. The testkit runs an entity's whole stream this way and empties `found` after each command.
 * @internal
 */
export function withEncodingCheck<T>(found: EncodingProblem[], work: () => T): T {
  return problems.run(found, work);
}

/** Called by the runtime on every message it encodes: records the first difference, if a check is running. @internal */
export function noteEncoded<T extends Message>(type: MessageType<T>, given: unknown, bytes: Uint8Array): void {
  const found = problems.getStore();
  if (found === undefined) return;
  let decoded: unknown;
  try {
    decoded = type.decode(bytes);
  } catch (error) {
    found.push({ typeName: type.$type, path: "", given, decoded: error });
    return;
  }
  const problem = firstDifference(given, decoded, "");
  if (problem !== undefined) found.push({ typeName: type.$type, ...problem });
}

/**
 * Called by the runtime when encoding threw (protobuf's writer refuses an int32 out of range, say): records the
 * field whose value the error names, if a check is running. @internal
 */
export function noteEncodingFailed<T extends Message>(type: MessageType<T>, given: unknown, error: unknown): void {
  const found = problems.getStore();
  if (found === undefined) return;
  const reason = error instanceof Error ? error.message : String(error);
  const leaf = leafNamedBy(given, reason, "");
  found.push({
    typeName: type.$type,
    path: leaf?.path ?? "",
    given: leaf === undefined ? given : leaf.value,
    decoded: error instanceof Error ? error : new Error(reason),
  });
}

/** The first scalar of `value` whose text the error message quotes, and where it is. */
function leafNamedBy(value: unknown, reason: string, path: string): { path: string; value: unknown } | undefined {
  if (
    typeof value === "number" ||
    typeof value === "string" ||
    typeof value === "bigint" ||
    typeof value === "boolean"
  ) {
    return reason.includes(String(value)) ? { path, value } : undefined;
  }
  if (!isRecord(value) || value instanceof Uint8Array || isLong(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key === "$type" || key === "$case") continue;
    const at = Array.isArray(value) ? `${path}[${key}]` : key === "value" && "$case" in value ? path : join(path, key);
    const found = leafNamedBy(inner, reason, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Describes a problem for a test's failure message. @internal */
export function describeEncodingProblem(problem: EncodingProblem): string {
  const at = problem.path === "" ? "" : ` at ${problem.path}`;
  if (problem.decoded instanceof Error) {
    return `${problem.typeName}${at}: ${show(problem.given)} cannot be encoded (${problem.decoded.message})`;
  }
  return (
    `${problem.typeName}${at}: ${show(problem.given)} does not survive protobuf encoding ` +
    `(it decodes as ${show(problem.decoded)})`
  );
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value) + " (a string)";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Uint8Array) return `bytes[${value.length}]`;
  if (isLong(value)) return `${value.toString()} (a Long${value.unsigned ? ", unsigned" : ""})`;
  if (value instanceof Error) return `an error: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

interface LongLike {
  readonly high: number;
  readonly low: number;
  readonly unsigned: boolean;
  toString(): string;
}

function isLong(value: unknown): value is LongLike {
  return typeof value === "object" && value !== null && "high" in value && "low" in value && "unsigned" in value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/**
 * The first place where `decoded` (what the bytes decode as) differs from `given` (what the handler wrote), or
 * undefined. A field the handler left out may decode as its default; a `float` field may round to 32 bits.
 * @internal
 */
export function firstDifference(
  given: unknown,
  decoded: unknown,
  path: string,
): { path: string; given: unknown; decoded: unknown } | undefined {
  const differs = { path, given, decoded };
  if (given === undefined || given === null) return undefined;
  if (typeof given === "number") {
    if (isLong(decoded)) return decoded.toString() === String(given) ? undefined : differs;
    if (typeof decoded !== "number") return differs;
    if (Object.is(given, decoded) || given === decoded || Math.fround(given) === decoded) return undefined;
    return Number.isNaN(given) && Number.isNaN(decoded) ? undefined : differs;
  }
  if (typeof given === "string" || typeof given === "boolean") return given === decoded ? undefined : differs;
  if (given instanceof Uint8Array) {
    if (!(decoded instanceof Uint8Array) || decoded.length !== given.length) return differs;
    return given.every((byte, i) => byte === decoded[i]) ? undefined : differs;
  }
  if (isLong(given)) {
    if (!isLong(decoded)) return differs;
    return given.toString() === decoded.toString() && given.unsigned === decoded.unsigned ? undefined : differs;
  }
  if (given instanceof Date) {
    return decoded instanceof Date && decoded.getTime() === given.getTime() ? undefined : differs;
  }
  if (Array.isArray(given)) {
    if (!Array.isArray(decoded) || decoded.length !== given.length) return differs;
    for (let i = 0; i < given.length; i++) {
      const inner = firstDifference(given[i], decoded[i], `${path}[${i}]`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (given instanceof Map) {
    if (!(decoded instanceof Map) || decoded.size !== given.size) return differs;
    for (const [key, value] of given as Map<unknown, unknown>) {
      const inner = firstDifference(value, decoded.get(key), `${path}[${String(key)}]`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (!isRecord(given) || !isRecord(decoded)) return differs;
  if ("$case" in given) {
    if (given["$case"] !== decoded["$case"])
      return { path: join(path, "$case"), given: given["$case"], decoded: decoded["$case"] };
    return firstDifference(given["value"], decoded["value"], join(path, String(given["$case"])));
  }
  // A message (decoded with its $type) has its fields; a map field decodes as a plain object keyed like `given`.
  const isMessage = "$type" in decoded;
  for (const key of Object.keys(given)) {
    if (key === "$type") continue;
    if (isMessage && !(key in decoded)) {
      return {
        path: join(path, key),
        given: given[key],
        decoded: `nothing: ${String(decoded["$type"])} has no field ${key}`,
      };
    }
    const inner = firstDifference(given[key], decoded[key], isMessage ? join(path, key) : `${path}[${key}]`);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
