import type { CommandContext } from "../context.js";
import type { DeepReadonly } from "../deep-readonly.js";
import type { EventInit, Message } from "../message-type.js";

/** What a command handler of an event-sourced entity can see and do. */
export interface EventSourcedCommandContext<State, Event extends Message> extends CommandContext {
  /**
   * The entity's current state, including the events this command has emitted so far. Read-only at every
   * depth: change state by emitting events.
   */
  readonly state: DeepReadonly<State>;

  /**
   * The sequence number of the entity's last event, including those this command has emitted so far
   * (0 for an entity with no events).
   */
  readonly sequence: number;

  /**
   * Emits an event: it is applied to the state at once (so `state` shows it straight away) and persisted with
   * the reply. If the command then fails, the event and its effect on the state are discarded. The event
   * handler receives a copy, so changing `event` afterwards changes nothing. If the event handler throws, the
   * exception propagates and the command fails whatever its handler does next: nothing it did is persisted.
   */
  emit(event: EventInit<Event>): void;
}
