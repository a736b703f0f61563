/**
 * The `Crdt.handle` stream: init, then commands, deltas, deletes and stream cancellations in any order. Unlike the
 * other entity kinds, one message in can call for several out (a reply and the streamed messages its change
 * causes), so CRDTs have a loop of their own.
 */
import type { CrdtInit, CrdtStreamIn } from "../../gen/cloudstate/crdt.js";
import { NEVER_DRAINS, untilDrained, type Drain } from "../drain.js";
import { describeInitError, streamFailureMessage } from "../entity-stream.js";
import { failureReply } from "../command-runner.js";
import { ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { CrdtEntity } from "./entity.js";
import { CrdtInstance, type StreamOut } from "./instance.js";

const initError = describeInitError("the entity's initialState threw");

/**
 * Drives one CRDT entity stream. A handler's error fails its command only; bad input for the stream as a whole
 * (a second init, a delta before init or of another CRDT type) ends it with a failure the proxy logs.
 * `onInstance` is told of the live entity once it is created (the testkit reads its state).
 * @internal
 */
export async function* handleCrdtStream(
  requests: AsyncIterable<CrdtStreamIn>,
  entities: ReadonlyMap<string, CrdtEntity>,
  logger: Logger,
  drain: Drain = NEVER_DRAINS,
  onInstance?: (instance: CrdtInstance) => void,
): AsyncGenerator<StreamOut, void, undefined> {
  let instance: CrdtInstance | undefined;
  const fail = (description: string, detail?: unknown): StreamOut => {
    const where =
      instance === undefined ? "an uninitialised stream" : `${instance.entity.serviceName}/${instance.entityId}`;
    logger.error(`CRDT entity stream of ${where} failed: ${description}`, detail);
    return streamFailureMessage(description);
  };
  for await (const { message } of untilDrained(requests, drain)) {
    switch (message?.$case) {
      case undefined:
        yield fail("Protocol error: a stream message carried nothing");
        return;
      case "init": {
        const created = create(message.value, instance, entities, logger);
        if (!(created instanceof CrdtInstance)) {
          yield fail(created.description, created.error);
          return;
        }
        instance = created;
        onInstance?.(created);
        break;
      }
      case "command":
        if (instance === undefined) {
          logger.error(`command ${message.value.name} arrived before init; ending the stream`);
          yield failureReply(message.value.id, "Protocol error: a command arrived before init");
          return;
        }
        yield* await instance.handle(message.value);
        break;
      case "delta": {
        if (instance === undefined) {
          yield fail("Protocol error: a delta arrived before init");
          return;
        }
        let out: StreamOut[];
        try {
          out = instance.applyDelta(message.value);
        } catch (error) {
          const reason = error instanceof ProtocolError ? error.message : "applying it threw";
          yield fail(`Protocol error: bad delta: ${reason}`, error);
          return;
        }
        yield* out;
        break;
      }
      case "delete":
        if (instance === undefined) {
          yield fail("Protocol error: a delete arrived before init");
          return;
        }
        instance.deleted();
        break;
      case "streamCancelled":
        if (instance === undefined) {
          yield fail("Protocol error: a stream cancellation arrived before init");
          return;
        }
        yield* instance.cancelled(message.value);
        break;
    }
  }
}

function create(
  init: CrdtInit,
  existing: CrdtInstance | undefined,
  entities: ReadonlyMap<string, CrdtEntity>,
  logger: Logger,
): CrdtInstance | { readonly description: string; readonly error?: unknown } {
  if (existing !== undefined) return { description: `Protocol error: a second init arrived for ${init.entityId}` };
  const entity = entities.get(init.serviceName);
  if (entity === undefined) return { description: `Protocol error: no CRDT entity serves ${init.serviceName}` };
  try {
    return new CrdtInstance(entity, init, logger);
  } catch (error) {
    return { description: `Failed to initialise ${init.serviceName}/${init.entityId}: ${initError(error)}`, error };
  }
}
