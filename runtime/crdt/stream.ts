import type { CrdtInit, CrdtStreamIn } from "../../gen/cloudstate/crdt.js";
import { NEVER_DRAINS, type Drain } from "../drain.js";
import { runEntityStream, streamProblem, type Handled, type StreamProblem } from "../entity-stream.js";
import type { Logger } from "../logger.js";
import type { Observer } from "../observer.js";
import type { CrdtEntity } from "./entity.js";
import { CrdtInstance, type StreamOut } from "./instance.js";

type CrdtMessage = NonNullable<CrdtStreamIn["message"]>;

/**
 * Drives one `Crdt.handle` stream on the shared entity stream loop: init, then commands, deltas, deletes and
 * stream cancellations in any order; one message in may call for several out (a reply and the streamed messages
 * its change causes). A handler's error fails its command only; bad input for the stream as a whole (a second
 * init, a delta before init or of another CRDT type) ends it with a failure the proxy logs. `onInstance` is told
 * of the live entity once it is created (the testkit reads its state).
 * @internal
 */
export function runCrdtStream(
  requests: AsyncIterable<CrdtStreamIn>,
  entities: ReadonlyMap<string, CrdtEntity>,
  logger: Logger,
  drain: Drain = NEVER_DRAINS,
  onInstance?: (instance: CrdtInstance) => void,
  observer?: Observer,
): AsyncGenerator<StreamOut, void, undefined> {
  return runEntityStream(
    requests,
    {
      label: "CRDT entity",
      entities,
      initFailure: "the entity's initialState threw",
      observedKind: "crdt",
      create: (entity: CrdtEntity, init: CrdtInit, observer) => new CrdtInstance(entity, init, logger, observer),
      command: (instance, command, watch) => instance.answer(command, watch),
      route: (message, instance) =>
        message.$case === "init" || message.$case === "command" ? message : crdtMessage(message, instance),
    },
    logger,
    drain,
    onInstance,
    observer,
  );
}

/** A delta, delete or stream cancellation from the proxy. */
function crdtMessage(
  message: Exclude<CrdtMessage, { $case: "init" | "command" }>,
  instance: CrdtInstance | undefined,
): Handled<StreamOut> | StreamProblem {
  switch (message.$case) {
    case "delta": {
      if (instance === undefined) return { problem: "Protocol error: a delta arrived before init" };
      try {
        return { out: instance.applyDelta(message.value) };
      } catch (error) {
        return streamProblem("Protocol error: bad delta", error, "applying it threw");
      }
    }
    case "delete":
      if (instance === undefined) return { problem: "Protocol error: a delete arrived before init" };
      instance.deleted();
      return { out: [] };
    case "streamCancelled":
      if (instance === undefined) return { problem: "Protocol error: a stream cancellation arrived before init" };
      return { out: instance.cancelled(message.value) };
  }
}
