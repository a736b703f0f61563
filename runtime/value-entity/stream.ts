import type { ValueEntityInit, ValueEntityStreamIn, ValueEntityStreamOut } from "../../gen/cloudstate/value_entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { NEVER_DRAINS, type Drain } from "../drain.js";
import { runEntityStream } from "../entity-stream.js";
import type { Logger } from "../logger.js";
import type { Observer } from "../observer.js";
import type { ValueEntity } from "./entity.js";
import { ValueEntityInstance } from "./instance.js";

type StreamOut = DeepPartial<ValueEntityStreamOut>;

/**
 * Drives one `ValueEntity.handle` stream: init with the stored state, then commands answered in order, on the
 * shared entity stream loop (a stored state that does not decode ends the stream with a failure). `onInstance` is
 * told of the live entity once it is created (the testkit reads its state).
 * @internal
 */
export function runValueEntityStream(
  requests: AsyncIterable<ValueEntityStreamIn>,
  entities: ReadonlyMap<string, ValueEntity>,
  logger: Logger,
  drain: Drain = NEVER_DRAINS,
  onInstance?: (instance: ValueEntityInstance) => void,
  observer?: Observer,
): AsyncGenerator<StreamOut, void, undefined> {
  return runEntityStream(
    requests,
    {
      label: "value entity",
      entities,
      initFailure: "the entity's initialState threw",
      observedKind: "value",
      create: (entity: ValueEntity, init: ValueEntityInit, observer) =>
        new ValueEntityInstance(entity, init, logger, observer),
      command: async (instance, command, watch) => [await instance.answer(command, watch)],
      // Init and command are all a value entity stream carries; anything else is not from a 0.2 proxy.
      route: (message) =>
        message.$case === "init" || message.$case === "command"
          ? message
          : { problem: "Protocol error: a message value entities do not take" },
    },
    logger,
    drain,
    onInstance,
    observer,
  );
}
