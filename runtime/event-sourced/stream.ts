import type {
  EventSourcedInit,
  EventSourcedStreamIn,
  EventSourcedStreamOut,
} from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { NEVER_DRAINS, type Drain } from "../drain.js";
import { runEntityStream, streamProblem } from "../entity-stream.js";
import type { Logger } from "../logger.js";
import type { Observer } from "../observer.js";
import type { EventSourcedEntity } from "./entity.js";
import { EventSourcedInstance } from "./instance.js";

type StreamOut = DeepPartial<EventSourcedStreamOut>;

/**
 * Drives one `EventSourced.handle` stream: init, replay, then commands answered in order. A replayed event that
 * cannot be applied (before init, after a command, out of order, of an unknown type, or whose handler throws)
 * ends the stream with a failure. The rest is the shared entity stream loop. `onInstance` is told of the live
 * entity once it is created (the testkit reads its state).
 * @internal
 */
export function runEventSourcedStream(
  requests: AsyncIterable<EventSourcedStreamIn>,
  entities: ReadonlyMap<string, EventSourcedEntity>,
  logger: Logger,
  drain: Drain = NEVER_DRAINS,
  onInstance?: (instance: EventSourcedInstance) => void,
  observer?: Observer,
): AsyncGenerator<StreamOut, void, undefined> {
  return runEntityStream(
    requests,
    {
      label: "event-sourced entity",
      entities,
      initFailure: "the entity's event or snapshot handler threw",
      observedKind: "event-sourced",
      create: (entity: EventSourcedEntity, init: EventSourcedInit, observer) =>
        new EventSourcedInstance(entity, init, logger, observer),
      command: async (instance, command, watch) => [await instance.answer(command, watch)],
      route(message, instance) {
        if (message.$case !== "event") return message;
        if (instance === undefined) return { problem: "Protocol error: an event arrived before init" };
        try {
          instance.replay(message.value);
          return { out: [] };
        } catch (error) {
          const what = `Failed to replay event ${message.value.sequence.toString()}`;
          return streamProblem(what, error, "the entity's event or snapshot handler threw");
        }
      },
    },
    logger,
    drain,
    onInstance,
    observer,
  );
}
