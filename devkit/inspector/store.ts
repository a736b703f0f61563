/**
 * The inspector's history, kept by the dev session so it outlives every user-function restart: the entities seen,
 * each one's journal with the state after each event (as the code of the time built it), value entities' stored
 * states, CRDT deltas and subscriptions, and every command with its answer. Fed by the records of `records.ts`;
 * read by the page and `cloudstate-ts inspect` through the JSON API.
 */
import type { FeedPayload, FeedRecord, Kind, Target } from "./records.js";

/** One event in an entity's journal. */
export interface JournalEntry {
  readonly sequence: number;
  readonly type: string;
  readonly event: unknown;
  /** The event as journaled (for the rebuild after an edit and for copied tests). */
  readonly payload?: FeedPayload;
  /** The state after the event, as the code that first applied it built it. */
  readonly state: unknown;
  /** Emitted by a command, or first seen replayed (the dev session joined after it was written). */
  readonly origin: "emitted" | "replayed";
  /** The command that emitted it. */
  readonly command?: string;
  /** Whether a snapshot was written with it. */
  snapshot: boolean;
  readonly at: number;
  /** The state the current code builds after it, when it differs. */
  rebuiltState?: unknown;
}

/** Where the current code's state first differs from the state the journal recorded. */
export interface Divergence {
  readonly sequence: number;
  readonly type: string;
  readonly recorded: unknown;
  readonly rebuilt: unknown;
  /** Set when the current code could not apply the event at all. */
  readonly failure?: string;
  /** The process that rebuilt it, or `proxy` when the proxy's own replay showed it. */
  readonly by: string;
  readonly at: number;
}

/** A command or an action call. */
export interface CommandView {
  readonly id: string;
  readonly pid: number;
  readonly kind: Kind;
  readonly entityKey: string;
  readonly serviceName: string;
  readonly commandName: string;
  readonly entityId: string;
  readonly streamed: boolean;
  readonly metadata: readonly { key: string; value: unknown }[];
  readonly request?: FeedPayload;
  readonly traceId?: string;
  readonly at: number;
  /** How many journal events preceded it (event-sourced), for a copied test. */
  readonly eventsBefore: number;
  outcome?: string;
  failure?: string;
  reply?: FeedPayload;
  forward?: Target;
  sideEffects: readonly Target[];
  events: readonly { sequence: number; type: string; event: unknown; state: unknown }[];
  snapshot: boolean;
  stateChange?: { action: string; writeConsistency?: string };
  answers?: number;
  stateAfter?: unknown;
  durationMs?: number;
  completedAt?: number;
}

/** One entity (or an action service, whose id is ""). */
export interface EntityView {
  readonly key: string;
  readonly kind: Kind;
  readonly serviceName: string;
  readonly entityId: string;
  lastActivity: number;
  state: unknown;
  readonly journal: JournalEntry[];
  /** A value entity's stored states and deletes. */
  readonly values: { at: number; action: string; state: unknown; command: string }[];
  /** A CRDT's deltas: sent by a command (with its write consistency) or received from the proxy. */
  readonly deltas: {
    at: number;
    direction: "sent" | "received";
    writeConsistency?: string;
    state: unknown;
    command?: string;
  }[];
  /** A CRDT's streamed calls that subscribed, and what each was told. */
  readonly subscriptions: { commandName: string; commandId: string; open: boolean; reason?: string; at: number }[];
  readonly commands: string[];
  streams: number;
  divergence?: Divergence;
  /** The last rebuild by new code that matched the journal. */
  rebuiltBy?: { pid: number; at: number; events: number };
}

/** The user-function processes that connected. */
export interface ProcessView {
  readonly pid: number;
  readonly services: readonly { serviceName: string; kind: Kind }[];
  readonly connectedAt: number;
  lastRecordAt: number;
}

