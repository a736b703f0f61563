/**
 * Metadata: the headers that travel with a command, a reply, a forward or a side effect. Keys are compared without
 * regard to case (as HTTP and gRPC headers are) and may repeat; values are strings or bytes. The CloudEvent
 * attributes the proxy passes with events (`ce-*`) have a typed view.
 */
import type { Metadata as MetadataMessage } from "../gen/cloudstate/entity.js";

/** A metadata value: text, or bytes (for gRPC, the `-bin` headers). */
export type MetadataValue = string | Uint8Array;

/** One entry of a metadata map. */
export interface MetadataEntry {
  /** The key as it was written; lookups ignore its case. */
  readonly key: string;
  /** The entry's value, text or bytes. */
  readonly value: MetadataValue;
}

/**
 * The CloudEvent attributes of a message, read from its `ce-*` metadata (CloudEvents' binary HTTP binding), as the
 * proxy passes them with events from a topic or an event log. An attribute that is absent is undefined.
 */
export interface CloudEvent {
  /** The CloudEvents specification version the event follows, e.g. `1.0`. */
  readonly specversion: string | undefined;
  /** The event's id, unique within its source. */
  readonly id: string | undefined;
  /** Where the event comes from; for an event log, the entity's persistence id. */
  readonly source: string | undefined;
  /** The event's type; for protobuf events, the message's full name. */
  readonly type: string | undefined;
  /** What the event is about; for an event log, the id of the entity that emitted it. */
  readonly subject: string | undefined;
  /** The media type of the payload, e.g. `application/protobuf` or `application/json`. */
  readonly datacontenttype: string | undefined;
  /** A URI naming the schema the payload follows, if the producer gave one. */
  readonly dataschema: string | undefined;
  /** When the event happened, as the RFC 3339 text the metadata carries. */
  readonly time: string | undefined;
}

/** Metadata that can be read but not changed, as handlers receive it. */
export interface ReadonlyMetadata extends Iterable<MetadataEntry> {
  /** The number of entries. */
  readonly size: number;
  /** The first string value of `key`, if any. */
  get(key: string): string | undefined;
  /** The first bytes value of `key`, if any. */
  getBytes(key: string): Uint8Array | undefined;
  /** Every value of `key`, in order. */
  getAll(key: string): readonly MetadataValue[];
  /** Whether `key` has at least one value (of either kind). */
  has(key: string): boolean;
  /** Every entry, in order, keys as they were written. */
  entries(): readonly MetadataEntry[];
  /** The CloudEvent attributes (`ce-*`). */
  readonly cloudEvent: CloudEvent;
}

/** What `forward`, `effect` and `reply` accept as metadata: a metadata map, entries, or a record of values. */
export type MetadataInit =
  ReadonlyMetadata | Iterable<MetadataEntry> | { readonly [key: string]: MetadataValue | readonly MetadataValue[] };

const CLOUD_EVENT_ATTRIBUTES = [
  "specversion",
  "id",
  "source",
  "type",
  "subject",
  "datacontenttype",
  "dataschema",
  "time",
] as const;

function isIterable(value: unknown): value is Iterable<MetadataEntry> {
  return typeof value === "object" && value !== null && Symbol.iterator in value;
}

/** A case-insensitive multimap of metadata. */
export class Metadata implements ReadonlyMetadata {
  #entries: MetadataEntry[] = [];

  constructor(init?: MetadataInit) {
    if (init === undefined) return;
    if (isIterable(init)) {
      for (const { key, value } of init) this.add(key, value);
      return;
    }
    for (const [key, value] of Object.entries(init)) {
      if (typeof value === "string" || value instanceof Uint8Array) this.add(key, value);
      else for (const one of value) this.add(key, one);
    }
  }

  get size(): number {
    return this.#entries.length;
  }

  get(key: string): string | undefined {
    return this.getAll(key).find((value): value is string => typeof value === "string");
  }

  getBytes(key: string): Uint8Array | undefined {
    return this.getAll(key).find((value): value is Uint8Array => value instanceof Uint8Array);
  }

  getAll(key: string): readonly MetadataValue[] {
    const wanted = key.toLowerCase();
    return this.#entries.filter((entry) => entry.key.toLowerCase() === wanted).map((entry) => entry.value);
  }

  /** Whether `key` has at least one value (of either kind). */
  has(key: string): boolean {
    const wanted = key.toLowerCase();
    return this.#entries.some((entry) => entry.key.toLowerCase() === wanted);
  }

  /** Adds a value, keeping those `key` already has. */
  add(key: string, value: MetadataValue): this {
    if (key === "") throw new Error("metadata keys must not be empty");
    this.#entries.push({ key, value: typeof value === "string" ? value : new Uint8Array(value) });
    return this;
  }

  /** Replaces every value of `key` with this one. */
  set(key: string, value: MetadataValue): this {
    return this.delete(key).add(key, value);
  }

  /** Removes every value of `key`. */
  delete(key: string): this {
    const wanted = key.toLowerCase();
    this.#entries = this.#entries.filter((entry) => entry.key.toLowerCase() !== wanted);
    return this;
  }

  entries(): readonly MetadataEntry[] {
    return [...this.#entries];
  }

  /** Iterates over the entries in order, as {@link Metadata.entries} lists them. */
  [Symbol.iterator](): Iterator<MetadataEntry> {
    return this.entries()[Symbol.iterator]();
  }

  get cloudEvent(): CloudEvent {
    const view: Record<string, string | undefined> = {};
    for (const attribute of CLOUD_EVENT_ATTRIBUTES) view[attribute] = this.get(`ce-${attribute}`);
    return view as unknown as CloudEvent;
  }

  /** Sets the CloudEvent attributes given (as `ce-*` entries), leaving the others as they are. */
  setCloudEvent(attributes: Partial<CloudEvent>): this {
    for (const attribute of CLOUD_EVENT_ATTRIBUTES) {
      const value = attributes[attribute];
      if (value !== undefined) this.set(`ce-${attribute}`, value);
    }
    return this;
  }
}

const EMPTY = new Metadata();

/** The proxy's metadata message as a read-only map. @internal */
export function metadataFromWire(message: MetadataMessage | undefined): ReadonlyMetadata {
  if (message === undefined || message.entries.length === 0) return EMPTY;
  const metadata = new Metadata();
  for (const entry of message.entries) {
    const value = entry.value;
    if (value?.$case === "bytesValue") metadata.add(entry.key, new Uint8Array(value.value));
    else metadata.add(entry.key, value?.value ?? "");
  }
  return metadata;
}

/** Metadata to send, in wire form; nothing for none, so that messages without metadata stay as they were. @internal */
export function metadataToWire(init: MetadataInit | undefined): MetadataMessage | undefined {
  if (init === undefined) return undefined;
  const metadata = init instanceof Metadata ? init : new Metadata(init);
  if (metadata.size === 0) return undefined;
  return {
    $type: "cloudstate.Metadata",
    entries: metadata.entries().map(({ key, value }) => ({
      $type: "cloudstate.MetadataEntry",
      key,
      value:
        typeof value === "string"
          ? { $case: "stringValue" as const, value }
          : { $case: "bytesValue" as const, value: Buffer.from(value) },
    })),
  };
}
