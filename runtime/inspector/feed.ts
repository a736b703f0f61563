/**
 * The inspector's feed: when `cloudstate-ts dev` sets `CLOUDSTATE_TS_INSPECTOR_FEED` (the dev session's loopback
 * address), `serve` adds this observer, which sends what it sees there as JSON lines: every entity stream, replayed
 * and emitted event with the state after it, command with its request, answer, effects and duration, CRDT delta and
 * subscription, and action call. It only queues: a slow or absent dev session never blocks or fails a command; what
 * does not fit the queue is counted and the count sent once the dev session answers again.
 *
 * It also rebuilds, once at start, the event-sourced entities the dev session recorded, with this process's own
 * event handlers, so the dev session can tell whether an edit changed what the recorded events build.
 */
import type { Logger } from "../logger.js";
import type { Message, MessageType } from "../message-type.js";
import type { CommandObserver, CommandStart, EntityObserver, Observer } from "../observer.js";
import type { ServableEntity } from "../server.js";
import type { MethodDefinition } from "../service.js";
import { rebuildRecorded, type RecordedEntity } from "./rebuild.js";
import { FeedSender } from "./sender.js";
import { feedPayload, plain, type TypesByName } from "./plain.js";
import type { EventSourcedEntity } from "../event-sourced/entity.js";

/** The environment variable the dev session sets to the feed's base URL, e.g. `http://127.0.0.1:9001`. */
export const INSPECTOR_FEED_ENV = "CLOUDSTATE_TS_INSPECTOR_FEED";

/** The feed's observer when the environment asks for one (the dev session set it), else undefined. */
export function inspectorFeedFromEnvironment(
  entities: readonly ServableEntity[],
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Observer | undefined {
  const base = env[INSPECTOR_FEED_ENV];
  if (base === undefined || base === "") return undefined;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    logger.warn(`${INSPECTOR_FEED_ENV} is not a URL (${base}); the inspector gets nothing`);
    return undefined;
  }
  if (url.protocol !== "http:" || !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    logger.warn(`${INSPECTOR_FEED_ENV} must be a loopback http address, got ${base}; the inspector gets nothing`);
    return undefined;
  }
  return new InspectorFeed(url, entities, logger).observer();
}

function typesOf(entities: readonly ServableEntity[]): Map<string, Map<string, MessageType>> {
  const byService = new Map<string, Map<string, MessageType>>();
  for (const entity of entities) {
    const types = new Map<string, MessageType>();
    for (const method of Object.values<MethodDefinition>(entity.config.service.methods)) {
      types.set(method.requestType.$type, method.requestType);
      types.set(method.responseType.$type, method.responseType);
    }
    if (entity.kind === "event-sourced") {
      types.set(entity.config.state.$type, entity.config.state);
      for (const handler of Object.values(entity.config.events)) types.set(handler.type.$type, handler.type);
    }
    if (entity.kind === "value") types.set(entity.config.state.$type, entity.config.state);
    byService.set(entity.serviceName, types);
  }
  return byService;
}

const NO_TYPES: TypesByName = new Map();

class InspectorFeed {
  readonly #sender: FeedSender;
  readonly #types: Map<string, TypesByName>;
  readonly #eventSourced = new Map<string, EventSourcedEntity>();
  #streams = 0;
  #commands = 0;

