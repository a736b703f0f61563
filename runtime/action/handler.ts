import Long from "long";
import type {
  ActionCommand,
  ActionProtocolServiceImplementation,
  ActionResponse,
} from "../../gen/cloudstate/action.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { unpackMessage } from "../any.js";
import { CommandEffects, metadataEntries } from "../command-effects.js";
import { invokeHandler, toClientAction, type CommandOutcome } from "../command-runner.js";
import { CommandFailure, ProtocolError, unexpectedFailureMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Message, MessageInit } from "../message-type.js";
import type { Action, ActionHandler } from "./action.js";

type Response = DeepPartial<ActionResponse>;

function failure(description: string): Response {
  return { response: { $case: "failure", value: { commandId: Long.ZERO, description } } };
}

function fromOutcome(outcome: CommandOutcome<CommandEffects>): Response {
  if (!outcome.ok) return failure(outcome.description);
  const action = outcome.clientAction.action;
  const sideEffects = outcome.context.sideEffects;
  if (action?.$case === "forward") return { response: { $case: "forward", value: action.value ?? {} }, sideEffects };
  if (action?.$case === "reply") return { response: { $case: "reply", value: action.value ?? {} }, sideEffects };
  return failure("Internal error: the action produced no answer");
}

type HandlerOf<S extends ActionHandler["shape"]> = Extract<ActionHandler, { readonly shape: S }>;

/** Finds the handler a command names, checking its streaming shape. @throws ProtocolError */
function resolve<S extends ActionHandler["shape"]>(
  actions: ReadonlyMap<string, Action>,
  command: ActionCommand,
  shape: S,
): HandlerOf<S> {
  const action = actions.get(command.serviceName);
  if (action === undefined) throw new ProtocolError(`Unknown service: ${command.serviceName}`);
  const handler = action.config.handlers[command.name];
  if (handler === undefined) throw new ProtocolError(`Unknown command ${command.name} on ${command.serviceName}`);
  if (handler.shape !== shape) {
    throw new ProtocolError(`${command.serviceName}.${command.name} is ${handler.shape}, but was called ${shape}`);
  }
  return handler as HandlerOf<S>;
}

/** The payloads of the messages after the first, decoded as the rpc's request type. */
async function* payloads(rest: AsyncIterator<ActionCommand>, handler: ActionHandler): AsyncGenerator<Message> {
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield unpackMessage(handler.method.requestType, next.value.payload);
  }
}

/** Turns each message of a reply stream into a reply; a failure ends the stream with a failure answer. */
async function* replies(
  name: string,
  handler: ActionHandler,
  produce: () => AsyncIterable<MessageInit<Message>> | Iterable<MessageInit<Message>>,
  context: CommandEffects,
  logger: Logger,
): AsyncGenerator<Response> {
  try {
    for await (const message of produce()) {
      const clientAction = toClientAction(message, handler.method.responseType);
      const sideEffects = context.sideEffects.splice(0);
      yield { response: { $case: "reply", value: clientAction.action?.value ?? {} }, sideEffects } as Response;
    }
  } catch (error) {
    if (error instanceof CommandFailure) yield failure(error.message);
    else if (error instanceof ProtocolError) yield failure(`Bad request for ${name}: ${error.message}`);
    else {
      logger.error(`streamed command ${name} threw`, error);
      yield failure(unexpectedFailureMessage(name));
    }
  } finally {
    context.deactivate();
  }
}

function contextFor(command: ActionCommand): CommandEffects {
  return new CommandEffects("", Long.ZERO, command.name, metadataEntries(command.metadata));
}

async function firstOf(
  requests: AsyncIterable<ActionCommand>,
): Promise<{ first: ActionCommand | undefined; rest: AsyncIterator<ActionCommand> }> {
  const rest = requests[Symbol.asyncIterator]();
  const first = await rest.next();
  return { first: first.done === true ? undefined : first.value, rest };
}

const EMPTY_STREAM =
  "Protocol error: expected a first message naming the service and command, but the stream was empty";

/**
 * The `ActionProtocol` service: each call runs one handler in the shape its rpc has. Unknown services and
 * commands, wrong shapes, undecodable payloads and handler errors are answered with failures; nothing thrown
 * here escapes to the transport.
 * @internal
 */
export function actionProtocolService(
  actions: ReadonlyMap<string, Action>,
  logger: Logger,
): ActionProtocolServiceImplementation {
  const rejected = (error: unknown, command: ActionCommand | undefined): Response => {
    const description = error instanceof ProtocolError ? error.message : "Internal error";
    logger.warn(
      `action command ${command?.serviceName ?? "?"}.${command?.name ?? "?"} rejected: ${description}`,
      error,
    );
    return failure(description);
  };
  return {
    async handleUnary(command) {
      try {
        const handler = resolve(actions, command, "unary");
        const request = unpackMessage(handler.method.requestType, command.payload);
        return fromOutcome(
          await invokeHandler(
            command.name,
            command.serviceName,
            handler.method.responseType,
            contextFor(command),
            (c) => handler.handle(request, c),
            logger,
          ),
        );
      } catch (error) {
        return rejected(error, command);
      }
    },

    async handleStreamedIn(requests) {
      const { first, rest } = await firstOf(requests);
      if (first === undefined) return failure(EMPTY_STREAM);
      try {
        const handler = resolve(actions, first, "client-streaming");
        return fromOutcome(
          await invokeHandler(
            first.name,
            first.serviceName,
            handler.method.responseType,
            contextFor(first),
            (c) => handler.handle(payloads(rest, handler), c),
            logger,
          ),
        );
      } catch (error) {
        return rejected(error, first);
      }
    },

    async *handleStreamedOut(command) {
      let handler: HandlerOf<"server-streaming">;
      let request: Message;
      try {
        handler = resolve(actions, command, "server-streaming");
        request = unpackMessage(handler.method.requestType, command.payload);
      } catch (error) {
        yield rejected(error, command);
        return;
      }
      const context = contextFor(command);
      yield* replies(command.name, handler, () => handler.handle(request, context), context, logger);
    },

    async *handleStreamed(requests) {
      const { first, rest } = await firstOf(requests);
      if (first === undefined) {
        yield failure(EMPTY_STREAM);
        return;
      }
      let handler: HandlerOf<"bidi-streaming">;
      try {
        handler = resolve(actions, first, "bidi-streaming");
      } catch (error) {
        yield rejected(error, first);
        return;
      }
      const context = contextFor(first);
      yield* replies(first.name, handler, () => handler.handle(payloads(rest, handler), context), context, logger);
    },
  };
}
