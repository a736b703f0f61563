import type { EventSourcedStreamIn, EventSourcedStreamOut } from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { NO_COMMAND } from "../command-effects.js";
import { NEVER_DRAINS, untilDrained, type Drain } from "../drain.js";
import { ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { EventSourcedEntity } from "./entity.js";
import { failureReply } from "../command-runner.js";
import { EventSourcedInstance } from "./instance.js";

type StreamOut = DeepPartial<EventSourcedStreamOut>;

function streamFailure(description: string): StreamOut {
  return { message: { $case: "failure", value: { commandId: NO_COMMAND, description } } };
}

/**
 * Drives one `EventSourced.handle` stream: init, replay, then commands answered in order. Bad input for one
 * command is answered with a failure for that command; bad input for the stream as a whole (no init, a second
 * init, a replay that cannot be applied) ends the stream with a failure the proxy logs. Nothing thrown here
 * reaches other streams. When `drain` starts (shutdown), the command in hand is answered and the stream ends.
 * @internal
 */
export async function* handleEventSourcedStream(
  requests: AsyncIterable<EventSourcedStreamIn>,
  entities: ReadonlyMap<string, EventSourcedEntity>,
  logger: Logger,
  drain: Drain = NEVER_DRAINS,
): AsyncGenerator<StreamOut, void, undefined> {
  let instance: EventSourcedInstance | undefined;
  const fail = (description: string, detail?: unknown): StreamOut => {
    const where =
      instance === undefined ? "an uninitialised stream" : `${instance.entity.serviceName}/${instance.entityId}`;
    logger.error(`event-sourced stream of ${where} failed: ${description}`, detail);
    return streamFailure(description);
  };
  for await (const request of untilDrained(requests, drain)) {
    const message = request.message;
    switch (message?.$case) {
      case undefined:
        yield fail("Protocol error: a stream message carried nothing");
        return;
      case "init": {
        if (instance !== undefined) {
          yield fail(`Protocol error: a second init arrived for ${message.value.entityId}`);
          return;
        }
        const entity = entities.get(message.value.serviceName);
        if (entity === undefined) {
          yield fail(`Protocol error: no event-sourced entity serves ${message.value.serviceName}`);
          return;
        }
        try {
          instance = new EventSourcedInstance(entity, message.value, logger);
        } catch (error) {
          yield fail(`Failed to initialise ${entity.serviceName}/${message.value.entityId}: ${describe(error)}`, error);
          return;
        }
        break;
      }
      case "event": {
        if (instance === undefined) {
          yield fail("Protocol error: an event arrived before init");
          return;
        }
        try {
          instance.replay(message.value);
        } catch (error) {
          yield fail(`Failed to replay event ${message.value.sequence.toString()}: ${describe(error)}`, error);
          return;
        }
        break;
      }
      case "command": {
        if (instance === undefined) {
          logger.error(`command ${message.value.name} arrived before init; ending the stream`);
          yield failureReply(message.value.id, "Protocol error: a command arrived before init");
          return;
        }
        yield await instance.handle(message.value);
        break;
      }
    }
  }
}

function describe(error: unknown): string {
  // Protocol errors and decoding errors name types and numbers only; anything else stays in the logs.
  return error instanceof ProtocolError ? error.message : "the entity's event or snapshot handler threw";
}
