/**
 * Whether values stored with one field layout of a message read correctly with another: protobuf's wire rules (by
 * field number; `buf breaking`'s WIRE rules are the model) or, for Cloudstate JSON, the proto3 JSON mapping (by
 * field name). Each problem names the field and what to do.
 */
import type { StoredField, StoredMessage } from "./stored-lock.js";

/** Groups of types whose stored values read as each other, on the wire. */
const WIRE_GROUPS = [
  ["int32", "int64", "uint32", "uint64", "bool", "enum"],
  ["sint32", "sint64"],
  ["fixed32", "sfixed32"],
  ["fixed64", "sfixed64"],
  ["string", "bytes"],
];
/** … and in the proto3 JSON mapping. */
const JSON_GROUPS = [
  ["int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "enum"],
  ["float", "double"],
];

function sameGroup(a: string, b: string, groups: readonly (readonly string[])[]): boolean {
  return a === b || groups.some((group) => group.includes(a) && group.includes(b));
}

function describeType(field: StoredField): string {
  if (field.type === "map") return `map<${field.key ?? "?"}, ${field.message ?? field.enum ?? "?"}>`;
  const base =
    field.type === "message"
      ? (field.message ?? "message")
      : field.type === "enum"
        ? (field.enum ?? "enum")
        : field.type;
  return field.repeated === true ? `repeated ${base}` : base;
}

/** A map value's kind: `enum`, `message` (a dotted name) or its scalar type. */
function mapValue(field: StoredField): string {
  if (field.enum !== undefined) return "enum";
  return field.message?.includes(".") === true ? "message" : (field.message ?? "");
}

function mapValueRetyped(before: StoredField, now: StoredField, groups: readonly (readonly string[])[]): boolean {
  return !sameGroup(mapValue(before), mapValue(now), groups);
}

function reservedIn(layout: StoredMessage, number: number): boolean {
  return (layout.reserved ?? []).some(([first, last]) => number >= first && number <= last);
}

/**
 * The ways the current layout of a message would misread values stored with the locked one; each line names the
 * field and what to do.
 */
export function compareLayouts(
  locked: Readonly<Record<string, StoredMessage>>,
  lockedName: string,
  current: Readonly<Record<string, StoredMessage>>,
  currentName: string,
  json: boolean,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const walk = (lName: string, cName: string, path: string): void => {
    if (seen.has(`${lName} ${cName}`)) return;
    seen.add(`${lName} ${cName}`);
    const before = locked[lName];
    const now = current[cName];
    if (before === undefined || now === undefined) return; // a well-known type: not described, never changes
    for (const field of before.fields) {
      const at = `field ${path}${field.name} (${field.number})`;
      const match = json
        ? now.fields.find((f) => f.json === field.json)
        : now.fields.find((f) => f.number === field.number);
      if (match === undefined) {
        const renamedTo = now.fields.find((f) => f.name === field.name);
        if (json) {
          problems.push(
            `${at} is gone: JSON values are read by field name, so the stored ${field.json} would be lost; ` +
              `keep a field named ${field.name}`,
          );
        } else if (renamedTo !== undefined) {
          problems.push(
            `${at} was renumbered to ${renamedTo.number}: stored values carry it as ${field.number} and would ` +
              `lose it; give it back number ${field.number}`,
          );
        } else if (!reservedIn(now, field.number)) {
          problems.push(
            `${at} was deleted without reserving its number: a later field numbered ${field.number} would ` +
              `misread stored values; add \`reserved ${field.number};\` to ${cName}`,
          );
        }
        continue;
      }
      const groups = json ? JSON_GROUPS : WIRE_GROUPS;
      const retyped =
        field.type === "map" && match.type === "map"
          ? !sameGroup(field.key ?? "", match.key ?? "", groups) || mapValueRetyped(field, match, groups)
          : !sameGroup(field.type, match.type, groups);
      if (retyped) {
        problems.push(
          `${at} changed from ${describeType(field)} to ${describeType(match)}, which reads stored values ` +
            `differently; add a new field with a new number instead${json ? "" : ` and reserve ${field.number}`}`,
        );
        continue;
      }
      if (field.repeated === true && match.repeated !== true && field.type !== "map") {
        problems.push(
          `${at} changed from repeated to single: stored values would keep only their last element; ` +
            `add a new field instead`,
        );
        continue;
      }
      if (
        field.message !== undefined &&
        match.message !== undefined &&
        (field.type === "message" || field.type === "map")
      ) {
        walk(field.message, match.message, `${path}${field.name}.`);
      }
    }
  };
  walk(lockedName, currentName, "");
  return problems;
}
