/**
 * The TCK's value-entity models (cloudstate/tck/model/valueentity.proto): the state is a string stored as a
 * Persisted message, and Process runs the request's actions in order.
 */
import { methodOf, type Forward } from "cloudstate-ts";
import { Persisted, ValueEntityTwoDefinition } from "../gen/cloudstate/tck/model/valueentity.js";
import {
  valueEntityConfiguredEntity,
  valueEntityTckModelEntity,
  valueEntityTwoEntity,
} from "../gen/cloudstate/tck/model/valueentity_cloudstate.js";

const serviceTwoCall = methodOf(ValueEntityTwoDefinition, "call");

/** The entity the TCK checks message by message. */
export const valueEntityTckModel = valueEntityTckModelEntity({
  initialState: () => Persisted.create(),

  process(request, context) {
    let forward: Forward | undefined;
    for (const { action } of request.actions) {
      switch (action?.$case) {
        case "update":
          context.updateState({ value: action.value.value });
          break;
        case "delete":
          context.deleteState();
          break;
        case "forward":
          forward = context.forward(serviceTwoCall, { id: action.value.id, actions: [] });
          break;
        case "effect":
          context.effect(
            serviceTwoCall,
            { id: action.value.id, actions: [] },
            { synchronous: action.value.synchronous },
          );
          break;
        case "fail":
          context.fail(action.value.message);
      }
    }
    return forward ?? { message: context.state.value };
  },
});

/** Only the target of forwards and side effects. */
export const valueEntityTwo = valueEntityTwoEntity({
  initialState: () => Persisted.create(),
  call: () => ({ message: "" }),
});

/** Checks the persistence id and the 100 ms passivation timeout, both set in the proto. */
export const valueEntityConfigured = valueEntityConfiguredEntity({
  initialState: () => Persisted.create(),
  call: () => ({ message: "" }),
});
