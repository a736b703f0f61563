/**
 * The lock of stored types (`cloudstate.lock.json`): for every event-sourced and value entity, the type URLs its
 * journal, snapshots or stored values may hold, with the field layout of each as it was written. protoc-gen-cloudstate
 * writes `<file>_cloudstate.stored.json` beside the generated code (what each entity writes and reads today);
 * `cloudstate-ts gen` adds the types written today to the lock, and `cloudstate-ts gen --check` fails, naming the
 * entity, the type and what to do, when a locked type is no longer readable: no longer read under its URL (removed,
 * renamed, moved to another package, its encoding changed) or a field of it renumbered, deleted without reserving
 * its number, or retyped in a way its stored bytes (or JSON) no longer read. Pure: text in, problems and text out;
 * the CLI reads and writes the files.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compareLayouts } from "./stored-layouts.js";

/** The lock's file name, in the project folder (beside buf.gen.yaml). */
export const LOCK_FILE = "cloudstate.lock.json";
/** The suffix of the files protoc-gen-cloudstate writes beside the generated code. */
export const STORED_TYPES_SUFFIX = "_cloudstate.stored.json";
const LOCK_VERSION = 1;
const JSON_PREFIX = "json.cloudstate.io/";
const PROTOBUF_PREFIX = "type.googleapis.com/";
const WELL_KNOWN = "google.protobuf.";

/** One field of a stored message, as protoc-gen-cloudstate describes it. */
export interface StoredField {
  readonly number: number;
  readonly name: string;
  readonly json: string;
  /** A scalar's name (`int32`, `string`, …), `enum`, `message` or `map`. */
  readonly type: string;
  readonly repeated?: boolean;
  /** The message type (message fields, map values), or a map's scalar value type. */
  readonly message?: string;
  readonly enum?: string;
  /** Maps: the key's scalar type. */
  readonly key?: string;
}

/** The field layout of one message. */
export interface StoredMessage {
  readonly fields: readonly StoredField[];
  /** Reserved field numbers, as [first, last] ranges. */
  readonly reserved?: readonly (readonly [number, number])[];
}

type Role = "event" | "state";
type Kind = "event-sourced" | "value";

/** A type URL an entity's stored data may hold, and its layout (with every message it reaches) when written. */
export interface LockedType {
  readonly role: Role;
  readonly url: string;
  readonly message: string;
  readonly messages: Readonly<Record<string, StoredMessage>>;
}

/** One entity of the lock, known by its kind and persistence id (what its stored data is filed under). */
export interface LockedEntity {
  readonly kind: Kind;
  readonly persistenceId: string;
  /** The service that last wrote it. */
  readonly entity: string;
  readonly types: readonly LockedType[];
}

/** The whole lock. */
export interface Lock {
  readonly lockVersion: number;
  readonly entities: readonly LockedEntity[];
}

/** One entity as protoc-gen-cloudstate describes it in a stored-types file. */
export interface EntityStoredTypes {
  readonly entity: string;
  readonly kind: Kind;
  readonly persistenceId: string;
  readonly stored: readonly { readonly role: Role; readonly url: string; readonly message: string }[];
  readonly reads: readonly {
    readonly role: Role;
    readonly url: string;
    readonly message: string;
    readonly how: "current" | "previous name" | "retired";
  }[];
  readonly messages: Readonly<Record<string, StoredMessage>>;
}

/** A lock or stored-types file that cannot be read: its message says which and what to do. */
export class LockFileError extends Error {
  override readonly name = "LockFileError";
}

/** What the check found: problems that fail it, and types written today that the lock lacks. */
export interface LockCheck {
  /** Locked types no longer readable, each naming the entity, the type and what to do. */
  readonly problems: readonly string[];
  /** Types written today that are not locked yet: `cloudstate-ts gen` adds them. */
  readonly unlocked: readonly string[];
}

// ---- reading ----

