/**
 * The unit testkit of event-sourced entities: commands in; reply, events, state and snapshot out. It drives the
 * production stream loop in memory, as the proxy would: every command, event, snapshot and reply crosses real
 * protobuf bytes, the journal is kept as the proxy keeps it, and `restart()` recovers the entity from it.
 */
import Long from "long";
import {
  EventSourcedStreamIn,
  EventSourcedStreamOut,
  type EventSourcedReply,
} from "../../../gen/cloudstate/event_sourced.js";
import { packMessage, type Any } from "../../any.js";
import type { DeepReadonly } from "../../deep-readonly.js";
import type { EventSourcedEntity } from "../../event-sourced/entity.js";
import { runEventSourcedStream } from "../../event-sourced/stream.js";
import type { EventSourcedInstance } from "../../event-sourced/instance.js";
import type { Logger } from "../../logger.js";
import { guardObserver } from "../../observation.js";
import type { Observer } from "../../observer.js";
import type { EventInit, Message, MessageInit } from "../../message-type.js";
import type { ServiceDefinition } from "../../service.js";
import { NEVER_DRAINS } from "../../drain.js";
import { withEncodingCheck, type EncodingProblem } from "../../encoding-check.js";
import { memoryLogger, type MemoryLogger } from "../memory-logger.js";
import {
  assertDescriptorSetBuilds,
  assertEncoded,
  checkFailed,
  checksOf,
  difference,
  type TestKitChecks,
} from "./checks.js";
import { InMemoryStream } from "./in-memory-stream.js";
import {
  readRecordedJournal,
  recordValue,
  storedValue,
  writeRecordedJournal,
  type RecordedJournal,
} from "./recorded-journal.js";
import { readState } from "../../stored-types.js";
import { clientOutcome, type CommandOutcome } from "./results.js";
import { commandMessage, rpcOf, type CallOptions, type RequestInit, type ResponseOf, type RpcKey } from "./types.js";

/** Where an event-sourced entity starts. */
export interface EventSourcedTestKitOptions<State extends Message, Event extends Message> {
  /** The entity's id. Default `entity-1`. */
  readonly entityId?: string;
  /** A snapshot the proxy holds for the entity: the state at `sequence`. */
  readonly snapshot?: {
    /** The state the snapshot holds. */
    readonly state: MessageInit<State>;
    /** The sequence number of the last event it includes. */
    readonly sequence: number;
  };
  /** Events already journaled (after the snapshot, if one is given), replayed at start. */
  readonly events?: readonly EventInit<Event>[];
  /** The checks to run; all on by default. */
  readonly checks?: TestKitChecks;
  /** Where the runtime's log lines go. Default: kept in memory, see {@link EventSourcedTestKit.log}. */
  readonly logger?: Logger;
  /**
   * Watches the entity as a server's observer would (e.g. `cloudstate-ts/opentelemetry`'s, with in-memory
   * exporters, to assert on a command's spans and metrics).
   */
  readonly observer?: Observer;
}

/** What one command did. */
export interface EventSourcedResult<
  Reply extends Message,
  State extends Message,
  Event extends Message,
> extends CommandOutcome<Reply> {
  /** The events the command emitted, decoded from what was journaled (none when it failed). */
  readonly events: readonly Event[];
  /** The entity's state after the command. */
  readonly state: DeepReadonly<State>;
  /** The snapshot the entity sent with this command, decoded, when it took one. */
  readonly snapshot: State | undefined;
  /** The sequence number of the entity's last event after the command. */
  readonly sequence: number;
}

interface JournalEntry {
  readonly sequence: number;
  readonly payload: Any;
}

interface Snapshot {
  readonly sequence: number;
  readonly payload: Any;
}