/** An entity's id in the store and the API. */
export function entityKey(serviceName: string, entityId: string): string {
  return `${serviceName}/${entityId}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The trace id of a W3C `traceparent` header, when the command carries one. */
function traceIdOf(metadata: readonly { key: string; value: unknown }[]): string | undefined {
  const header = metadata.find((entry) => entry.key.toLowerCase() === "traceparent")?.value;
  return typeof header === "string" ? /^[0-9a-f]{2}-([0-9a-f]{32})-/.exec(header)?.[1] : undefined;
}

const COMMAND_LIMIT = 10_000;

export class InspectorStore {
  readonly entities = new Map<string, EntityView>();
  readonly commands = new Map<string, CommandView>();
  readonly processes: ProcessView[] = [];
  /** Records lost: dropped by a user function's full queue, or not records at all. */
  dropped = 0;
  /** Bumped at every change; the page asks again when it moves. */
  version = 0;
  readonly #streams = new Map<string, { entityKey: string; sequence: number }>();
  readonly #listeners = new Set<() => void>();

  /** Calls `listener` after each batch of changes; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies one batch of records from process `pid`. */
  apply(pid: number, records: readonly (FeedRecord | undefined)[]): void {
    const process = this.processes.find((p) => p.pid === pid);
    if (process !== undefined) process.lastRecordAt = Date.now();
    for (const record of records) {
      if (record === undefined) {
        this.dropped += 1;
        continue;
      }
      try {
        this.#apply(pid, record);
      } catch {
        // A record of the right kind but not the right shape (another version's runtime, a stray poster): counted
        // like an unreadable line, and the rest of the batch still applies.
        this.dropped += 1;
      }
    }
    this.version += 1;
    for (const listener of this.#listeners) listener();
  }

  /** The event-sourced journals complete from their first event: what new code is asked to rebuild. */
  recordedJournals(): {
    serviceName: string;
    entityId: string;
    events: { sequence: number; typeUrl: string; base64: string }[];
  }[] {
    const out = [];
    for (const entity of this.entities.values()) {
      if (entity.kind !== "event-sourced" || entity.journal.length === 0) continue;
      const complete = entity.journal.every((entry, i) => entry.sequence === i + 1 && entry.payload !== undefined);
      if (!complete) continue;
      out.push({
        serviceName: entity.serviceName,
        entityId: entity.entityId,
        events: entity.journal.map((entry) => ({
          sequence: entry.sequence,
          typeUrl: entry.payload!.typeUrl,
          base64: entry.payload!.base64,
        })),
      });
    }
    return out;
  }

  #entity(kind: Kind, serviceName: string, entityId: string, at: number): EntityView {
    const key = entityKey(serviceName, entityId);
    let entity = this.entities.get(key);
    if (entity === undefined) {
      entity = {
        key,
        kind,
        serviceName,
        entityId,
        lastActivity: at,
        state: undefined,
        journal: [],
        values: [],
        deltas: [],
        subscriptions: [],
        commands: [],
        streams: 0,
      };
      this.entities.set(key, entity);
    }
    entity.lastActivity = Math.max(entity.lastActivity, at);
    return entity;
  }

  #apply(pid: number, record: FeedRecord): void {
    const streamOf = (stream: string | undefined) =>
      stream === undefined ? undefined : this.#streams.get(`${pid}/${stream}`);
    switch (record.t) {
      case "hello":
        this.processes.push({ pid, services: record.services, connectedAt: Date.now(), lastRecordAt: Date.now() });
        return;
      case "dropped":
        this.dropped += record.count;
        return;
      case "entity": {
        const entity = this.#entity(record.kind, record.serviceName, record.entityId, record.at);
        entity.streams += 1;
        entity.state = record.state;
        this.#streams.set(`${pid}/${record.stream}`, { entityKey: entity.key, sequence: record.snapshotSequence ?? 0 });
        return;
      }
      case "replayed": {
        const stream = streamOf(record.stream);
        const entity = stream && this.entities.get(stream.entityKey);
        if (stream === undefined || entity === undefined) return;
        stream.sequence = record.sequence;
        entity.state = record.state;
        const known = entity.journal.find((entry) => entry.sequence === record.sequence);
        if (known === undefined) {
          entity.journal.push({
            sequence: record.sequence,
            type: record.type,
            event: record.event,
            ...(record.payload === undefined ? {} : { payload: record.payload }),
            state: record.state,
            origin: "replayed",
            snapshot: false,
            at: Date.now(),
          });
          entity.journal.sort((a, b) => a.sequence - b.sequence);
        } else if (!same(known.state, record.state)) {
          known.rebuiltState = record.state;
          if (entity.divergence === undefined || entity.divergence.sequence > record.sequence) {
            entity.divergence = {
              sequence: record.sequence,
              type: record.type,
              recorded: known.state,
              rebuilt: record.state,
              by: "proxy",
              at: Date.now(),
            };
          }
        }
        return;
      }
      case "recovered":
        return;
      case "command": {
        const stream = streamOf(record.stream);
        const entity =
          stream === undefined
            ? this.#entity(record.kind, record.serviceName, record.entityId, record.at)
            : this.entities.get(stream.entityKey);
        if (entity === undefined) return;
        entity.lastActivity = record.at;
        const traceId = traceIdOf(record.metadata);
        const view: CommandView = {
          id: `${pid}-${record.command}`,
          pid,
          kind: record.kind,
          entityKey: entity.key,
          serviceName: record.serviceName,
          commandName: record.commandName,
          entityId: record.entityId,
          streamed: record.streamed,
          metadata: record.metadata,
          ...(record.request === undefined ? {} : { request: record.request }),
          ...(traceId === undefined ? {} : { traceId }),
          at: record.at,
          eventsBefore: entity.journal.length,
          sideEffects: [],
          events: [],
          snapshot: false,
        };
        this.commands.set(view.id, view);
        entity.commands.push(view.id);
        if (this.commands.size > COMMAND_LIMIT) this.#forgetOldestCommand();
        this.#commandStreams.set(view.id, record.stream);
        return;
      }
      case "completed":
        this.#completed(pid, record);
        return;
      case "delta": {
        const entity = this.#entityOfStream(pid, record.stream);
        if (entity === undefined) return;
        entity.lastActivity = record.at;
        entity.state = record.state;
        entity.deltas.push({ at: record.at, direction: "received", state: record.state });
        return;
      }
      case "subscription": {
        const entity = this.#entityOfStream(pid, record.stream);
        if (entity === undefined) return;
        const known = entity.subscriptions.find((s) => s.commandId === record.commandId && s.open);
        if (record.reason === undefined) {
          entity.subscriptions.push({
            commandName: record.commandName,
            commandId: record.commandId,
            open: true,
            at: record.at,
          });
        } else if (known !== undefined) {
          known.open = false;
          known.reason = record.reason;
        }
        return;
      }
      case "closed": {
        const entity = this.#entityOfStream(pid, record.stream);
        for (const s of entity?.subscriptions ?? [])
          if (s.open) Object.assign(s, { open: false, reason: "stream-closed" });
        this.#streams.delete(`${pid}/${record.stream}`);
        return;
      }
      case "rebuilt":
        this.#rebuilt(pid, record);
        return;
    }
  }

  readonly #commandStreams = new Map<string, string | undefined>();

  #entityOfStream(pid: number, stream: string): EntityView | undefined {
    const known = this.#streams.get(`${pid}/${stream}`);
    return known === undefined ? undefined : this.entities.get(known.entityKey);
  }

  #forgetOldestCommand(): void {
    const [oldest] = this.commands.keys();
    if (oldest === undefined) return;
    const view = this.commands.get(oldest);
    this.commands.delete(oldest);
    this.#commandStreams.delete(oldest);
    const entity = view === undefined ? undefined : this.entities.get(view.entityKey);
    const at = entity?.commands.indexOf(oldest) ?? -1;
    // splice(-1) would drop the entity's newest command instead.
    if (at >= 0) entity!.commands.splice(at, 1);
  }

  #completed(pid: number, record: Extract<FeedRecord, { t: "completed" }>): void {
    const id = `${pid}-${record.command}`;
    const view = this.commands.get(id);
    if (view === undefined) return;
    const streamName = this.#commandStreams.get(id);
    const stream = streamName === undefined ? undefined : this.#streams.get(`${pid}/${streamName}`);
    const entity = this.entities.get(view.entityKey);
    Object.assign(view, {
      outcome: record.outcome,
      ...(record.failure === undefined ? {} : { failure: record.failure }),
      ...(record.reply === undefined ? {} : { reply: record.reply }),
      ...(record.forward === undefined ? {} : { forward: record.forward }),
      sideEffects: record.sideEffects,
      snapshot: record.snapshot,
      ...(record.stateChange === undefined ? {} : { stateChange: record.stateChange }),
      ...(record.answers === undefined ? {} : { answers: record.answers }),
      stateAfter: record.state,
      durationMs: record.durationMs,
      completedAt: record.at,
    });
    if (entity === undefined) return;
    entity.lastActivity = record.at;
    if (view.kind !== "action") entity.state = record.state;
    const events = [];
    for (const event of record.events) {
      const sequence = (stream?.sequence ?? entity.journal.at(-1)?.sequence ?? 0) + 1;
      if (stream !== undefined) stream.sequence = sequence;
      const entry: JournalEntry = {
        sequence,
        type: event.type,
        event: event.event,
        payload: event.payload,
        state: event.state,
        origin: "emitted",
        command: id,
        snapshot: false,
        at: record.at,
      };
      const existing = entity.journal.findIndex((e) => e.sequence === sequence);
      if (existing >= 0) entity.journal[existing] = entry;
      else entity.journal.push(entry);
      events.push({ sequence, type: event.type, event: event.event, state: event.state });
    }
    view.events = events;
    const last = entity.journal.at(-1);
    if (record.snapshot && last !== undefined) last.snapshot = true;
    if (record.stateChange !== undefined && view.kind === "value") {
      entity.values.push({ at: record.at, action: record.stateChange.action, state: record.state, command: id });
    }
    if (record.stateChange !== undefined && view.kind === "crdt") {
      entity.deltas.push({
        at: record.at,
        direction: "sent",
        ...(record.stateChange.writeConsistency === undefined
          ? {}
          : { writeConsistency: record.stateChange.writeConsistency }),
        state: record.state,
        command: id,
      });
    }
  }

  #rebuilt(pid: number, record: Extract<FeedRecord, { t: "rebuilt" }>): void {
    const entity = this.entities.get(entityKey(record.serviceName, record.entityId));
    if (entity === undefined) return;
    let divergence: Divergence | undefined;
    for (const entry of entity.journal) {
      const rebuilt = record.states.find((s) => s.sequence === entry.sequence);
      if (rebuilt === undefined) {
        if (record.failure !== undefined && divergence === undefined) {
          divergence = {
            sequence: entry.sequence,
            type: entry.type,
            recorded: entry.state,
            rebuilt: undefined,
            failure: record.failure,
            by: String(pid),
            at: Date.now(),
          };
        }
        continue;
      }
      if (same(rebuilt.state, entry.state)) {
        delete entry.rebuiltState;
        continue;
      }
      entry.rebuiltState = rebuilt.state;
      divergence ??= {
        sequence: entry.sequence,
        type: entry.type,
        recorded: entry.state,
        rebuilt: rebuilt.state,
        by: String(pid),
        at: Date.now(),
      };
    }
    if (divergence === undefined) {
      delete entity.divergence;
      entity.rebuiltBy = { pid, at: Date.now(), events: record.states.length };
    } else {
      entity.divergence = divergence;
      delete entity.rebuiltBy;
    }
  }
}
