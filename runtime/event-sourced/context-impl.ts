import type Long from "long";
import type { Any } from "../any.js";
import { CommandEffects } from "../command-effects.js";
import type { ReadonlyMetadata } from "../metadata.js";
import { wholeMessage, type EventInit, type Message } from "../message-type.js";
import type { EventSourcedCommandContext } from "./context.js";
import type { EventSourcedEntity, EventSourcedRuntimeConfig } from "./entity.js";

/**
 * The context of one command. Emitted events are applied to a private copy of the state, made on the first
 * emit, so that a failing command leaves the entity's state exactly as it was. An event handler that throws
 * may have changed the copy half-way (through a cast); the context then records the error and the command fails
 * even if its handler catches it, so the half-applied copy can never become the entity's state.
 * @internal
 */
export class EventSourcedContextImpl extends CommandEffects implements EventSourcedCommandContext<Message, Message> {
  readonly events: Any[] = [];
  /** The state after each emitted event, kept only when an observer watches the command (set it to [] then). */
  statesAfterEvents: Message[] | undefined;
  #state: Message;
  #sequence: number;
  #copied = false;
  #eventHandlerError: { readonly error: unknown } | undefined;

  private readonly config: EventSourcedRuntimeConfig;

  constructor(
    private readonly entity: EventSourcedEntity,
    state: Message,
    sequence: number,
    entityId: string,
    commandId: Long,
    commandName: string,
    metadata: ReadonlyMetadata,
  ) {
    super(entityId, commandId, commandName, metadata);
    this.config = entity.config;
    this.#state = state;
    this.#sequence = sequence;
  }

  get state(): Message {
    return this.#state;
  }

  get sequence(): number {
    return this.#sequence;
  }

  /** What an event handler threw during this command, if one did: the command must then fail. */
  get eventHandlerError(): { readonly error: unknown } | undefined {
    return this.#eventHandlerError;
  }

  emit(event: EventInit<Message>): void {
    this.ensureActive("emit");
    if (this.#eventHandlerError !== undefined) {
      throw new Error(`emit called on the context of command ${this.commandName} after an event handler threw`);
    }
    const handler = this.config.events[event.$type];
    if (handler === undefined) {
      throw new Error(`${String(event.$type)} is not an event type of ${this.config.service.fullName}`);
    }
    // Encode before applying, so the persisted event is exactly what was emitted.
    const packed = this.entity.eventCodec.pack(handler, event);
    if (!this.#copied) {
      this.#state = wholeMessage(this.config.state, this.#state);
      this.#copied = true;
    }
    // A well-formed copy: the handler sees every nested $type, and later changes to `event` do not leak in.
    try {
      this.#state = wholeMessage(this.config.state, handler.apply(this.#state, wholeMessage(handler.type, event)));
    } catch (error) {
      this.#eventHandlerError = { error };
      throw error;
    }
    this.events.push(packed);
    this.statesAfterEvents?.push(this.#state);
    this.#sequence += 1;
  }
}
