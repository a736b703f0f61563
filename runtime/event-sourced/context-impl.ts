import type Long from "long";
import type { Any } from "../any.js";
import { CommandEffects } from "../command-effects.js";
import type { ReadonlyMetadata } from "../metadata.js";
import type { EventInit, Message } from "../message-type.js";
import type { EventSourcedCommandContext } from "./context.js";
import type { EventSourcedEntity, EventSourcedEntityConfig } from "./entity.js";

/**
 * The context of one command. Emitted events are applied to a private copy of the state, made on the first
 * emit, so that a failing command leaves the entity's state exactly as it was.
 * @internal
 */
export class EventSourcedContextImpl extends CommandEffects implements EventSourcedCommandContext<Message, Message> {
  readonly events: Any[] = [];
  #state: Message;
  #sequence: number;
  #copied = false;

  private readonly config: EventSourcedEntityConfig<Message, Message>;

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

  emit(event: EventInit<Message>): void {
    this.ensureActive("emit");
    const handler = this.config.events[event.$type];
    if (handler === undefined) {
      throw new Error(`${String(event.$type)} is not an event type of ${this.config.service.fullName}`);
    }
    // Encode before applying, so the persisted event is exactly what was emitted.
    const packed = this.entity.eventCodec.pack(handler, event);
    if (!this.#copied) {
      this.#state = this.config.state.fromPartial(this.#state as never);
      this.#copied = true;
    }
    // A well-formed copy: the handler sees every nested $type, and later changes to `event` do not leak in.
    this.#state = handler.apply(this.#state, handler.type.fromPartial(event as never));
    this.events.push(packed);
    this.#sequence += 1;
  }
}
