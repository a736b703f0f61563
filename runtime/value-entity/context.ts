import type { CommandContext } from "../context.js";
import type { DeepReadonly } from "../deep-readonly.js";
import type { MessageInit } from "../message-type.js";

/** What a command handler of a value entity can see and do. */
export interface ValueEntityCommandContext<State> extends CommandContext {
  /**
   * The entity's state, including an update or delete this command has made so far (after a delete, the
   * initial state). Read-only at every depth: change it with `updateState` (which accepts values built from
   * it, e.g. `{ ...state, count: state.count + 1 }`) or `deleteState`.
   */
  readonly state: DeepReadonly<State>;

  /** Replaces the stored state once the command succeeds. The last update or delete of a command wins. */
  updateState(state: MessageInit<State>): void;

  /** Deletes the stored state once the command succeeds; the entity starts again from its initial state. */
  deleteState(): void;
}
