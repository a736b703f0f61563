/**
 * The stream loop every stateful entity kind shares: one init naming a served entity, then commands answered in
 * order, with kind-specific messages (an event-sourced entity's replayed events, a CRDT's deltas) handed to the
 * kind. A kind answers one message with any number of messages out (a CRDT's reply and the streamed messages its
 * change causes).
 */
import type { Command } from "../gen/cloudstate/entity.js";
import { NO_COMMAND } from "./command-effects.js";
import { failureReply } from "./command-runner.js";
import { untilDrained, type Drain } from "./drain.js";
import { protocolErrorReason } from "./errors.js";
import type { Logger } from "./logger.js";
import { metadataFromWire } from "./metadata.js";
import { CommandWatch } from "./observation.js";
import type { CommandStart, EntityObserver, ObservedKind, Observer } from "./observer.js";

/** An init message: which service's entity, which id. @internal */
export interface InitMessage {
  readonly serviceName: string;
  readonly entityId: string;
}

/**
 * A live entity as the loop sees it: the entity it is of (by its service), its id, and who watches it (made by the
 * instance from the server's observer when it starts; undefined when no one does).
 * @internal
 */
export interface LiveEntity {
  readonly entity: { readonly serviceName: string };
  readonly entityId: string;
  readonly observer: EntityObserver | undefined;
  /** Called when a command arrives, before its observer is asked for (an event-sourced entity's recovery ends). */
  endRecovery?(): void;
  /** Called once the stream has ended, before the observer hears of it (a CRDT's subscriptions end with it). */
  ended?(): void;
}

/** The messages the loop itself handles. @internal */
export type LoopMessage<Init extends InitMessage> =
  { readonly $case: "init"; readonly value: Init } | { readonly $case: "command"; readonly value: Command };

/** What is wrong with a message that ends the stream, and the error behind it (for the logs). @internal */
export interface StreamProblem {
  readonly problem: string;
  readonly detail?: unknown;
}

/**
 * The problem that ends a stream when applying a message from the proxy threw: `what` failed, because of the bad
 * input a ProtocolError names, or else `otherwise` (the entity's own code threw).
 * @internal
 */
export function streamProblem(what: string, error: unknown, otherwise: string): StreamProblem {
  return { problem: `${what}: ${protocolErrorReason(error, otherwise)}`, detail: error };
}

/** A kind-specific message handled: the messages to send. @internal */
export interface Handled<Out> {
  readonly out: readonly Out[];
}

/**
 * What the loop needs to know of one entity kind: `M` is the union of its stream's messages, `Instance` its live
 * entity, `Out` the messages it sends.
 * @internal
 */
export interface EntityKind<M, Init extends InitMessage, Instance extends LiveEntity, Out> {
  /** For messages, e.g. "event-sourced entity". */
  readonly label: string;
  readonly entities: ReadonlyMap<string, Instance["entity"]>;
  /** Why creating failed when it threw something other than a ProtocolError, e.g. "the entity's initialState threw". */
  readonly initFailure: string;
  /** The kind as observers name it. */
  readonly observedKind: Exclude<ObservedKind, "action">;
  /**
   * Creates the live entity, which tells `observer` (if any) that it started.
   * @throws what the entity's own code throws, or a ProtocolError for an init that does not fit.
   */
  create(entity: Instance["entity"], init: Init, observer: Observer | undefined): Instance;
  /** Answers one command, reporting to `watch` (if any) what it came to; never throws. */
  command(instance: Instance, command: Command, watch: CommandWatch | undefined): Promise<readonly Out[]>;
  /**
   * Hands back an init or a command for the loop; handles any other message (on `instance`, or undefined before
   * init) and returns what to send, or what is wrong with it to end the stream.
   */
  route(message: M, instance: Instance | undefined): LoopMessage<Init> | Handled<Out> | StreamProblem;
}

/** A stream-level failure (command id 0): the proxy logs it and restarts the entity. @internal */
export type StreamFailure = ReturnType<typeof streamFailureMessage>;

/**
 * Drives one entity stream. Bad input for one command is answered with a failure for that command (by the kind);
 * bad input for the stream as a whole ends it with a failure the proxy logs. When `drain` starts (shutdown), the
 * command in hand is answered and the stream ends. Nothing thrown here reaches other streams. `onInstance` is told
 * of the live entity once it is created (the testkit reads its state).
 * @internal
 */
export async function* runEntityStream<M, Init extends InitMessage, Instance extends LiveEntity, Out>(
  requests: AsyncIterable<{ readonly message?: M | undefined }>,
  kind: EntityKind<M, Init, Instance, Out>,
  logger: Logger,
  drain: Drain,
  onInstance?: (instance: Instance) => void,
  observer?: Observer,
): AsyncGenerator<Out | StreamFailure | ReturnType<typeof failureReply>, void, undefined> {
  let instance: Instance | undefined;
  let failure: string | undefined;
  const fail = (description: string, detail?: unknown): StreamFailure => {
    const where =
      instance === undefined ? "an uninitialised stream" : `${instance.entity.serviceName}/${instance.entityId}`;
    logger.error(`${kind.label} stream of ${where} failed: ${description}`, detail);
    failure = description;
    return streamFailureMessage(description);
  };
  try {
    yield* loop();
  } finally {
    instance?.ended?.();
    instance?.observer?.closed?.(failure === undefined ? {} : { failure });
  }

  async function* loop(): AsyncGenerator<Out | StreamFailure | ReturnType<typeof failureReply>, void, undefined> {
    for await (const request of untilDrained(requests, drain)) {
      if (request.message === undefined) {
        yield fail("Protocol error: a stream message carried nothing");
        return;
      }
      const message = kind.route(request.message, instance);
      if ("problem" in message) {
        yield fail(message.problem, message.detail);
        return;
      }
      if ("out" in message) {
        yield* message.out;
      } else if (message.$case === "init") {
        const init = message.value;
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
          instance = kind.create(entity, init, observer);
        } catch (error) {
          const { problem, detail } = streamProblem(
            `Failed to initialise ${init.serviceName}/${init.entityId}`,
            error,
            kind.initFailure,
          );
          yield fail(problem, detail);
          return;
        }
        onInstance?.(instance);
      } else {
        const command = message.value;
        if (instance === undefined) {
          logger.error(`command ${command.name} arrived before init; ending the stream`);
          yield failureReply(command.id, "Protocol error: a command arrived before init");
          return;
        }
        instance.endRecovery?.();
        const watching = instance.observer?.commandBegun?.(commandStart(kind.observedKind, instance, command));
        const watch = watching === undefined ? undefined : new CommandWatch(watching);
        yield* await kind.command(instance, command, watch);
        // After the answer was taken by the transport: a command's observed duration is its whole work.
        watch?.finish();
      }
    }
  }
}

/** A command as observers see it. */
function commandStart(kind: Exclude<ObservedKind, "action">, instance: LiveEntity, command: Command): CommandStart {
  return {
    kind,
    serviceName: instance.entity.serviceName,
    commandName: command.name,
    commandId: command.id.toString(),
    entityId: instance.entityId,
    metadata: metadataFromWire(command.metadata),
    payload: command.payload,
    streamed: command.streamed,
  };
}

/** A stream-level failure (command id 0): the proxy logs it and restarts the entity. @internal */
export function streamFailureMessage(description: string) {
  return { message: { $case: "failure" as const, value: { commandId: NO_COMMAND, description } } };
}
