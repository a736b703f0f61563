import type { EventSourcedEvent, EventSourcedInit, EventSourcedStreamOut } from "../../gen/cloudstate/event_sourced.js";
import type { Command } from "../../gen/cloudstate/entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { packMessage, unpackMessage } from "../any.js";
import { isForward, metadataEntries } from "../command-effects.js";
import { CommandFailure, ProtocolError, unexpectedFailureMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Message } from "../message-type.js";
import { EventSourcedContextImpl } from "./context-impl.js";
import type { EventSourcedEntity, EventSourcedEntityConfig } from "./entity.js";
import type Long from "long";

type StreamOut = DeepPartial<EventSourcedStreamOut>;

/** A failure answer to one command: the client sees `description`. @internal */
export function commandFailure(commandId: Long, description: string): StreamOut {
  return {
    message: {
      $case: "reply",
      value: { commandId, clientAction: { action: { $case: "failure", value: { commandId, description } } } },
    },
  };
}

/**
 * One live event-sourced entity: its decoded state and sequence number, replay, and command handling.
 * @internal
 */
export class EventSourcedInstance {
  readonly entityId: string;
  readonly #config: EventSourcedEntityConfig<Message, Message>;
  #state: Message;
  #sequence: number;
  #handledCommand = false;

  constructor(
    readonly entity: EventSourcedEntity,
    init: EventSourcedInit,
    private readonly logger: Logger,
  ) {
    this.#config = entity.config;
    this.entityId = init.entityId;
    const snapshot = init.snapshot;
    if (snapshot === undefined) {
      this.#state = this.#config.initialState(init.entityId);
      this.#sequence = 0;
    } else {
      this.#state = unpackMessage(this.#config.state, snapshot.snapshot);
      this.#sequence = toSequence(snapshot.snapshotSequence, "snapshot sequence");
    }
  }

  /** The current state; for tests and tooling. */
  get state(): Message {
    return this.#state;
  }

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
    const decoded = this.entity.eventTypes.unpack(event.payload);
    const handler = this.#config.events[decoded.$type];
    if (handler === undefined) throw new ProtocolError(`no event handler for ${decoded.$type}`);
    this.#state = handler.apply(this.#state, decoded);
    this.#sequence = sequence;
  }

  /** Handles one command and returns its answer; never throws. */
  async handle(command: Command): Promise<StreamOut> {
    this.#handledCommand = true;
    const { id, name } = command;
    const where = `${this.entity.serviceName}/${this.entityId}`;
    if (command.entityId !== this.entityId) {
      this.logger.warn(`command ${name} (${id.toString()}) for entity ${command.entityId} arrived on ${where}`);
      return commandFailure(id, `Command for entity ${command.entityId} sent to entity ${this.entityId}`);
    }
    const handler = this.#config.commands[name];
    if (handler === undefined) {
      this.logger.warn(`unknown command ${name} on ${where}`);
      return commandFailure(id, `Unknown command ${name} on ${this.entity.serviceName}`);
    }
    let request: Message;
    try {
      request = unpackMessage(handler.method.requestType, command.payload);
    } catch (error) {
      this.logger.warn(`command ${name} on ${where} has a bad payload`, error);
      return commandFailure(id, `Bad request for ${name}: ${(error as Error).message}`);
    }
    const context = new EventSourcedContextImpl(
      this.#config,
      this.#state,
      this.#sequence,
      this.entityId,
      id,
      name,
      metadataEntries(command.metadata),
    );
    try {
      const result = await handler.handle(request, context);
      context.deactivate();
      const clientAction = isForward(result)
        ? { action: { $case: "forward" as const, value: result.message } }
        : { action: { $case: "reply" as const, value: { payload: packMessage(handler.method.responseType, result) } } };
      const snapshot = this.#snapshotAfter(context.sequence, context.state);
      this.#state = context.state;
      this.#sequence = context.sequence;
      return {
        message: {
          $case: "reply",
          value: { commandId: id, clientAction, sideEffects: context.sideEffects, events: context.events, snapshot },
        },
      };
    } catch (error) {
      context.deactivate();
      if (error instanceof CommandFailure) return commandFailure(id, error.message);
      this.logger.error(`command ${name} on ${where} threw; its events are discarded`, error);
      return commandFailure(id, unexpectedFailureMessage(name));
    }
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
