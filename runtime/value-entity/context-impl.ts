import type Long from "long";
import type { Any } from "../any.js";
import { packMessage } from "../any.js";
import { CommandEffects } from "../command-effects.js";
import type { ReadonlyMetadata } from "../metadata.js";
import { wholeMessage, type Message, type MessageInit } from "../message-type.js";
import type { ValueEntityCommandContext } from "./context.js";
import type { ValueEntityRuntimeConfig } from "./entity.js";

/** The state change a command asks for. @internal */
export type StateChange =
  { readonly kind: "none" } | { readonly kind: "update"; readonly value: Any } | { readonly kind: "delete" };

/**
 * The context of one value-entity command. Updates are encoded when made (so later changes to the object passed
 * in do not leak into what is stored) and kept as a decoded copy for `state`.
 * @internal
 */
export class ValueEntityContextImpl extends CommandEffects implements ValueEntityCommandContext<Message> {
  #state: Message;
  #change: StateChange = { kind: "none" };

  constructor(
    private readonly config: ValueEntityRuntimeConfig,
    state: Message,
    entityId: string,
    commandId: Long,
    commandName: string,
    metadata: ReadonlyMetadata,
  ) {
    super(entityId, commandId, commandName, metadata);
    this.#state = state;
  }

  get state(): Message {
    return this.#state;
  }

  get change(): StateChange {
    return this.#change;
  }

  updateState(state: MessageInit<Message>): void {
    this.ensureActive("updateState");
    this.#change = { kind: "update", value: packMessage(this.config.state, state) };
    this.#state = wholeMessage(this.config.state, state);
  }

  deleteState(): void {
    this.ensureActive("deleteState");
    this.#change = { kind: "delete" };
    this.#state = wholeMessage(this.config.state, this.config.initialState(this.entityId));
  }
}
