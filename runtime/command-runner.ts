import type Long from "long";
import type { ClientAction, Command } from "../gen/cloudstate/entity.js";
import type { DeepPartial } from "../gen/typeRegistry.js";
import { packMessage, unpackMessage } from "./any.js";
import { isForward, type CommandEffects } from "./command-effects.js";
import type { CommandResult } from "./context.js";
import { CommandFailure, unexpectedFailureMessage } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Message } from "./message-type.js";
import type { MethodDefinition } from "./service.js";

/** A command handler together with its rpc, whatever the entity kind. @internal */
export interface CommandHandlerEntry<Context> {
  readonly method: MethodDefinition;
  handle(command: Message, context: Context): CommandResult<Message>;
}

/** What running one command came to. @internal */
export type CommandOutcome<Context> =
  | { readonly ok: true; readonly clientAction: DeepPartial<ClientAction>; readonly context: Context }
  | { readonly ok: false; readonly description: string };

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
  const context = makeContext();
  try {
    const result = await handler.handle(request, context);
    context.deactivate();
    const clientAction = isForward(result)
      ? { action: { $case: "forward" as const, value: result.message } }
      : { action: { $case: "reply" as const, value: { payload: packMessage(handler.method.responseType, result) } } };
    return { ok: true, clientAction, context };
  } catch (error) {
    context.deactivate();
    if (error instanceof CommandFailure) return { ok: false, description: error.message };
    logger.error(`command ${name} on ${entity} threw; nothing it did is kept`, error);
    return { ok: false, description: unexpectedFailureMessage(name) };
  }
}
