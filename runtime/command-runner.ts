import type Long from "long";
import type { ClientAction, Command } from "../gen/cloudstate/entity.js";
import type { DeepPartial } from "../gen/typeRegistry.js";
import { packMessage, unpackMessage } from "./any.js";
import { isForward, ReplyToken, type CommandEffects } from "./command-effects.js";
import type { Forward, Reply } from "./context.js";
import type { Logger } from "./logger.js";
import type { Message, MessageInit, MessageType } from "./message-type.js";
import type { CommandWatch } from "./observation.js";
import type { MethodDefinition } from "./service.js";
import { callUserCodeAsync } from "./user-code.js";

/** One answer a handler may give: a reply (plain or made by `context.reply`) or a forward. @internal */
export type HandlerAnswer = MessageInit<Message> | Reply<Message> | Forward;

/**
 * What any kind's command handler returns, now or later: an answer, or (a CRDT's streamed rpc only) nothing.
 * @internal
 */
export type HandlerResult = HandlerAnswer | undefined | Promise<HandlerAnswer | undefined>;

/** A command handler together with its rpc, whatever the entity kind. @internal */
export interface CommandHandlerEntry<Context> {
  readonly method: MethodDefinition;
  handle(command: Message, context: Context): HandlerResult;
}

/** What running one command came to. @internal */
export type CommandOutcome<Context> =
  | {
      readonly ok: true;
      /** Undefined only for a streamed rpc whose handler answered nothing yet. */
      readonly clientAction: DeepPartial<ClientAction> | undefined;
      readonly context: Context;
    }
  | {
      readonly ok: false;
      readonly description: string;
      /** True when the handler threw something other than a requested failure or bad input (a bug). */
      readonly unexpected?: boolean;
    };

/** Kind-specific refusals, checked in the order a command meets them; each returns why, or undefined. @internal */
export interface CommandChecks<Handler> {
  /** Before the handler is looked up, e.g. a deleted CRDT entity takes no more commands. */
  readonly before?: () => string | undefined;
  /** Once the handler is known, before the payload is decoded, e.g. a streamed command to a unary rpc. */
  readonly handler?: (handler: Handler) => string | undefined;
}

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
 * Runs one command the same way for every entity kind: checks it is for this entity and has a handler (and the
 * kind's own `checks`), decodes its payload, calls the handler with a fresh context, and turns the result into the
 * client action. Failures come back as a description safe for the client; unexpected errors are logged in full.
 * Never throws.
 * @internal
 */
export async function runCommand<Context extends CommandEffects, Handler extends CommandHandlerEntry<Context>>(
  command: Command,
  where: { readonly serviceName: string; readonly entityId: string },
  handlers: { readonly [rpcName: string]: Handler },
  makeContext: () => Context,
  logger: Logger,
  checks: CommandChecks<Handler> = {},
  watch?: CommandWatch,
): Promise<CommandOutcome<Context>> {
  const { id, name } = command;
  const entity = `${where.serviceName}/${where.entityId}`;
  if (command.entityId !== where.entityId) {
    logger.warn(`command ${name} (${id.toString()}) for entity ${command.entityId} arrived on ${entity}`);
    return { ok: false, description: `Command for entity ${command.entityId} sent to entity ${where.entityId}` };
  }
  const refused = checks.before?.();
  if (refused !== undefined) return { ok: false, description: refused };
  const handler = handlers[name];
  if (handler === undefined) {
    logger.warn(`unknown command ${name} on ${entity}`);
    return { ok: false, description: `Unknown command ${name} on ${where.serviceName}` };
  }
  const unfit = checks.handler?.(handler);
  if (unfit !== undefined) return { ok: false, description: unfit };
  let request: Message;
  try {
    request = unpackMessage(handler.method.requestType, command.payload);
  } catch (error) {
    logger.warn(`command ${name} on ${entity} has a bad payload`, error);
    return {
      ok: false,
      description: `Bad request for ${name}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const invoke = () =>
    invokeHandler(name, entity, handler.method, makeContext(), (context) => handler.handle(request, context), logger);
  if (watch === undefined) return invoke();
  // The whole run inside the observer's context: the handler's own spans and log lines, and ours, belong to it.
  const outcome = await watch.around(invoke);
  if (outcome.ok) watch.decorate(outcome.context.sideEffects, outcome.clientAction);
  return outcome;
}

/**
 * Calls a handler with its context (through the one user-code scaffold) and turns what it returns into the client
 * action; what it throws is classified there. Never throws.
 * @internal
 */
export async function invokeHandler<Context extends CommandEffects>(
  name: string,
  where: string,
  method: Pick<MethodDefinition, "responseType" | "responseStream">,
  context: Context,
  call: (context: Context) => HandlerResult,
  logger: Logger,
): Promise<CommandOutcome<Context>> {
  const settled = await callUserCodeAsync(
    {
      context,
      commandName: name,
      logUnexpected: (unexpected) =>
        logger.error(`command ${name} on ${where} threw; nothing it did is kept`, unexpected),
    },
    async () => {
      const result = await call(context);
      if (result === undefined && !method.responseStream) {
        throw new Error(`the handler of unary rpc ${name} returned no reply`);
      }
      return result === undefined ? undefined : toClientAction(result, method.responseType);
    },
  );
  if (!settled.ok) {
    return { ok: false, description: settled.failure.description, unexpected: settled.failure.kind === "unexpected" };
  }
  return { ok: true, clientAction: settled.value, context };
}

/** A handler's answer as the client action: a forward, or a reply carrying the encoded message. @internal */
export function toClientAction(result: HandlerAnswer, responseType: MessageType): DeepPartial<ClientAction> {
  if (isForward(result)) return { action: { $case: "forward" as const, value: result.message } };
  if (result instanceof ReplyToken) {
    const payload = packMessage(responseType, result.message);
    return { action: { $case: "reply" as const, value: { payload, metadata: result.metadata } } };
  }
  return { action: { $case: "reply" as const, value: { payload: packMessage(responseType, result) } } };
}
