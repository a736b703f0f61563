/**
 * The soak's value entity. Each tally remembers the ids it counted, so the soak can check every acknowledged
 * command one by one after a crash, and tell a command applied twice from one applied once.
 */
import { talliesEntity, type TalliesHandlers } from "./gen/com/example/soak/tally_cloudstate.js";
import { Tally } from "./gen/com/example/soak/tally.js";

export const talliesHandlers: TalliesHandlers = {
  initialState: () => Tally.create(),

  record(command, context) {
    const { count, requestIds } = context.state;
    // Idempotent, as a client retrying after a lost reply would need; the soak never retries an id itself.
    if (requestIds.includes(command.requestId)) return {};
    context.updateState({ count: count.add(1), requestIds: [...requestIds, command.requestId] });
    return {};
  },

  bump(_command, context) {
    context.updateState({ count: context.state.count.add(1), requestIds: context.state.requestIds });
    return {};
  },

  get: (_command, context) => context.state,
};

/** The tallies entity, ready for `serve`. */
export const tallies = talliesEntity(talliesHandlers);