  constructor(
    url: URL,
    private readonly entities: readonly ServableEntity[],
    private readonly logger: Logger,
  ) {
    this.#sender = new FeedSender(url, logger);
    this.#types = typesOf(entities);
    for (const entity of entities)
      if (entity.kind === "event-sourced") this.#eventSourced.set(entity.serviceName, entity);
    this.#sender.send({
      t: "hello",
      pid: process.pid,
      services: entities.map((entity) => ({ serviceName: entity.serviceName, kind: entity.kind })),
    });
    void this.#rebuild();
  }

  /** Asks the dev session for the journals it recorded and sends what this code builds from each. */
  async #rebuild(): Promise<void> {
    const recorded = await this.#sender.get<{ entities: RecordedEntity[] }>("/replay");
    for (const entity of recorded?.entities ?? []) {
      const served = this.#eventSourced.get(entity.serviceName);
      if (served === undefined) continue;
      this.#sender.send({ t: "rebuilt", ...rebuildRecorded(served, entity, this.logger) });
    }
  }

  #typesFor(serviceName: string): TypesByName {
    return this.#types.get(serviceName) ?? NO_TYPES;
  }

  observer(): Observer {
    return {
      entityStarted: (start) => {
        const stream = `s${++this.#streams}`;
        this.#sender.send({
          t: "entity",
          stream,
          kind: start.kind,
          serviceName: start.serviceName,
          entityId: start.entityId,
          snapshotSequence: start.snapshotSequence,
          fromStoredValue: start.fromStoredValue,
          state: plain(start.state()),
          at: Date.now(),
        });
        return this.#entityObserver(stream, start.serviceName);
      },
      actionCallBegun: (call) => this.#commandBegun(undefined, call),
    };
  }

  #entityObserver(stream: string, serviceName: string): EntityObserver {
    const entity = this.#eventSourced.get(serviceName);
    return {
      eventReplayed: (event) => {
        const decoded = event.event();
        this.#sender.send({
          t: "replayed",
          stream,
          sequence: event.sequence,
          type: event.type,
          event: plain(decoded),
          payload: entity === undefined ? undefined : this.#repack(entity, decoded),
          state: plain(event.state()),
        });
      },
      recovered: (recovery) => this.#sender.send({ t: "recovered", stream, ...recovery }),
      commandBegun: (command) => this.#commandBegun(stream, command),
      deltaReceived: (delta) =>
        this.#sender.send({
          t: "delta",
          stream,
          crdtType: delta.crdtType,
          state: plain(delta.state()),
          at: Date.now(),
        }),
      subscriptionOpened: (s) => this.#sender.send({ t: "subscription", stream, ...s, at: Date.now() }),
      subscriptionEnded: (s) => this.#sender.send({ t: "subscription", stream, ...s, at: Date.now() }),
      closed: (close) => this.#sender.send({ t: "closed", stream, failure: close.failure, at: Date.now() }),
    };
  }

  /** A replayed event as its journal holds it (the runtime hands replayed events over decoded). */
  #repack(entity: EventSourcedEntity, event: Message): ReturnType<typeof feedPayload> | undefined {
    const handler = entity.config.events[event.$type];
    if (handler === undefined) return undefined;
    try {
      return feedPayload(entity.eventCodec.pack(handler, event), this.#typesFor(entity.serviceName));
    } catch {
      return undefined;
    }
  }

  #commandBegun(stream: string | undefined, command: CommandStart): CommandObserver {
    const id = `c${++this.#commands}`;
    const types = this.#typesFor(command.serviceName);
    const started = performance.now();
    this.#sender.send({
      t: "command",
      stream,
      command: id,
      kind: command.kind,
      serviceName: command.serviceName,
      commandName: command.commandName,
      commandId: command.commandId,
      entityId: command.entityId,
      streamed: command.streamed,
      metadata: command.metadata.entries().map((entry) => ({ key: entry.key, value: plain(entry.value) })),
      request: command.payload === undefined ? undefined : feedPayload(command.payload, types),
      at: Date.now(),
    });
    return {
      completed: (completion) => {
        this.#sender.send({
          t: "completed",
          command: id,
          outcome: completion.outcome,
          failure: completion.failure,
          reply: completion.reply === undefined ? undefined : feedPayload(completion.reply, types),
          forward: completion.forward,
          sideEffects: completion.sideEffects,
          events: completion.events.map((event) => ({
            type: event.type,
            event: plain(event.event()),
            payload: feedPayload(event.payload, types),
            state: plain(event.state()),
          })),
          snapshot: completion.snapshot,
          stateChange: completion.stateChange,
          answers: completion.answers,
          state: plain(completion.state()),
          durationMs: performance.now() - started,
          at: Date.now(),
        });
      },
    };
  }
}