function fail(where: string, what: string): never {
  throw new LockFileError(`${where}: ${what}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown, where: string, field: string): string {
  if (typeof value !== "string" || value === "") fail(where, `"${field}" must be a non-empty string`);
  return value;
}

function oneOf<T extends string>(value: unknown, options: readonly T[], where: string, field: string): T {
  if (!options.includes(value as T)) fail(where, `"${field}" must be one of ${options.join(", ")}`);
  return value as T;
}

/** A field with its keys in one order, whoever wrote it, so the lock's text is stable. */
function canonicalField(field: StoredField): StoredField {
  return {
    number: field.number,
    name: field.name,
    json: field.json,
    type: field.type,
    ...(field.repeated === true ? { repeated: true } : {}),
    ...(typeof field.message === "string" ? { message: field.message } : {}),
    ...(typeof field.enum === "string" ? { enum: field.enum } : {}),
    ...(typeof field.key === "string" ? { key: field.key } : {}),
  };
}

function readMessages(value: unknown, where: string): Record<string, StoredMessage> {
  if (!isRecord(value)) fail(where, `"messages" must be an object of message layouts`);
  const out: Record<string, StoredMessage> = {};
  for (const [name, layout] of Object.entries(value)) {
    const at = `${where}: message ${name}`;
    if (!isRecord(layout) || !Array.isArray(layout.fields)) fail(at, `needs "fields", a list`);
    const fields = layout.fields.map((field: unknown, i): StoredField => {
      const fieldAt = `${at}: field ${i + 1}`;
      if (!isRecord(field)) fail(fieldAt, "must be an object");
      if (!Number.isInteger(field.number) || (field.number as number) < 1) {
        fail(fieldAt, `"number" must be a field number`);
      }
      str(field.name, fieldAt, "name");
      str(field.json, fieldAt, "json");
      str(field.type, fieldAt, "type");
      return canonicalField(field as unknown as StoredField);
    });
    const reserved = layout.reserved ?? [];
    if (
      !Array.isArray(reserved) ||
      !reserved.every((r) => Array.isArray(r) && r.length === 2 && r.every(Number.isInteger))
    ) {
      fail(at, `"reserved" must be a list of [first, last] number ranges`);
    }
    out[name] = reserved.length === 0 ? { fields } : { fields, reserved: reserved as [number, number][] };
  }
  return out;
}

/**
 * Parses the lock's text.
 * @throws LockFileError naming the file, where it is wrong and what to do, for text that is not a lock.
 */
export function parseLock(text: string, file: string = LOCK_FILE): Lock {
  const advice =
    `restore it from version control (git checkout ${file}); if it is lost, run \`cloudstate-ts gen\` to lock ` +
    `today's types, knowing that stored data of older types is then no longer checked`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(file, `is not JSON (${error instanceof Error ? error.message : String(error)}); ${advice}`);
  }
  try {
    if (!isRecord(value) || value.lockVersion !== LOCK_VERSION) fail(file, `"lockVersion" must be ${LOCK_VERSION}`);
    if (!Array.isArray(value.entities)) fail(file, `"entities" must be a list`);
    const seen = new Set<string>();
    const entities = value.entities.map((entity: unknown, i): LockedEntity => {
      const where = `${file}: entities[${i}]`;
      if (!isRecord(entity)) fail(where, "must be an object");
      const kind = oneOf(entity.kind, ["event-sourced", "value"] as const, where, "kind");
      const persistenceId = str(entity.persistenceId, where, "persistenceId");
      if (seen.has(`${kind} ${persistenceId}`)) fail(where, `${kind} entity ${persistenceId} is listed twice`);
      seen.add(`${kind} ${persistenceId}`);
      if (!Array.isArray(entity.types)) fail(where, `"types" must be a list`);
      const types = entity.types.map((type: unknown, j): LockedType => {
        const at = `${where}.types[${j}]`;
        if (!isRecord(type)) fail(at, "must be an object");
        const url = str(type.url, at, "url");
        if (!url.startsWith(PROTOBUF_PREFIX) && !url.startsWith(JSON_PREFIX)) {
          fail(at, `"url" must start with ${PROTOBUF_PREFIX} or ${JSON_PREFIX}`);
        }
        const message = str(type.message, at, "message");
        const messages = readMessages(type.messages, at);
        // Google's well-known types are not described: their layouts never change.
        if (!(message in messages) && !message.startsWith(WELL_KNOWN)) {
          fail(at, `"messages" lacks the layout of ${message}`);
        }
        return { role: oneOf(type.role, ["event", "state"] as const, at, "role"), url, message, messages };
      });
      return { kind, persistenceId, entity: str(entity.entity, where, "entity"), types };
    });
    return { lockVersion: LOCK_VERSION, entities };
  } catch (error) {
    if (error instanceof LockFileError) throw new LockFileError(`${error.message}; ${advice}`);
    throw error;
  }
}

