/**
 * The eventing example's handlers: every rpc here is fed by a Pub/Sub topic through the proxy (see the proto),
 * and the Shouter's answers are published to another topic.
 */
import { unpackJson, type Any, type ReadonlyMetadata } from "cloudstate-ts";
import { GreetingCount, GreetingCounted, type Greeting } from "../gen/com/example/eventing/greetings.js";
import {
  greetingCounterEntity,
  greetingListenerAction,
  shouterAction,
  type GreetingCounterHandlers,
  type GreetingListenerHandlers,
  type ShouterHandlers,
} from "../gen/com/example/eventing/greetings_cloudstate.js";

/** What the listener heard: a Greeting, or any other payload described by its type URL (JSON parsed). */
export type Heard =
  | { readonly kind: "greeting"; readonly greeting: Greeting; readonly metadata: ReadonlyMetadata }
  | { readonly kind: "json"; readonly typeName: string; readonly value: unknown; readonly metadata: ReadonlyMetadata }
  | { readonly kind: "other"; readonly typeUrl: string; readonly metadata: ReadonlyMetadata };

function describeAny(payload: Any, metadata: ReadonlyMetadata): Heard {
  if (payload.typeUrl.startsWith("json.cloudstate.io/")) {
    const { typeName, value } = unpackJson(payload);
    return { kind: "json", typeName, value, metadata };
  }
  return { kind: "other", typeUrl: payload.typeUrl, metadata };
}

/** The listener's handlers, telling `onHeard` of each message of the "greetings" topic. */
export function greetingListenerHandlers(onHeard: (heard: Heard) => void): GreetingListenerHandlers {
  return {
    greeted(greeting, context) {
      onHeard({ kind: "greeting", greeting, metadata: context.metadata });
      return {};
    },
    received(payload, context) {
      onHeard(describeAny(payload, context.metadata));
      return {};
    },
  };
}

/** Shouts each greeting: the same name, the text upper-cased, and the id of the greeting's CloudEvent. */
export const shouterHandlers: ShouterHandlers = {
  shout: (greeting, context) => ({
    name: greeting.name,
    text: greeting.text.toUpperCase(),
    greetingId: context.metadata.cloudEvent.id ?? "",
  }),
};

/** Counts the greetings per name, keeping their texts in arrival order. */
export const greetingCounterHandlers: GreetingCounterHandlers = {
  initialState: (name) => GreetingCount.create({ name }),
  count(greeting, context) {
    context.emit(GreetingCounted.create({ text: greeting.text }));
    return {};
  },
  get: (_command, context) => ({ ...context.state, texts: [...context.state.texts] }),
  onGreetingCounted: (state, event) => ({ ...state, count: state.count + 1, texts: [...state.texts, event.text] }),
};

/** The listener, logging what it hears to standard output. */
export const greetingListener = greetingListenerAction(
  greetingListenerHandlers((heard) => {
    const what =
      heard.kind === "greeting"
        ? `greeting for ${heard.greeting.name}`
        : heard.kind === "json"
          ? `JSON ${heard.typeName}`
          : heard.typeUrl;
    console.log(`heard ${what} (CloudEvent ${heard.metadata.cloudEvent.id ?? "?"})`);
  }),
);
export const shouter = shouterAction(shouterHandlers);
export const greetingCounter = greetingCounterEntity(greetingCounterHandlers);
