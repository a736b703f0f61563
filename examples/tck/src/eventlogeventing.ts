/**
 * The TCK's event log eventing models (cloudstate/tck/model/eventlogeventing.proto): two event-sourced entities
 * whose journals feed an action. The action learns which entity an event came from through the CloudEvent
 * subject the proxy sends with it.
 */
import { CommandFailure, methodOf, unpackJson, type ActionAnswer, type ReadonlyMetadata } from "cloudstate-ts";
import {
  EventLogSubscriberModelDefinition,
  EventOne,
  EventTwo,
  JsonEvent,
  type ProcessStep,
  type Response,
} from "../gen/cloudstate/tck/model/eventlogeventing.js";
import {
  eventLogSubscriberModelAction,
  eventSourcedEntityOneEntity,
  eventSourcedEntityTwoEntity,
  type EventLogSubscriberModelContext,
} from "../gen/cloudstate/tck/model/eventlogeventing_cloudstate.js";
import { Empty } from "../gen/google/protobuf/empty.js";

const effectCall = methodOf(EventLogSubscriberModelDefinition, "effect");

/** The id of the entity whose event this is. */
function sourceEntity(metadata: ReadonlyMetadata): string {
  return metadata.cloudEvent.subject ?? "";
}

/** Replies with the step's message, or forwards it to Effect; either way with the source entity's id. */
function answerTo(
  step: ProcessStep | undefined,
  id: string,
  context: EventLogSubscriberModelContext,
): ActionAnswer<Response> {
  switch (step?.step?.$case) {
    case "reply":
      return { id, message: step.step.value.message };
    case "forward":
      return context.forward(effectCall, { id, message: step.step.value.message });
    default:
      throw new CommandFailure("The event's step is neither a reply nor a forward");
  }
}

/** The action fed by both entities' event logs. */
export const eventLogSubscriberModel = eventLogSubscriberModelAction({
  processEventOne: (event, context) => answerTo(event.step, sourceEntity(context.metadata), context),

  processEventTwo: (event, context) =>
    event.step.map((step) => answerTo(step, sourceEntity(context.metadata), context)),

  effect: (request) => ({ id: request.id, message: request.message }),

  processAnyEvent(event, context) {
    const { value } = unpackJson(event);
    const message = typeof value === "object" && value !== null && "message" in value ? value["message"] : undefined;
    if (typeof message !== "string") return context.fail("Expected a JSON object with a string message property");
    return { id: sourceEntity(context.metadata), message };
  },
});

/** Emits protobuf events: an EventOne or an EventTwo, as each request says. */
export const eventSourcedEntityOne = eventSourcedEntityOneEntity({
  initialState: () => Empty.create(),

  emitEvent(request, context) {
    const event = request.event;
    if (event?.$case === "eventOne") context.emit(EventOne.create(event.value));
    else if (event?.$case === "eventTwo") context.emit(EventTwo.create(event.value));
    else context.fail("The request carries no event");
    return {};
  },

  onEventOne: (state) => state,
  onEventTwo: (state) => state,
});

/** Emits JSON events: a JsonEvent holding only the message (the entity key stays out of the event). */
export const eventSourcedEntityTwo = eventSourcedEntityTwoEntity({
  initialState: () => Empty.create(),

  emitJsonEvent(request, context) {
    context.emit(JsonEvent.create({ message: request.message }));
    return {};
  },

  onJsonEvent: (state) => state,
});
