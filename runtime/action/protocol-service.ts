import Long from "long";
import type {
  ActionCommand,
  ActionProtocolServiceImplementation,
  ActionResponse,
} from "../../gen/cloudstate/action.js";
import type { ClientAction, SideEffect } from "../../gen/cloudstate/entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { unpackMessage, type Any } from "../any.js";
import { toClientAction } from "../command-runner.js";
import { protocolErrorReason, ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Message, MessageType } from "../message-type.js";
import { metadataFromWire } from "../metadata.js";
import { callUserCodeAsync, callUserStream, type Settled, type UserCodeScope } from "../user-code.js";
import { CommandWatch, completionOf } from "../observation.js";
import type { ActionShape, CommandCompletion, Observer } from "../observer.js";
import type { Action, ActionAnswer, ActionHandler } from "./action.js";
import { ActionContextImpl, FailureToken, NoReplyToken } from "./context-impl.js";

type Response = DeepPartial<ActionResponse>;

function failure(description: string, sideEffects: SideEffect[] = []): Response {
  return { response: { $case: "failure", value: { commandId: Long.ZERO, description } }, sideEffects };
}

/** One answer of a handler as the response to send, with the side effects made before it. */
function toResponse(answer: ActionAnswer<Message>, responseType: MessageType, sideEffects: SideEffect[]): Response {
  if (answer instanceof NoReplyToken) return { sideEffects };
  if (answer instanceof FailureToken) return failure(answer.description, sideEffects);
  const action = toClientAction(answer, responseType).action;
  if (action?.$case === "forward") return { response: { $case: "forward", value: action.value ?? {} }, sideEffects };
  if (action?.$case === "reply") return { response: { $case: "reply", value: action.value ?? {} }, sideEffects };
  return failure("Internal error: the action produced no answer");
}

/** How an action call is run through the user-code scaffold: what it throws unexpectedly is logged in full. */
function scopeOf(name: string, context: ActionContextImpl, logger: Logger): UserCodeScope {
  return {
    context,
    commandName: name,
    logUnexpected: (unexpected) => logger.error(`action call ${name} threw; its side effects are dropped`, unexpected),
  };
}

/** What a handler's error becomes: a failure the handler asked for keeps its side effects, any other does not. */
function fromFailure(settled: Extract<Settled<unknown>, { ok: false }>, context: ActionContextImpl): Response {
  const { kind, description } = settled.failure;
  return failure(description, kind === "requested" ? context.takeSideEffects() : []);
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
  if (!hasShape(handler, shape)) {
    throw new ProtocolError(`${command.serviceName}.${command.name} is ${handler.shape}, but was called ${shape}`);
  }
  return handler;
}

function hasShape<S extends ActionHandler["shape"]>(handler: ActionHandler, shape: S): handler is HandlerOf<S> {
  return handler.shape === shape;
}

const ANY_TYPE = "google.protobuf.Any";

/**
 * Decodes a request payload as the rpc's input type. An rpc that takes `google.protobuf.Any` (such as one fed
 * JSON events) gets the payload itself, whatever it holds. @throws ProtocolError
 */
function decodeRequest(type: MessageType, payload: Any | undefined): Message {
  if (type.$type !== ANY_TYPE) return unpackMessage(type, payload);
  if (payload === undefined) throw new ProtocolError(`expected a payload but the message carried none`);
  return type.fromPartial({ typeUrl: payload.typeUrl, value: payload.value } as never);
}

/** The requests after the first message, decoded, each with its own metadata remembered. */
async function* payloads(
  rest: AsyncIterator<ActionCommand>,
  handler: ActionHandler,
  context: ActionContextImpl,
): AsyncGenerator<Message> {
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    const request = decodeRequest(handler.method.requestType, next.value.payload);
    context.remember(request, metadataFromWire(next.value.metadata));
    yield request;
  }
}

/** Runs a handler that answers once. Never throws. */
async function answerOnce(
  name: string,
  handler: ActionHandler,
  context: ActionContextImpl,
  call: () => ActionAnswer<Message> | Promise<ActionAnswer<Message>>,
  logger: Logger,
  watch: CommandWatch | undefined,
): Promise<Response> {
  const invoke = () =>
    callUserCodeAsync(scopeOf(name, context, logger), async () =>
      toResponse(await call(), handler.method.responseType, context.takeSideEffects()),
    );
  const settled = await (watch === undefined ? invoke() : watch.around(invoke));
  const response = settled.ok ? settled.value : fromFailure(settled, context);
  if (watch !== undefined) {
    decorate(watch, response);
    watch.settle(responsesCompletion([response], unexpectedOf(settled)));
    watch.finish();
  }
  return response;
}

/**
 * Sends each answer of a stream with the side effects made before it. Side effects made after the last answer go
 * in a response of their own; an error ends the stream with a failure.
 */