/**
 * An event-sourced entity under test.
 *
 * ```ts
 * const cart = await EventSourcedTestKit.create(shoppingCartEntity(handlers), { entityId: "ann" });
 * const added = await cart.call("addItem", { userId: "ann", productId: "apple", name: "Apple", quantity: 2 });
 * assert.deepEqual(added.events.map((e) => e.$type), ["com.example.shoppingcart.persistence.ItemAdded"]);
 * await cart.restart(); // recovered from the journal, state checked equal
 * ```
 */
export class EventSourcedTestKit<S extends ServiceDefinition, State extends Message, Event extends Message> {
  readonly #entity: EventSourcedEntity<S, State, Event>;
  readonly #checks: Required<TestKitChecks>;
  readonly #logger: Logger;
  readonly #observer: Observer | undefined;
  readonly #memory = memoryLogger();
  readonly #initialSnapshot: Snapshot | undefined;
  readonly #journal: JournalEntry[] = [];
  #lastSnapshot: Snapshot | undefined;
  #stream!: InMemoryStream<EventSourcedStreamIn, EventSourcedStreamOut>;
  #instance: EventSourcedInstance | undefined;
  /** A second instance that replays the journal as it grows, for the replay check. */
  #shadow:
    { stream: InMemoryStream<EventSourcedStreamIn, EventSourcedStreamOut>; instance: EventSourcedInstance } | undefined;
  #nextCommandId = 1;

