import type { ValueEntityStreamIn, ValueEntityStreamOut } from "../../gen/cloudstate/value_entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { NO_COMMAND } from "../command-effects.js";
import { failureReply } from "../command-runner.js";
import { NEVER_DRAINS, untilDrained, type Drain } from "../drain.js";
import { ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ValueEntity } from "./entity.js";
import { ValueEntityInstance } from "./instance.js";

type StreamOut = DeepPartial<ValueEntityStreamOut>;

/**
 * Drives one `ValueEntity.handle` stream: init with the stored state, then commands answered in order. Bad
 * input for one command is answered with a failure for that command; bad input for the stream (no init, a
 * second init, a stored state that does not decode) ends it with a failure the proxy logs.
 * @internal
 */
export async function* handleValueEntityStream(
  requests: AsyncIterable<ValueEntityStreamIn>,
  entities: ReadonlyMap<string, ValueEntity>,
  logger: Logger,
  drain: Drain = NEVER_DRAINS,
): AsyncGenerator<StreamOut, void, undefined> {
  let instance: ValueEntityInstance | undefined;
  const fail = (description: string, detail?: unknown): StreamOut => {
    const where =
      instance === undefined ? "an uninitialised stream" : `${instance.entity.serviceName}/${instance.entityId}`;
    logger.error(`value entity stream of ${where} failed: ${description}`, detail);
    return { message: { $case: "failure", value: { commandId: NO_COMMAND, description } } };
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
          yield fail(`Protocol error: no value entity serves ${message.value.serviceName}`);
          return;
        }
        try {
          instance = new ValueEntityInstance(entity, message.value, logger);
        } catch (error) {
          const reason = error instanceof ProtocolError ? error.message : "the entity's initialState threw";
          yield fail(`Failed to initialise ${entity.serviceName}/${message.value.entityId}: ${reason}`, error);
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