async function* answerStream(
  name: string,
  handler: ActionHandler,
  context: ActionContextImpl,
  produce: () => AsyncIterable<ActionAnswer<Message>> | Iterable<ActionAnswer<Message>>,
  logger: Logger,
  watch: CommandWatch | undefined,
): AsyncGenerator<Response> {
  async function* responses(): AsyncGenerator<Response> {
    for await (const answer of produce()) {
      yield toResponse(answer, handler.method.responseType, context.takeSideEffects());
    }
    const late = context.takeSideEffects();
    if (late.length > 0) yield { sideEffects: late };
  }
  const around = watch === undefined ? undefined : <R>(step: () => R): R => watch.around(step);
  const sent: Response[] = [];
  let unexpected = false;
  try {
    for await (const settled of callUserStream(scopeOf(name, context, logger), responses, around)) {
      const response = settled.ok ? settled.value : fromFailure(settled, context);
      if (watch !== undefined) {
        unexpected ||= unexpectedOf(settled);
        decorate(watch, response);
        sent.push(response);
      }
      yield response;
    }
  } finally {
    if (watch !== undefined) {
      watch.settle(responsesCompletion(sent, unexpected));
      watch.finish();
    }
  }
}

function unexpectedOf(settled: Settled<unknown>): boolean {
  return !settled.ok && settled.failure.kind === "unexpected";
}

/** Adds the observer's outgoing metadata to a response's forward and side effects. */
function decorate(watch: CommandWatch, response: Response): void {
  const answer = response.response;
  watch.decorate(response.sideEffects ?? [], answer?.$case === "forward" ? { action: answer } : undefined);
}

/** What an action call came to, from the responses it sent (the last one deciding the outcome). */
function responsesCompletion(sent: readonly Response[], unexpected: boolean): CommandCompletion {
  const sideEffects = sent.flatMap((r) => r.sideEffects ?? []);
  const last = [...sent].reverse().find((r) => r.response !== undefined)?.response;
  const clientAction = last === undefined ? undefined : ({ action: last } as DeepPartial<ClientAction>);
  const answer = last?.$case === "failure" ? { failure: last.value?.description ?? "", unexpected } : { clientAction };
  return completionOf(answer, sideEffects, { answers: sent.length });
}

function contextFor(command: ActionCommand): ActionContextImpl {
  return new ActionContextImpl(command.name, metadataFromWire(command.metadata));
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
  observer?: Observer,
): ActionProtocolServiceImplementation {
  const rejected = (error: unknown, command: ActionCommand | undefined): Response => {
    const description = protocolErrorReason(error, "Internal error");
    logger.warn(
      `action command ${command?.serviceName ?? "?"}.${command?.name ?? "?"} rejected: ${description}`,
      error,
    );
    return failure(description);
  };
  const begin = (command: ActionCommand, shape: ActionShape): CommandWatch | undefined => {
    const watching = observer?.actionCallBegun?.({
      kind: "action",
      shape,
      serviceName: command.serviceName,
      commandName: command.name,
      commandId: "0",
      entityId: "",
      metadata: metadataFromWire(command.metadata),
      payload: command.payload,
      streamed: shape === "server-streaming" || shape === "bidi-streaming",
    });
    return watching === undefined ? undefined : new CommandWatch(watching);
  };
  /** A call refused before its handler ran, reported to its watch. */
  const refused = (error: unknown, command: ActionCommand, watch: CommandWatch | undefined): Response => {
    const response = rejected(error, command);
    if (watch !== undefined) {
      watch.settle(responsesCompletion([response], false));
      watch.finish();
    }
    return response;
  };
  return {
    async handleUnary(command) {
      const watch = begin(command, "unary");
      let handler: HandlerOf<"unary">;
      let request: Message;
      try {
        handler = resolve(actions, command, "unary");
        request = decodeRequest(handler.method.requestType, command.payload);
      } catch (error) {
        return refused(error, command, watch);
      }
      const context = contextFor(command);
      context.remember(request, context.metadata);
      return answerOnce(command.name, handler, context, () => handler.handle(request, context), logger, watch);
    },

    async handleStreamedIn(requests) {
      const { first, rest } = await firstOf(requests);
      if (first === undefined) return failure(EMPTY_STREAM);
      const watch = begin(first, "client-streaming");
      let handler: HandlerOf<"client-streaming">;
      try {
        handler = resolve(actions, first, "client-streaming");
      } catch (error) {
        return refused(error, first, watch);
      }
      const context = contextFor(first);
      return answerOnce(
        first.name,
        handler,
        context,
        () => handler.handle(payloads(rest, handler, context), context),
        logger,
        watch,
      );
    },

    async *handleStreamedOut(command) {
      const watch = begin(command, "server-streaming");
      let handler: HandlerOf<"server-streaming">;
      let request: Message;
      try {
        handler = resolve(actions, command, "server-streaming");
        request = decodeRequest(handler.method.requestType, command.payload);
      } catch (error) {
        yield refused(error, command, watch);
        return;
      }
      const context = contextFor(command);
      context.remember(request, context.metadata);
      yield* answerStream(command.name, handler, context, () => handler.handle(request, context), logger, watch);
    },

    async *handleStreamed(requests) {
      const { first, rest } = await firstOf(requests);
      if (first === undefined) {
        yield failure(EMPTY_STREAM);
        return;
      }
      const watch = begin(first, "bidi-streaming");
      let handler: HandlerOf<"bidi-streaming">;
      try {
        handler = resolve(actions, first, "bidi-streaming");
      } catch (error) {
        yield refused(error, first, watch);
        return;
      }
      const context = contextFor(first);
      yield* answerStream(
        first.name,
        handler,
        context,
        () => handler.handle(payloads(rest, handler, context), context),
        logger,
        watch,
      );
    },
  };
}
