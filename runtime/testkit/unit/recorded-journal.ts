/**
 * Recorded journals: an entity's stored data as the proxy keeps it (type URL and bytes of each event and of the
 * snapshot, or a value entity's stored value), with the state it recovered to, saved to a JSON file. Replaying
 * such files against today's code is a stored-data regression suite: a rename, a retired type or a reshape that
 * would strand old data fails the test, not production.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Any } from "../../any.js";

/** A stored value as the proxy keeps it: its type URL and bytes (base64 in the file). */
export interface RecordedValue {
  /** The type URL it was stored under, e.g. `type.googleapis.com/shop.ItemAdded`. */
  readonly typeUrl: string;
  /** Its bytes, base64. */
  readonly value: string;
}

/** A journaled event or a snapshot: a stored value and its sequence number. */
export interface RecordedEntry extends RecordedValue {
  /** The event's sequence number, or, for a snapshot, that of the last event it includes. */
  readonly sequence: number;
}

/** One entity's stored data and the state it recovered to, as a recorded-journal file holds it. */
export interface RecordedJournal {
  /** Which kind of entity wrote it. */
  readonly kind: "event-sourced" | "value";
  /** The full name of the service that wrote it (for the reader; not checked on replay). */
  readonly service: string;
  /** The entity's id. */
  readonly entityId: string;
  /** Event-sourced: the snapshot the proxy held, if any, with the sequence number of its last event. */
  readonly snapshot?: RecordedEntry;
  /** Event-sourced: the events after the snapshot, in order. */
  readonly events?: readonly RecordedEntry[];
  /** Value entities: the stored value, if any. */
  readonly stored?: RecordedValue;
  /** The state the entity had when recorded, encoded as it wrote its state then. */
  readonly state: RecordedValue;
}

/** A stored value as a recorded one. @internal */
export function recordValue(any: Any): RecordedValue {
  return { typeUrl: any.typeUrl, value: Buffer.from(any.value).toString("base64") };
}

/** A recorded value as the proxy would send it. @internal */
export function storedValue(recorded: RecordedValue): Any {
  return { $type: "google.protobuf.Any", typeUrl: recorded.typeUrl, value: Buffer.from(recorded.value, "base64") };
}

/** Writes a recorded journal, creating its folder. @internal */
export function writeRecordedJournal(path: string, journal: RecordedJournal): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ recordedBy: "cloudstate-ts testkit", ...journal }, null, 2)}\n`);
}

function isValue(value: unknown): value is RecordedValue {
  if (typeof value !== "object" || value === null) return false;
  const { typeUrl, value: bytes } = value as Record<string, unknown>;
  return (
    typeof typeUrl === "string" &&
    typeUrl.includes("/") &&
    typeof bytes === "string" &&
    /^[A-Za-z0-9+/]*=*$/.test(bytes)
  );
}

function isSequenced(value: unknown): value is RecordedEntry {
  const sequence = (value as { sequence?: unknown } | null)?.sequence;
  return isValue(value) && Number.isInteger(sequence) && (sequence as number) >= 0;
}

/**
 * Reads a recorded journal (a path or the record itself) of the kind expected.
 * @throws Error naming the file and what is wrong with it
 */
export function readRecordedJournal(source: string | RecordedJournal, kind: RecordedJournal["kind"]): RecordedJournal {
  const where = typeof source === "string" ? source : "the recorded journal";
  let journal: unknown = source;
  if (typeof source === "string") {
    try {
      journal = JSON.parse(readFileSync(source, "utf8"));
    } catch (error) {
      throw new Error(`${where} is not a recorded journal: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
  const bad = (what: string): never => {
    throw new Error(`${where} is not a recorded journal of a ${kind} entity: ${what}`);
  };
  if (typeof journal !== "object" || journal === null) return bad("not an object");
  const record = journal as Record<string, unknown>;
  if (record.kind !== kind) bad(`its kind is ${JSON.stringify(record.kind)}`);
  if (typeof record.service !== "string" || typeof record.entityId !== "string") bad("it lacks service or entityId");
  if (!isValue(record.state)) bad("its state is not a { typeUrl, value (base64) }");
  if (record.snapshot !== undefined && !isSequenced(record.snapshot))
    bad("its snapshot is not a { typeUrl, value, sequence }");
  if (record.stored !== undefined && !isValue(record.stored)) bad("its stored value is not a { typeUrl, value }");
  if (record.events !== undefined) {
    if (!Array.isArray(record.events)) bad("its events are not a list");
    let last = (record.snapshot as { sequence?: number } | undefined)?.sequence ?? 0;
    for (const [i, event] of (record.events as unknown[]).entries()) {
      if (!isSequenced(event)) bad(`event ${i + 1} is not a { typeUrl, value, sequence }`);
      if ((event as { sequence: number }).sequence <= last)
        bad(`event ${i + 1}'s sequence number does not follow ${last}`);
      last = (event as { sequence: number }).sequence;
    }
  }
  return record as unknown as RecordedJournal;
}
