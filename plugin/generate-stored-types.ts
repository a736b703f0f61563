/**
 * Emits `<file>_cloudstate.stored.json` for a proto file with event-sourced or value entities: for each entity, the
 * type URLs it writes (the current event and state types, in their encodings), every URL it reads (those, the
 * previous names, the retired types) and the field layout of every message they reach. `cloudstate-ts gen`
 * records the written types in the project's `cloudstate.lock.json`; `cloudstate-ts gen --check` checks that every
 * locked type is still readable, field by field.
 */
import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { storedUrl } from "./build/stored.js";
import type { EntityModel, EventSourcedEntityModel, MessageInfo, StoredEncoding, ValueEntityModel } from "./model.js";

/** One field as the lock compares it. */
interface StoredField {
  readonly number: number;
  readonly name: string;
  readonly json: string;
  /** A scalar's name (`int32`, `string`, …), `enum`, `message` or `map`. */
  readonly type: string;
  readonly repeated?: true;
  readonly message?: string;
  readonly enum?: string;
  /** Maps: the key's scalar type. */
  readonly key?: string;
}

interface StoredMessage {
  readonly fields: readonly StoredField[];
  /** Reserved field numbers, as [first, last] ranges. */
  readonly reserved?: readonly (readonly [number, number])[];
}

interface StoredType {
  readonly role: "event" | "state";
  readonly url: string;
  readonly message: string;
}

const WELL_KNOWN = "google.protobuf.";

function scalarName(scalar: ScalarType): string {
  return ScalarType[scalar].toLowerCase();
}

function fieldOf(field: DescField): { entry: StoredField; reaches: DescMessage | undefined } {
  const base = { number: field.number, name: field.name, json: field.jsonName };
  switch (field.fieldKind) {
    case "scalar":
      return { entry: { ...base, type: scalarName(field.scalar) }, reaches: undefined };
    case "enum":
      return { entry: { ...base, type: "enum", enum: field.enum.typeName }, reaches: undefined };
    case "message":
      return { entry: { ...base, type: "message", message: field.message.typeName }, reaches: field.message };
    case "list":
      if (field.listKind === "scalar") {
        return { entry: { ...base, type: scalarName(field.scalar), repeated: true }, reaches: undefined };
      }
      if (field.listKind === "enum") {
        return { entry: { ...base, type: "enum", enum: field.enum.typeName, repeated: true }, reaches: undefined };
      }
      return {
        entry: { ...base, type: "message", message: field.message.typeName, repeated: true },
        reaches: field.message,
      };
    case "map": {
      const key = scalarName(field.mapKey);
      if (field.mapKind === "scalar")
        return { entry: { ...base, type: "map", key, message: scalarName(field.scalar) }, reaches: undefined };
      if (field.mapKind === "enum")
        return { entry: { ...base, type: "map", key, enum: field.enum.typeName }, reaches: undefined };
      return { entry: { ...base, type: "map", key, message: field.message.typeName }, reaches: field.message };
    }
  }
}

/** The layouts of `roots` and of every message their fields reach (well-known types excepted). */
function layouts(roots: readonly DescMessage[]): Record<string, StoredMessage> {
  const out: Record<string, StoredMessage> = {};
  const visit = (message: DescMessage): void => {
    if (message.typeName in out || message.typeName.startsWith(WELL_KNOWN)) return;
    const fields: StoredField[] = [];
    const reached: DescMessage[] = [];
    for (const field of [...message.fields].sort((a, b) => a.number - b.number)) {
      const { entry, reaches } = fieldOf(field);
      fields.push(entry);
      if (reaches !== undefined) reached.push(reaches);
    }
    const reserved = message.proto.reservedRange.map((r) => [r.start, r.end - 1] as const);
    out[message.typeName] = reserved.length > 0 ? { fields, reserved } : { fields };
    reached.forEach(visit);
  };
  roots.forEach(visit);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function written(message: MessageInfo, role: "event" | "state", encoding: StoredEncoding): StoredType {
  return { role, url: storedUrl(message.fullName, encoding), message: message.fullName };
}

function entityEntry(entity: EventSourcedEntityModel | ValueEntityModel) {
  const events =
    entity.kind === "event-sourced"
      ? entity.events.map((e) => written(e, "event", entity.jsonEvents.includes(e.fullName) ? "json" : "protobuf"))
      : [];
  const stored = [...events, written(entity.state, "state", "protobuf")];
  const previous = stored.flatMap((type) =>
    (entity.previousUrls.get(type.message) ?? []).map((url) => ({ ...type, url, how: "previous name" })),
  );
  const retiredEvents = entity.kind === "event-sourced" ? entity.retiredEvents : [];
  const retired = [
    ...retiredEvents.map((r) => ({ role: "event" as const, r })),
    ...entity.retiredStates.map((r) => ({ role: "state" as const, r })),
  ].flatMap(({ role, r }) => r.urls.map((url) => ({ role, url, message: r.message.fullName, how: "retired" })));
  const reads = [...stored.map((type) => ({ ...type, how: "current" })), ...previous, ...retired];
  const messages = layouts(
    [
      ...(entity.kind === "event-sourced" ? [...entity.events, ...entity.retiredEvents.map((r) => r.message)] : []),
      entity.state,
      ...entity.retiredStates.map((r) => r.message),
    ].map((m) => m.desc),
  );
  return {
    entity: entity.fullName,
    kind: entity.kind,
    persistenceId: entity.persistenceId,
    stored,
    reads,
    messages,
  };
}

/** The suffix of the stored-types files, after the proto file's module. */
export const STORED_TYPES_SUFFIX = "_cloudstate.stored.json";

/** The stored-types file of a proto file's entities; undefined when none of them stores anything. */
export function storedTypesFile(protoFile: string, entities: readonly EntityModel[]): string | undefined {
  const stateful = entities.filter(
    (e): e is EventSourcedEntityModel | ValueEntityModel => e.kind === "event-sourced" || e.kind === "value",
  );
  if (stateful.length === 0) return undefined;
  const content = {
    generatedBy: "protoc-gen-cloudstate (DO NOT EDIT); cloudstate-ts gen records it in cloudstate.lock.json",
    source: protoFile,
    entities: stateful.map(entityEntry),
  };
  return `${JSON.stringify(content, null, 2)}\n`;
}
