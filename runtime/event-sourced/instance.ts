import type { EventSourcedEvent, EventSourcedInit, EventSourcedStreamOut } from "../../gen/cloudstate/event_sourced.js";
import type { Command } from "../../gen/cloudstate/entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { packMessage } from "../any.js";
import { readState } from "../stored-types.js";
import { metadataFromWire } from "../metadata.js";
import { failureReply, runCommand } from "../command-runner.js";
import { ProtocolError, unexpectedFailureMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import { wholeMessage, type Message } from "../message-type.js";
import { completionOf, type CommandWatch } from "../observation.js";
import type { EmittedEvent, EntityObserver, Observer } from "../observer.js";
import type { ClientAction } from "../../gen/cloudstate/entity.js";
import { EventSourcedContextImpl } from "./context-impl.js";
import type { EventSourcedEntity, EventSourcedRuntimeConfig } from "./entity.js";
import type Long from "long";

type StreamOut = DeepPartial<EventSourcedStreamOut>;

/**
 * One live event-sourced entity: its decoded state and sequence number, replay, and command handling.
 * @internal
 */
export class EventSourcedInstance {
  readonly entityId: string;
  readonly #config: EventSourcedRuntimeConfig;
  #state: Message;
  #sequence: number;
  #handledCommand = false;
  /** Who watches this entity, if anyone. */
  readonly observer: EntityObserver | undefined;
  /** While recovering under observation: when it began, from which snapshot, how many events so far. */
  #recovery: { readonly started: number; readonly snapshotSequence: number | undefined; replayed: number } | undefined;

  constructor(
    readonly entity: EventSourcedEntity,
    init: EventSourcedInit,
    private readonly logger: Logger,
    observer?: Observer,
  ) {
    const started = observer === undefined ? 0 : performance.now();
    this.#config = entity.config;
    this.entityId = init.entityId;
    const snapshot = init.snapshot;
    if (snapshot === undefined) {
      this.#state = wholeMessage(this.#config.state, this.#config.initialState(init.entityId));
      this.#sequence = 0;
    } else {
      this.#sequence = toSequence(snapshot.snapshotSequence, "snapshot sequence");
      if (snapshot.snapshot === undefined) throw new ProtocolError("the snapshot carries no payload");
      this.#state = readState(this.#config.state, entity.oldStates, snapshot.snapshot, `snapshot at ${this.#sequence}`);
    }
    if (observer === undefined) return;
    const state = this.#state;
    const snapshotSequence = snapshot === undefined ? undefined : this.#sequence;
    this.observer = observer.entityStarted?.({
      kind: "event-sourced",
      serviceName: entity.serviceName,
      entityId: this.entityId,
      ...(snapshotSequence !== undefined && { snapshotSequence }),
      fromStoredValue: snapshot !== undefined,
      state: () => state,
    });
    if (this.observer !== undefined) this.#recovery = { started, snapshotSequence, replayed: 0 };
  }

  /** The entity's state (as of the last command or replayed event). */
  get state(): Message {
    return this.#state;
  }

  /** The sequence number of the last event applied. */
  get sequence(): number {
    return this.#sequence;
  }

  /**
   * Applies a journaled event during replay.
   * @throws ProtocolError for an event after a command, an out-of-order sequence number, or an unknown type.
   */
  replay(event: EventSourcedEvent): void {
    if (this.#handledCommand) throw new ProtocolError("an event arrived after the first command");
    const sequence = toSequence(event.sequence, "event sequence");
    if (sequence <= this.#sequence) {
      throw new ProtocolError(`event sequence ${sequence} does not follow ${this.#sequence}`);
    }
    if (event.payload === undefined) throw new ProtocolError(`event ${sequence} carries no payload`);
    const decoded = this.entity.eventCodec.recover(event.payload, `event ${sequence}`);
    if (decoded === undefined) {
      // Its retired type's upcaster dropped it; the sequence number still counts.
      this.#sequence = sequence;
      return;
    }
    const handler = this.#config.events[decoded.$type];
    if (handler === undefined) throw new ProtocolError(`no event handler for ${decoded.$type}`);
    this.#state = wholeMessage(this.#config.state, handler.apply(this.#state, decoded));
    this.#sequence = sequence;
    if (this.#recovery === undefined) return;
    this.#recovery.replayed += 1;
    const state = this.#state;
    this.observer?.eventReplayed?.({ sequence, type: decoded.$type, event: () => decoded, state: () => state });
  }

  /** Recovery is over (a command arrived): tells the observer, once. */
  endRecovery(): void {
    const recovery = this.#recovery;
    if (recovery === undefined) return;
    this.#recovery = undefined;
    this.observer?.recovered?.({
      snapshotSequence: recovery.snapshotSequence,
      eventsReplayed: recovery.replayed,
      durationMs: performance.now() - recovery.started,
    });
  }

  /** Runs one command and returns its answer; never throws. */
  async answer(command: Command, watch?: CommandWatch): Promise<StreamOut> {
    this.#handledCommand = true;
    const outcome = await runCommand(
      command,
      { serviceName: this.entity.serviceName, entityId: this.entityId },
      this.#config.commands,
      () => {
        const context = new EventSourcedContextImpl(
          this.entity,
          this.#state,
          this.#sequence,
          this.entityId,
          command.id,
          command.name,
          metadataFromWire(command.metadata),
        );
        if (watch !== undefined) context.statesAfterEvents = [];
        return context;
      },
      this.logger,
      {},
      watch,
    );
    if (!outcome.ok) {
      watch?.settle(completionOf({ failure: outcome.description, unexpected: outcome.unexpected === true }, []));
      return failureReply(command.id, outcome.description);
    }
    const { context, clientAction } = outcome;
    const eventHandlerError = context.eventHandlerError;
    if (eventHandlerError !== undefined) {
      // The handler caught its event handler's exception and went on; the state may be half-applied.
      this.logger.error(
        `an event handler threw during command ${command.name} on ${this.entity.serviceName}/${this.entityId}; ` +
          `the command fails and nothing it did is kept`,
        eventHandlerError.error,
      );
      const description = unexpectedFailureMessage(command.name);
      watch?.settle(completionOf({ failure: description, unexpected: true }, []));
      return failureReply(command.id, description);
    }
    const snapshot = this.#snapshotAfter(context.sequence, context.state);
    this.#state = context.state;
    this.#sequence = context.sequence;
    if (watch !== undefined) this.#settle(watch, context, clientAction, snapshot !== undefined);
    return {
      message: {
        $case: "reply",
        value: {
          commandId: command.id,
          clientAction,
          sideEffects: context.sideEffects,
          events: context.events,
          snapshot,
        },
      },
    };
  }

  /** Reports a command that succeeded: its events (each with the state after it), snapshot and effects. */
  #settle(
    watch: CommandWatch,
    context: EventSourcedContextImpl,
    clientAction: DeepPartial<ClientAction> | undefined,
    snapshot: boolean,
  ): void {
    const codec = this.entity.eventCodec;
    const states = context.statesAfterEvents ?? [];
    const events: EmittedEvent[] = context.events.map((payload, i) => ({
      type: payload.typeUrl.slice(payload.typeUrl.lastIndexOf("/") + 1),
      payload,
      event: () => codec.unpack(payload),
      state: () => states[i] ?? context.state,
    }));
    const state = context.state;
    watch.settle(completionOf({ clientAction }, context.sideEffects, { events, snapshot, state: () => state }));
  }

  #snapshotAfter(sequence: number, state: Message) {
    const every = this.entity.snapshotEvery;
    if (every === 0 || Math.floor(sequence / every) === Math.floor(this.#sequence / every)) return undefined;
    return packMessage(this.#config.state, state);
  }
}

function toSequence(value: Long, what: string): number {
  if (value.isNegative()) throw new ProtocolError(`${what} ${value.toString()} is negative`);
  if (value.greaterThan(Number.MAX_SAFE_INTEGER)) throw new ProtocolError(`${what} ${value.toString()} is too large`);
  return value.toNumber();
}
