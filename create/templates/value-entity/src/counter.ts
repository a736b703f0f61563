// The counter's logic: each command reads the stored state and may replace it (updateState) or delete it.
import { Value } from "../gen/counter/counter.js";
import { counterEntity, type CounterHandlers } from "../gen/counter/counter_cloudstate.js";

export const counterHandlers: CounterHandlers = {
  initialState: () => Value.create(),

  increase(command, context) {
    if (command.by.lessThanOrEqual(0)) {
      context.fail(`Cannot increase by ${command.by.toString()}: it must be positive`);
    }
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
