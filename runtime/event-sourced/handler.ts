import type {
  EventSourcedInit,
  EventSourcedStreamIn,
  EventSourcedStreamOut,
} from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { NEVER_DRAINS, type Drain } from "../drain.js";
import { runEntityStream } from "../entity-stream.js";
import { ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
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
export function handleEventSourcedStream(
  requests: AsyncIterable<EventSourcedStreamIn>,
  entities: ReadonlyMap<string, EventSourcedEntity>,
  logger: Logger,
  drain: Drain = NEVER_DRAINS,
  onInstance?: (instance: EventSourcedInstance) => void,
): AsyncGenerator<StreamOut, void, undefined> {
  return runEntityStream(
    requests,
    {
      label: "event-sourced entity",
      entities,
      initFailure: "the entity's event or snapshot handler threw",
      create: (entity: EventSourcedEntity, init: EventSourcedInit) => new EventSourcedInstance(entity, init, logger),
      command: async (instance, command) => [await instance.handle(command)],
      route(message, instance) {
        if (message.$case !== "event") return message;
        if (instance === undefined) return { problem: "Protocol error: an event arrived before init" };
        try {
          instance.replay(message.value);
          return { out: [] };
        } catch (error) {
          const reason =
            error instanceof ProtocolError ? error.message : "the entity's event or snapshot handler threw";
          return { problem: `Failed to replay event ${message.value.sequence.toString()}: ${reason}`, detail: error };
        }
      },
    },
    logger,
    drain,
    onInstance,
  );
}
