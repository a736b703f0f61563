/**
 * The unit testkit's checks, on by default: every message encoded survives protobuf encoding unchanged, an
 * event-sourced entity's state rebuilt from its journal equals the live state, and the descriptor set builds the
 * way the proxy builds it at discovery. Each failure is an `AssertionError` naming the message type and field.
 */
import { AssertionError } from "node:assert";
import { createFileRegistry, fromBinary, isFieldSet } from "@bufbuild/protobuf";
import { FieldDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describeEncodingProblem, type EncodingProblem } from "../../encoding-check.js";

/** Which checks run. Every one is on unless turned off. */
export interface TestKitChecks {
  /** Every reply, event, snapshot, state, forward and side effect survives protobuf encoding unchanged. */
  readonly encoding?: boolean;
  /** Event-sourced: after each command that emitted, the state rebuilt from the journal equals the live state. */
  readonly replay?: boolean;
  /** The entity's descriptor set builds as the proxy builds it at discovery (checked when the kit is made). */
  readonly descriptors?: boolean;
}

/** The checks with defaults filled in. @internal */
export function checksOf(given: TestKitChecks | undefined): Required<TestKitChecks> {
  return {
    encoding: given?.encoding ?? true,
    replay: given?.replay ?? true,
    descriptors: given?.descriptors ?? true,
  };
}

/** A failed check. @internal */
export function checkFailed(message: string): AssertionError {
  return new AssertionError({ message: `cloudstate-ts/testkit: ${message}` });
}

/** Throws for the first encoding problem of a command, if any. @internal */
export function assertEncoded(problems: readonly EncodingProblem[], during: string): void {
  const [first] = problems;
  if (first === undefined) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  throw checkFailed(`${during}: ${describeEncodingProblem(first)}${more}`);
}

function isLong(value: unknown): value is { toString(): string; unsigned: boolean; high: number; low: number } {
  return typeof value === "object" && value !== null && "high" in value && "low" in value && "unsigned" in value;
}

function show(value: unknown): string {
  if (isLong(value)) return value.toString();
  if (value instanceof Uint8Array) return `bytes[${value.length}]`;
  try {
    return JSON.stringify(value, (key, v: unknown) => (key === "$type" ? undefined : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Where two decoded messages differ, as `path: a vs b`, or undefined when they are equal. Long, bytes and
 * nested messages compare by value; `$type` tags are ignored.
 * @internal
 */
export function difference(a: unknown, b: unknown, path = ""): string | undefined {
  const here = (): string => `${path === "" ? "the message itself" : path}: ${show(a)} vs ${show(b)}`;
  if (Object.is(a, b)) return undefined;
  if (isLong(a) || isLong(b)) return isLong(a) && isLong(b) && a.toString() === b.toString() ? undefined : here();
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return here();
    return a.every((byte, i) => byte === b[i]) ? undefined : here();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return here();
    for (let i = 0; i < a.length; i++) {
      const inner = difference(a[i], b[i], `${path}[${i}]`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return here();
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    if (key === "$type") continue;
    const inner = difference(left[key], right[key], path === "" ? key : `${path}.${key}`);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/**
 * Builds `descriptorSet` the way the proxy does at discovery: every file's imports present, every field with its
 * type and label (protobuf-java fails on a field without them), every type resolved, and `serviceName` in it.
 * @throws AssertionError naming the problem.
 * @internal
 */
export function assertDescriptorSetBuilds(serviceName: string, descriptorSet: Uint8Array): void {
  // A set that built once builds again: each entity's set is checked once, however many kits are made of it.
  if (built.get(descriptorSet)?.has(serviceName) === true) return;
  checkDescriptorSet(serviceName, descriptorSet);
  built.set(descriptorSet, (built.get(descriptorSet) ?? new Set()).add(serviceName));
}

const built = new WeakMap<Uint8Array, Set<string>>();

function checkDescriptorSet(serviceName: string, descriptorSet: Uint8Array): void {
  let set;
  try {
    set = fromBinary(FileDescriptorSetSchema, descriptorSet);
  } catch (error) {
    throw checkFailed(`the descriptor set of ${serviceName} does not decode: ${(error as Error).message}`);
  }
  for (const file of set.file) {
    const fields = (messages: typeof file.messageType, prefix: string): void => {
      for (const message of messages) {
        const name = `${prefix}${message.name}`;
        for (const field of message.field) {
          for (const [what, member] of [
            ["type", FieldDescriptorProtoSchema.field.type],
            ["label", FieldDescriptorProtoSchema.field.label],
          ] as const) {
            if (!isFieldSet(field, member)) {
              throw checkFailed(
                `the descriptor set of ${serviceName} would be refused by the proxy: field ${name}.${field.name} ` +
                  `(in ${file.name}) has no ${what}`,
              );
            }
          }
        }
        fields(message.nestedType, `${name}.`);
      }
    };
    fields(file.messageType, file.package === "" ? "" : `${file.package}.`);
  }
  let registry;
  try {
    registry = createFileRegistry(set);
  } catch (error) {
    throw checkFailed(
      `the descriptor set of ${serviceName} would be refused by the proxy: ${(error as Error).message}`,
    );
  }
  if (registry.getService(serviceName) === undefined) {
    throw checkFailed(`the descriptor set of ${serviceName} does not describe the service ${serviceName}`);
  }
}