/**
 * Reads every stored-types file below the given output folders.
 * @throws LockFileError for a file that is not one (it is generated: regenerate it)
 */
export function readStoredTypes(outDirs: readonly string[]): EntityStoredTypes[] {
  const entities: EntityStoredTypes[] = [];
  for (const dir of outDirs) {
    let names: string[];
    try {
      names = readdirSync(dir, { recursive: true, encoding: "utf8" });
    } catch {
      continue; // nothing generated there
    }
    for (const name of names.filter((n) => n.endsWith(STORED_TYPES_SUFFIX)).sort()) {
      const path = join(dir, name);
      try {
        const file = JSON.parse(readFileSync(path, "utf8")) as { entities?: unknown };
        if (!Array.isArray(file.entities)) throw new Error(`"entities" must be a list`);
        for (const entity of file.entities as EntityStoredTypes[]) {
          readMessages(entity.messages, path);
          entities.push(entity);
        }
      } catch (error) {
        throw new LockFileError(
          `${path} is not a stored-types file protoc-gen-cloudstate wrote (${error instanceof Error ? error.message : String(error)}); regenerate it`,
        );
      }
    }
  }
  return entities;
}

// ---- checking ----

function keyOf(entity: { readonly kind: Kind; readonly persistenceId: string }): string {
  return `${entity.kind} ${entity.persistenceId}`;
}

function labelOf(entity: { readonly entity: string; readonly persistenceId: string }): string {
  return `entity ${entity.entity} (persistence id ${entity.persistenceId})`;
}

function simpleName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf(".") + 1);
}

/** What to tell the user about a locked type the entity no longer reads under its URL. */
function unreadable(locked: LockedType, entity: EntityStoredTypes, lockedMessages: readonly string[]): string {
  const current = entity.reads.filter((r) => r.role === locked.role && r.how === "current");
  const add = (target: string, name: string): string =>
    `add \`option (cloudstate.typescript.previous_names) = "${name}";\` to message ${target}`;
  const sameName = current.find((r) => r.message === locked.message);
  if (sameName !== undefined) {
    const was = locked.url.startsWith(JSON_PREFIX) ? "Cloudstate JSON" : "protobuf";
    const now = sameName.url.startsWith(JSON_PREFIX) ? "Cloudstate JSON" : "protobuf";
    return (
      `its encoding changed: stored as ${was} (${locked.url}), now written as ${now} (${sameName.url}); ` +
      `switch it back, or ${add(locked.message, locked.url)} so that values stored the old way are still read`
    );
  }
  const moved = current.find(
    (r) => simpleName(r.message) === simpleName(locked.message) && !lockedMessages.includes(r.message),
  );
  if (moved !== undefined) {
    return `it moved to ${moved.message}; ${add(moved.message, locked.message)}`;
  }
  // A current type that has every field of the locked one (same numbers and types) may be it, renamed.
  const lockedFields = locked.messages[locked.message]?.fields ?? [];
  const lookalike = current.find((r) => {
    const fields = entity.messages[r.message]?.fields ?? [];
    return (
      !lockedMessages.includes(r.message) &&
      lockedFields.length > 0 &&
      lockedFields.every((f) => fields.some((g) => g.number === f.number && g.type === f.type))
    );
  });
  const retire =
    locked.role === "event"
      ? `list it in (cloudstate.typescript.entity).retired_events with an upcaster to a current event`
      : `list it in (cloudstate.typescript.entity).retired_states with an upcaster to the current state`;
  if (lookalike !== undefined) {
    return `it looks renamed to ${lookalike.message}; if so, ${add(lookalike.message, locked.message)}; otherwise ${retire}`;
  }
  const where = locked.role === "event" ? "no longer one of its events" : "no longer its state";
  return (
    `it is ${where}, yet stored data holds it. If it was renamed or moved, ${add("<its new name>", locked.message)}; ` +
    `if it is retired, keep the message and ${retire}`
  );
}