  private constructor(
    entity: EventSourcedEntity<S, State, Event>,
    /** The id of the entity under test. */
    readonly entityId: string,
    options: EventSourcedTestKitOptions<State, Event>,
    recorded?: RecordedJournal,
  ) {
    this.#entity = entity;
    this.#checks = checksOf(options.checks);
    this.#logger = options.logger ?? this.#memory;
    this.#observer = options.observer === undefined ? undefined : guardObserver(options.observer, this.#logger);
    if (recorded !== undefined) {
      // Stored data as recorded, under whatever type URLs it was written: replayed as the proxy would send it.
      const recordedSnapshot = recorded.snapshot;
      if (recordedSnapshot !== undefined) {
        this.#initialSnapshot = { sequence: recordedSnapshot.sequence, payload: storedValue(recordedSnapshot) };
      }
      this.#lastSnapshot = this.#initialSnapshot;
      for (const event of recorded.events ?? []) {
        this.#journal.push({ sequence: event.sequence, payload: storedValue(event) });
      }
      return;
    }
    const snapshot = options.snapshot;
    if (snapshot !== undefined) {
      this.#initialSnapshot = {
        sequence: snapshot.sequence,
        payload: packMessage(entity.config.state, snapshot.state),
      };
    }
    this.#lastSnapshot = this.#initialSnapshot;
    let sequence = snapshot?.sequence ?? 0;
    for (const event of options.events ?? []) {
      sequence += 1;
      this.#journal.push({ sequence, payload: this.#packEvent(event) });
    }
  }

  /**
   * Starts the entity as the proxy would: from the snapshot and events given, if any.
   * @throws AssertionError when its descriptor set would be refused by the proxy, or a check fails on replay.
   */
  static async create<S extends ServiceDefinition, State extends Message, Event extends Message>(
    entity: EventSourcedEntity<S, State, Event>,
    options: EventSourcedTestKitOptions<State, Event> = {},
  ): Promise<EventSourcedTestKit<S, State, Event>> {
    const kit = new EventSourcedTestKit(entity, options.entityId ?? "entity-1", options);
    if (kit.#checks.descriptors) assertDescriptorSetBuilds(entity.serviceName, entity.descriptorSet);
    await kit.#recover(kit.#initialSnapshot, kit.#journal);
    return kit;
  }

  /**
   * Replays a recorded journal (a file written by {@link saveJournal}, or its record) against today's code: the
   * entity recovers from its snapshot and events, under the type URLs they were stored with, through the
   * entity's declared previous names and upcasters; its state must then equal the recorded state (read the same
   * way). Returns the kit, to go on with commands.
   * @throws Error for a file that is not a recorded journal, or when the entity cannot recover (naming the event
   * and its type); AssertionError when the recovered state differs from the recorded one.
   */
  static async replayJournal<S extends ServiceDefinition, State extends Message, Event extends Message>(
    entity: EventSourcedEntity<S, State, Event>,
    source: string | RecordedJournal,
    options: Pick<EventSourcedTestKitOptions<State, Event>, "checks" | "logger" | "observer"> = {},
  ): Promise<EventSourcedTestKit<S, State, Event>> {
    const recorded = readRecordedJournal(source, "event-sourced");
    const kit = new EventSourcedTestKit(entity, recorded.entityId, options, recorded);
    await kit.#recover(kit.#initialSnapshot, kit.#journal);
    const expected = readState(entity.config.state, entity.oldStates, storedValue(recorded.state), "recorded state");
    const problem = difference(expected, kit.#live().state);
    if (problem !== undefined) {
      throw checkFailed(
        `${kit.#where} replayed ${typeof source === "string" ? source : "the recorded journal"} to another state ` +
          `than was recorded: ${problem} (recorded vs replayed)`,
      );
    }
    return kit;
  }

  /**
   * The entity's stored data as the proxy keeps it, with its state, for {@link replayJournal}. From the start
   * (the snapshot it was created with, if any, and every event; the default), or from its last snapshot and the
   * events after it, as the proxy recovers it.
   */
  recordJournal(from: "start" | "last-snapshot" = "start"): RecordedJournal {
    const snapshot = from === "start" ? this.#initialSnapshot : this.#lastSnapshot;
    const after = snapshot?.sequence ?? 0;
    return {
      kind: "event-sourced",
      service: this.#entity.serviceName,
      entityId: this.entityId,
      ...(snapshot === undefined
        ? {}
        : { snapshot: { ...recordValue(snapshot.payload), sequence: snapshot.sequence } }),
      events: this.#journal
        .filter((entry) => entry.sequence > after)
        .map((entry) => ({ ...recordValue(entry.payload), sequence: entry.sequence })),
      state: recordValue(packMessage(this.#entity.config.state, this.#live().state as MessageInit<Message>)),
    };
  }

  /**
   * Saves {@link recordJournal} to a JSON file (creating its folder): commit it beside your tests and replay it
   * with {@link replayJournal}, so that code that could no longer read it fails there.
   */
  saveJournal(path: string, from: "start" | "last-snapshot" = "start"): void {
    writeRecordedJournal(path, this.recordJournal(from));
  }

  /** The entity's current state. */
  get state(): DeepReadonly<State> {
    return this.#live().state as DeepReadonly<State>;
  }

  /** The sequence number of the entity's last event. */
  get sequence(): number {
    return this.#live().sequence;
  }

  /**
   * Every event journaled so far (the given or replayed ones first), decoded as today's events: through previous
   * names and upcasters for old type URLs, leaving out the events an upcaster dropped.
   */
  get events(): readonly Event[] {
    return this.#journal.flatMap((entry) => {
      const event = this.#entity.eventCodec.recover(entry.payload, `event ${entry.sequence}`);
      return event === undefined ? [] : [event as Event];
    });
  }

  /** The runtime's log lines, when no logger was given. */
  get log(): MemoryLogger["lines"] {
    return this.#memory.lines;
  }

  /**
   * Runs one command, as the proxy sends it, and returns what it did.
   * @throws AssertionError when a check fails: a value that does not survive encoding, or (after a command that
   * emitted) the state rebuilt from the journal differs from the live state.
   */
  async call<K extends RpcKey<S>>(
    rpc: K,
    request: RequestInit<S, K>,
    options: CallOptions = {},
  ): Promise<EventSourcedResult<ResponseOf<S, K>, State, Event>> {
    const method = rpcOf(this.#entity.config.service, rpc);
    const { answers, problems } = await this.#stream.send(
      commandMessage(this.entityId, this.#nextCommandId++, method, request, options),
    );
    if (this.#checks.encoding) assertEncoded(problems, `${method.name} on ${this.#where}`);
    const reply = this.#replyIn(answers, method.name);
    const events = reply.events.map((payload, i) => {
      this.#journal.push({ sequence: this.#sequenceBefore(reply) + i + 1, payload });
      return this.#entity.eventCodec.unpack(payload) as Event;
    });
    let snapshot: State | undefined;
    if (reply.snapshot !== undefined) {
      this.#lastSnapshot = { sequence: this.sequence, payload: reply.snapshot };
      snapshot = this.#entity.config.state.decode(reply.snapshot.value) as State;
    }
    if (this.#checks.encoding) {
      // The state is encoded only for snapshots; check it after every command, as a snapshot could come at any time.
      assertEncoded(this.#stateProblems(), `the state of ${this.#where} after ${method.name}`);
    }
    if (this.#checks.replay && events.length > 0) {
      await this.#checkReplay(
        `${method.name} (which emitted ${events.map((e) => e.$type).join(", ")})`,
        this.#journal.slice(-events.length),
      );
    }
    return {
      ...clientOutcome(reply.clientAction, method.responseType as never, reply.sideEffects),
      events,
      state: this.state,
      snapshot,
      sequence: this.sequence,
    };
  }

  /**
   * Stops the entity (as passivation or a proxy restart would) and recovers it from what was journaled: the last
   * snapshot and the events after it, through a new stream.
   * @throws AssertionError when the recovered state differs from the state before.
   */
  async restart(): Promise<void> {
    const before = this.#live().state;
    this.#stream.close();
    const snapshot = this.#lastSnapshot;
    await this.#recover(
      snapshot,
      this.#journal.filter((entry) => entry.sequence > (snapshot?.sequence ?? 0)),
    );
    const problem = difference(before, this.#live().state);
    if (problem !== undefined) {
      throw checkFailed(
        `${this.#where} recovered from ${this.#recoveredFrom(snapshot)} with another state than it had: ${problem} ` +
          "(before vs after the restart)",
      );
    }
  }

  get #where(): string {
    return `${this.#entity.serviceName}/${this.entityId}`;
  }

  #live(): EventSourcedInstance {
    if (this.#instance === undefined) throw new Error(`${this.#where} is not running`);
    return this.#instance;
  }

  #packEvent(event: EventInit<Event>): Any {
    const handler = this.#entity.config.events[event.$type];
    if (handler === undefined) throw new Error(`${event.$type} is not an event of ${this.#entity.serviceName}`);
    return this.#entity.eventCodec.pack(handler, event);
  }

  #sequenceBefore(reply: EventSourcedReply): number {
    return this.sequence - reply.events.length;
  }

  #recoveredFrom(snapshot: Snapshot | undefined): string {
    const events =
      this.#journal.length -
      (snapshot === undefined ? 0 : this.#journal.filter((e) => e.sequence <= snapshot.sequence).length);
    return snapshot === undefined
      ? `its ${events} events`
      : `the snapshot at ${snapshot.sequence} and ${events} events after it`;
  }

  /** A new stream: init with `snapshot`, then `events`, as the proxy recovers an entity. */
  async #recover(snapshot: Snapshot | undefined, events: readonly JournalEntry[]): Promise<void> {
    const { stream, instance } = await this.#openStream(snapshot, events);
    this.#stream = stream;
    this.#instance = instance;
  }

  async #openStream(
    snapshot: Snapshot | undefined,
    events: readonly JournalEntry[],
  ): Promise<{ stream: InMemoryStream<EventSourcedStreamIn, EventSourcedStreamOut>; instance: EventSourcedInstance }> {
    let instance: EventSourcedInstance | undefined;
    const entities = new Map([[this.#entity.serviceName, this.#entity]]);
    const stream = new InMemoryStream(
      (requests) =>
        runEventSourcedStream(
          requests,
          entities,
          this.#logger,
          NEVER_DRAINS,
          (created) => {
            instance = created;
          },
          this.#observer,
        ),
      EventSourcedStreamIn,
      EventSourcedStreamOut,
    );
    const init = {
      serviceName: this.#entity.serviceName,
      entityId: this.entityId,
      snapshot:
        snapshot === undefined
          ? undefined
          : { snapshotSequence: Long.fromNumber(snapshot.sequence), snapshot: snapshot.payload },
    };
    this.#expectQuiet(await stream.send({ message: { $case: "init", value: init } }), "its init");
    for (const event of events) {
      const answered = await stream.send({
        message: { $case: "event", value: { sequence: Long.fromNumber(event.sequence), payload: event.payload } },
      });
      this.#expectQuiet(answered, `replaying event ${event.sequence}`);
    }
    if (instance === undefined) throw new Error(`${this.#where} was not created`);
    return { stream, instance };
  }

  /** Init and replayed events get no answer; a failure answer means the entity could not start. */
  #expectQuiet(answered: { answers: EventSourcedStreamOut[] }, during: string): void {
    const [first] = answered.answers;
    if (first === undefined) return;
    const description = first.message?.$case === "failure" ? first.message.value.description : JSON.stringify(first);
    throw new Error(`${this.#where} failed during ${during}: ${description}`);
  }

  #replyIn(answered: readonly EventSourcedStreamOut[], rpcName: string): EventSourcedReply {
    const [answer] = answered;
    if (answer?.message?.$case === "reply") return answer.message.value;
    const description = answer?.message?.$case === "failure" ? answer.message.value.description : "no answer";
    throw new Error(`${this.#where} ended its stream on ${rpcName}: ${description}`);
  }

  /** Encodes the live state as a snapshot would, under the encoding check. */
  #stateProblems(): EncodingProblem[] {
    const problems: EncodingProblem[] = [];
    withEncodingCheck(problems, () =>
      packMessage(this.#entity.config.state, this.#live().state as MessageInit<Message>),
    );
    return problems;
  }

  /**
   * Compares the live state with the state rebuilt from every journaled event (by a second instance of the entity
   * that has replayed the whole journal, fed the new events after each command) and from the last snapshot and
   * the events after it (a fresh instance each time).
   */
  async #checkReplay(rpcName: string, events: readonly JournalEntry[]): Promise<void> {
    const live = this.#live().state;
    const shadow = await this.#shadowWith(events);
    this.#assertSame(rpcName, live, shadow.state, `all ${this.#journal.length} journaled events`);
    const last = this.#lastSnapshot;
    if (last === undefined || last === this.#initialSnapshot) return;
    const after = this.#journal.filter((entry) => entry.sequence > last.sequence);
    const { stream, instance } = await this.#openStream(last, after);
    stream.close();
    this.#assertSame(
      rpcName,
      live,
      instance.state,
      `the snapshot at ${last.sequence} and the ${after.length} events after it`,
    );
  }

  /** The replaying instance, with `events` replayed into it (opened on first use from the initial journal). */
  async #shadowWith(events: readonly JournalEntry[]): Promise<EventSourcedInstance> {
    if (this.#shadow === undefined) {
      const opened = await this.#openStream(this.#initialSnapshot, this.#journal);
      this.#shadow = opened;
      return opened.instance;
    }
    for (const event of events) {
      const answered = await this.#shadow.stream.send({
        message: { $case: "event", value: { sequence: Long.fromNumber(event.sequence), payload: event.payload } },
      });
      this.#expectQuiet(answered, `replaying event ${event.sequence}`);
    }
    return this.#shadow.instance;
  }

  #assertSame(rpcName: string, live: Message, replayed: Message, from: string): void {
    const problem = difference(live, replayed);
    if (problem === undefined) return;
    throw checkFailed(
      `replay check after ${rpcName} on ${this.#where}: the state rebuilt from ${from} differs from the live ` +
        `state at ${problem} (live vs replayed). Event handlers must be pure and deterministic: they may use ` +
        "only the state and the event.",
    );
  }
}
