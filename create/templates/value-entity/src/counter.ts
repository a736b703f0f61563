// The counter's logic: each command reads the stored state and may replace it (updateState) or delete it.
import type Long from "long";
import { Value } from "../gen/counter/counter.js";
import { counterEntity, type CounterHandlers } from "../gen/counter/counter_cloudstate.js";

/** Why a counter cannot be increased by `by`, or undefined when it can. */
export function increaseProblem(by: Long): string | undefined {
  return by.lessThanOrEqual(0) ? `Cannot increase by ${by.toString()}: it must be positive` : undefined;
}

export const counterHandlers: CounterHandlers = {
  initialState: () => Value.create(),

  increase(command, context) {
    const problem = increaseProblem(command.by);
    if (problem !== undefined) context.fail(problem);
    const next = Value.create({ value: context.state.value.add(command.by) });
    context.updateState(next);
    return next;
  },

  reset(_command, context) {
    context.deleteState();
    return {};
  },

  getValue: (_command, context) => context.state,
};

export const counter = counterEntity(counterHandlers);