/**
 * Checks the lock against what the entities read today.
 * @returns the problems (locked types no longer readable) and the types written today the lock lacks
 */
export function checkLock(lock: Lock, entities: readonly EntityStoredTypes[]): LockCheck {
  const problems: string[] = [];
  const unlocked: string[] = [];
  const byKey = new Map(entities.map((entity) => [keyOf(entity), entity]));
  for (const locked of lock.entities) {
    const entity = byKey.get(keyOf(locked));
    if (entity === undefined) {
      const renamed = entities.find((e) => e.entity === locked.entity && e.kind === locked.kind);
      problems.push(
        renamed !== undefined
          ? `${labelOf(locked)}: its persistence id changed to ${renamed.persistenceId}, so its stored data (filed ` +
              `under ${locked.persistenceId}) would be stranded; set persistence_id: "${locked.persistenceId}"`
          : `${labelOf(locked)}: no ${locked.kind} entity has this persistence id any more, so its stored data ` +
              `would be stranded; keep the entity (or give another its persistence_id), or, to give that data up ` +
              `for good, remove its entry from ${LOCK_FILE}`,
      );
      continue;
    }
    const lockedMessages = locked.types.map((t) => t.message);
    for (const type of locked.types) {
      const at = `${labelOf(entity)}: stored ${type.role} type ${type.message} (${type.url})`;
      const read = entity.reads.find((r) => r.role === type.role && r.url === type.url);
      if (read === undefined) {
        problems.push(`${at} is no longer readable: ${unreadable(type, entity, lockedMessages)}`);
        continue;
      }
      const via = read.message === type.message ? "" : `, read as ${read.message}`;
      for (const problem of compareLayouts(
        type.messages,
        type.message,
        entity.messages,
        read.message,
        type.url.startsWith(JSON_PREFIX),
      )) {
        problems.push(`${at}${via}: ${problem}`);
      }
    }
    for (const written of entity.stored) {
      if (!locked.types.some((t) => t.url === written.url && t.role === written.role)) {
        unlocked.push(`${labelOf(entity)}: ${written.role} type ${written.message} (${written.url})`);
      }
    }
  }
  const lockedKeys = new Set(lock.entities.map(keyOf));
  for (const entity of entities) {
    if (lockedKeys.has(keyOf(entity))) continue;
    for (const written of entity.stored) {
      unlocked.push(`${labelOf(entity)}: ${written.role} type ${written.message} (${written.url})`);
    }
  }
  return { problems, unlocked };
}

/** The messages reachable from `root` in `all`. */
function reachable(all: Readonly<Record<string, StoredMessage>>, root: string): Record<string, StoredMessage> {
  const out: Record<string, StoredMessage> = {};
  const visit = (name: string): void => {
    const layout = all[name];
    if (layout === undefined || name in out) return;
    out[name] = { ...layout, fields: layout.fields.map(canonicalField) };
    for (const field of layout.fields) if (field.message !== undefined) visit(field.message);
  };
  visit(root);
  return out;
}

/**
 * The lock after recording what the entities write today: each written type with today's layout; locked types no
 * longer written kept as they are (stored data still holds them). Call only when {@link checkLock} found no
 * problems.
 */
export function updateLock(lock: Lock | undefined, entities: readonly EntityStoredTypes[]): Lock {
  const before = new Map((lock?.entities ?? []).map((entity) => [keyOf(entity), entity]));
  const updated: LockedEntity[] = [];
  for (const entity of entities) {
    const locked = before.get(keyOf(entity));
    before.delete(keyOf(entity));
    const types: LockedType[] = [];
    for (const type of locked?.types ?? []) {
      if (!entity.stored.some((w) => w.url === type.url && w.role === type.role)) types.push(type);
    }
    for (const written of entity.stored) {
      types.push({ ...written, messages: reachable(entity.messages, written.message) });
    }
    types.sort((a, b) => (a.role === b.role ? (a.url < b.url ? -1 : 1) : a.role < b.role ? -1 : 1));
    updated.push({ kind: entity.kind, persistenceId: entity.persistenceId, entity: entity.entity, types });
  }
  updated.push(...before.values());
  updated.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  return { lockVersion: LOCK_VERSION, entities: updated };
}

/** The lock's text as committed: stable, one field per line. */
export function lockText(lock: Lock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}
