/**
 * The TCK's event-sourced models (cloudstate/tck/model/eventsourced.proto): the state is a string, each Persisted
 * event appends its value, and Process runs the request's actions in order.
 */
import { methodOf, type Forward } from "cloudstate-ts";
import { EventSourcedTwoDefinition, Persisted } from "../gen/cloudstate/tck/model/eventsourced.js";
import {
  eventSourcedConfiguredEntity,
  eventSourcedTckModelEntity,
  eventSourcedTwoEntity,
} from "../gen/cloudstate/tck/model/eventsourced_cloudstate.js";

const serviceTwoCall = methodOf(EventSourcedTwoDefinition, "call");

/** The entity the TCK checks message by message. */
export const eventSourcedTckModel = eventSourcedTckModelEntity({
  initialState: () => Persisted.create(),

  process(request, context) {
    let forward: Forward | undefined;
    for (const { action } of request.actions) {
      switch (action?.$case) {
        case "emit":
          context.emit(Persisted.create({ value: action.value.value }));
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

  onPersisted: (state, event) => Persisted.create({ value: state.value + event.value }),
});

/** Only the target of forwards and side effects. */
export const eventSourcedTwo = eventSourcedTwoEntity({
  initialState: () => Persisted.create(),
  call: () => ({ message: "" }),
  onPersisted: (state) => state,
});

/** Checks the persistence id and the 100 ms passivation timeout, both set in the proto. */
export const eventSourcedConfigured = eventSourcedConfiguredEntity({
  initialState: () => Persisted.create(),
  call: () => ({ message: "" }),
  onPersisted: (state) => state,
});
