import type Long from "long";
import type { ClientAction, Command } from "../gen/cloudstate/entity.js";
import type { DeepPartial } from "../gen/typeRegistry.js";
import { packMessage, unpackMessage } from "./any.js";
import { isForward, ReplyToken, type CommandEffects } from "./command-effects.js";
import type { CommandResult, Forward, Reply } from "./context.js";
import { CommandFailure, ProtocolError, unexpectedFailureMessage } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Message, MessageInit, MessageType } from "./message-type.js";
import type { MethodDefinition } from "./service.js";

/** A command handler together with its rpc, whatever the entity kind. @internal */
export interface CommandHandlerEntry<Context> {
  readonly method: MethodDefinition;
  handle(command: Message, context: Context): CommandResult<Message>;
}

/** What running one command came to. @internal */
export type CommandOutcome<Context> =
  | { readonly ok: true; readonly clientAction: DeepPartial<ClientAction>; readonly context: Context }
  | {
      readonly ok: false;
      readonly description: string;
      /** The handler's context when the handler failed the command itself (not for errors or bad input). */
      readonly failedContext?: Context;
    };

/** The answer to a failed command, in the shape every entity kind's reply shares. @internal */
export function failureReply(commandId: Long, description: string) {
  return {
    message: {
      $case: "reply" as const,
      value: { commandId, clientAction: { action: { $case: "failure" as const, value: { commandId, description } } } },
    },
  };
}

/**
 * Runs one command the same way for every entity kind: checks it is for this entity and has a handler, decodes
 * its payload, calls the handler with a fresh context, and turns the result into the client action. Failures
 * come back as a description safe for the client; unexpected errors are logged in full. Never throws.
 * @internal
 */
export async function runCommand<Context extends CommandEffects>(
  command: Command,
  where: { readonly serviceName: string; readonly entityId: string },
  handlers: { readonly [rpcName: string]: CommandHandlerEntry<Context> },
  makeContext: () => Context,
  logger: Logger,
): Promise<CommandOutcome<Context>> {
  const { id, name } = command;
  const entity = `${where.serviceName}/${where.entityId}`;
  if (command.entityId !== where.entityId) {
    logger.warn(`command ${name} (${id.toString()}) for entity ${command.entityId} arrived on ${entity}`);
    return { ok: false, description: `Command for entity ${command.entityId} sent to entity ${where.entityId}` };
  }
  const handler = handlers[name];
  if (handler === undefined) {
    logger.warn(`unknown command ${name} on ${entity}`);
    return { ok: false, description: `Unknown command ${name} on ${where.serviceName}` };
  }
  let request: Message;
  try {
    request = unpackMessage(handler.method.requestType, command.payload);
  } catch (error) {
    logger.warn(`command ${name} on ${entity} has a bad payload`, error);
    return { ok: false, description: `Bad request for ${name}: ${(error as Error).message}` };
  }
  return invokeHandler(
    name,
    entity,
    handler.method.responseType,
    makeContext(),
    (context) => handler.handle(request, context),
    logger,
  );
}

/**
 * Calls a handler with its context and turns what it returns into the client action; a `CommandFailure`
 * becomes its message, anything else thrown is logged in full and becomes a generic message. Never throws.
 * @internal
 */
export async function invokeHandler<Context extends CommandEffects>(
  name: string,
  where: string,
  responseType: MessageType,
  context: Context,
  call: (context: Context) => CommandResult<Message>,
  logger: Logger,
): Promise<CommandOutcome<Context>> {
  try {
    const result = await call(context);
    context.deactivate();
    return { ok: true, clientAction: toClientAction(result, responseType), context };
  } catch (error) {
    context.deactivate();
    if (error instanceof CommandFailure) return { ok: false, description: error.message, failedContext: context };
    // The runtime's own input errors (a streamed payload that does not decode) are the caller's, not a bug.
    if (error instanceof ProtocolError) return { ok: false, description: `Bad request for ${name}: ${error.message}` };
    logger.error(`command ${name} on ${where} threw; nothing it did is kept`, error);
    return { ok: false, description: unexpectedFailureMessage(name) };
  }
}

/** A handler's result as the client action: a forward, or a reply carrying the encoded message. @internal */
export function toClientAction(
  result: MessageInit<Message> | Reply<Message> | Forward,
  responseType: MessageType,
): DeepPartial<ClientAction> {
  if (isForward(result)) return { action: { $case: "forward" as const, value: result.message } };
  if (result instanceof ReplyToken) {
    const payload = packMessage(responseType, result.message);
    return { action: { $case: "reply" as const, value: { payload, metadata: result.metadata } } };
  }
  return {
    action: {
      $case: "reply" as const,
      value: { payload: packMessage(responseType, result as MessageInit<Message>) },
    },
  };
}
