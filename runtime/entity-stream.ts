/**
 * The stream loop every stateful entity kind shares: one init naming a served entity, then commands answered in
 * order, with kind-specific messages (an event-sourced entity's replayed events) handed to the kind.
 */
import type { Command } from "../gen/cloudstate/entity.js";
import { NO_COMMAND } from "./command-effects.js";
import { failureReply } from "./command-runner.js";
import { untilDrained, type Drain } from "./drain.js";
import { ProtocolError } from "./errors.js";
import type { Logger } from "./logger.js";

/** A live entity as the loop drives it. @internal */
export interface LiveEntity<Out> {
  readonly entity: { readonly serviceName: string };
  readonly entityId: string;
  handle(command: Command): Promise<Out>;
}

/** An init message: which service's entity, which id. @internal */
export interface InitMessage {
  readonly serviceName: string;
  readonly entityId: string;
}

/** A message of a stream, as ts-proto decodes its `message` oneof. @internal */
export type StreamMessage<Init extends InitMessage, Other> =
  | { readonly $case: "init"; readonly value: Init }
  | { readonly $case: "command"; readonly value: Command }
  | Other
  | undefined;

/** What the loop needs to know of one entity kind. @internal */
export interface EntityKindLoop<Entity, Init extends InitMessage, Other, Instance extends LiveEntity<Out>, Out> {
  /** For messages, e.g. "event-sourced entity". */
  readonly label: string;
  readonly entities: ReadonlyMap<string, Entity>;
  create(entity: Entity, init: Init): Instance;
  /**
   * Handles a kind-specific message; returns what is wrong with it (and the error behind it, for the logs) to end
   * the stream, or undefined to go on.
   */
  other(
    message: Other,
    instance: Instance | undefined,
  ): { readonly description: string; readonly detail?: unknown } | undefined;
  /** Why creating failed, safe to tell the proxy. */
  describeInitError(error: unknown): string;
  streamFailure(description: string): Out;
}

/**
 * Drives one entity stream. Bad input for one command is answered with a failure for that command (by the
 * instance); bad input for the stream as a whole ends it with a failure the proxy logs. When `drain` starts
 * (shutdown), the command in hand is answered and the stream ends. Nothing thrown here reaches other streams.
 * @internal
 */
export async function* runEntityStream<Entity, Init extends InitMessage, Other, Instance extends LiveEntity<Out>, Out>(
  requests: AsyncIterable<{ readonly message?: StreamMessage<Init, Other> }>,
  kind: EntityKindLoop<Entity, Init, Other, Instance, Out>,
  logger: Logger,
  drain: Drain,
): AsyncGenerator<Out | ReturnType<typeof failureReply>, void, undefined> {
  let instance: Instance | undefined;
  const fail = (description: string, detail?: unknown): Out => {
    const where =
      instance === undefined ? "an uninitialised stream" : `${instance.entity.serviceName}/${instance.entityId}`;
    logger.error(`${kind.label} stream of ${where} failed: ${description}`, detail);
    return kind.streamFailure(description);
  };
  for await (const request of untilDrained(requests, drain)) {
    const message = request.message;
    if (message === undefined) {
      yield fail("Protocol error: a stream message carried nothing");
      return;
    }
    if (isCase(message, "init")) {
      const init = message.value as Init;
      if (instance !== undefined) {
        yield fail(`Protocol error: a second init arrived for ${init.entityId}`);
        return;
      }
      const entity = kind.entities.get(init.serviceName);
      if (entity === undefined) {
        yield fail(`Protocol error: no ${kind.label} serves ${init.serviceName}`);
        return;
      }
      try {
        instance = kind.create(entity, init);
      } catch (error) {
        yield fail(
          `Failed to initialise ${init.serviceName}/${init.entityId}: ${kind.describeInitError(error)}`,
          error,
        );
        return;
      }
    } else if (isCase(message, "command")) {
      const command = message.value as Command;
      if (instance === undefined) {
        logger.error(`command ${command.name} arrived before init; ending the stream`);
        yield failureReply(command.id, "Protocol error: a command arrived before init");
        return;
      }
      yield await instance.handle(command);
    } else {
      const problem = kind.other(message, instance);
      if (problem !== undefined) {
        yield fail(problem.description, problem.detail);
        return;
      }
    }
  }
}

function isCase(message: unknown, name: string): message is { $case: string; value: unknown } {
  return typeof message === "object" && message !== null && (message as { $case?: unknown }).$case === name;
}

/** A stream-level failure (command id 0): the proxy logs it and restarts the entity. @internal */
export function streamFailureMessage(description: string) {
  return { message: { $case: "failure" as const, value: { commandId: NO_COMMAND, description } } };
}

/** What an init error may tell the proxy: protocol errors name types and numbers; anything else stays in the logs. */
export function describeInitError(fallback: string): (error: unknown) => string {
  return (error) => (error instanceof ProtocolError ? error.message : fallback);
}
