import type { CommandContext, Forward, Reply } from "../context.js";
import { configDescriptors, type EmbeddedFile, type EntityDescriptors } from "../descriptor-set.js";
import type { Message, MessageInit } from "../message-type.js";
import type { ReadonlyMetadata } from "../metadata.js";
import type { MethodDefinition, MethodNamed, RequestOf, ResponseOf, RpcNameOf, ServiceDefinition } from "../service.js";
import type { Typed } from "../typed-entity.js";
import { checkHandlers } from "../entity-checks.js";

/** The protocol service that drives actions, reported at discovery. */
export const ACTION_ENTITY_TYPE = "cloudstate.action.ActionProtocol";

declare const noReplyBrand: unique symbol;
declare const failureBrand: unique symbol;

/** An answer that sends the caller nothing (its side effects still go), as made by `context.noReply`. Opaque. */
export interface NoReply {
  /** Marks the type only, so that no other object passes for it; never read. */
  readonly [noReplyBrand]: true;
}

/**
 * A failure answer, as made by `context.failure`: in a stream of answers it fails that one answer and the stream
 * goes on (throwing, or `context.fail`, ends the stream). Side effects made before it still go. Opaque.
 */
export interface Failure {
  /** Marks the type only, so that no other object passes for it; never read. */
  readonly [failureBrand]: true;
}

/** One answer of an action: a reply (plain or made by `context.reply`), a forward, no reply, or a failure. */
export type ActionAnswer<R extends Message> = MessageInit<R> | Reply<R> | Forward | NoReply | Failure;

/** What a unary or streamed-in action handler returns: its one answer, now or later. */
export type ActionResult<R extends Message> = ActionAnswer<R> | Promise<ActionAnswer<R>>;

/** What a streamed-out action handler returns: its answers, each sent with the side effects made before it. */
export type ReplyStream<R extends Message> = AsyncIterable<ActionAnswer<R>> | Iterable<ActionAnswer<R>>;

/**
 * What an action handler can see and do: metadata, replying, failing, forwarding and side effects, but no entity.
 * Side effects go with the next answer; for a stream, those made after its last answer go on their own. A failed
 * call (`fail`, or a `failure` answer) keeps its side effects.
 */
export interface ActionContext extends Omit<CommandContext, "entityId" | "commandId"> {
  /** An answer that sends nothing back; return (or yield) it from the handler. */
  noReply(): NoReply;
  /** A failure answer with this description; return (or yield) it from the handler. */
  failure(description: string): Failure;
  /**
   * The metadata that came with one request of the call: for a streamed-in call, each message has its own; for
   * the others, it is `metadata`.
   * @throws Error for an object that is not a request of this call.
   */
  metadataOf(request: Message): ReadonlyMetadata;
}

/** The streaming shape of an rpc with these flags (for `boolean`, every shape). */
type ShapeOfFlags<RequestStream extends boolean, ResponseStream extends boolean> = RequestStream extends true
  ? ResponseStream extends true
    ? "bidi-streaming"
    : "client-streaming"
  : ResponseStream extends true
    ? "server-streaming"
    : "unary";

/** The handler of each streaming shape, for requests `Req` and responses `Res`. */
interface HandlerShapes<M extends MethodDefinition, Req extends Message, Res extends Message> {
  readonly unary: {
    readonly method: M;
    readonly shape: "unary";
    handle(request: Req, context: ActionContext): ActionResult<Res>;
  };
  readonly "client-streaming": {
    readonly method: M;
    readonly shape: "client-streaming";
    handle(requests: AsyncIterable<Req>, context: ActionContext): ActionResult<Res>;
  };
  readonly "server-streaming": {
    readonly method: M;
    readonly shape: "server-streaming";
    handle(request: Req, context: ActionContext): ReplyStream<Res>;
  };
  readonly "bidi-streaming": {
    readonly method: M;
    readonly shape: "bidi-streaming";
    handle(requests: AsyncIterable<Req>, context: ActionContext): ReplyStream<Res>;
  };
}

/**
 * An action handler together with its rpc, in the rpc's streaming shape and typed by it. For an rpc known only as
 * a {@link MethodDefinition}, one variant per streaming shape.
 */
export type ActionHandler<M extends MethodDefinition = MethodDefinition> = HandlerShapes<
  M,
  RequestOf<M>,
  ResponseOf<M>
>[ShapeOfFlags<M["requestStream"], M["responseStream"]>];

/** One handler per rpc of `S`, keyed by the rpc's proto name. */
export type ActionHandlers<S extends ServiceDefinition> = {
  readonly [N in RpcNameOf<S>]: ActionHandler<MethodNamed<S, N>>;
};

/** The streaming shape of an rpc. */
export type StreamingShape = ActionHandler["shape"];

/** The shape an rpc's definition has. */
export function shapeOf(method: MethodDefinition): StreamingShape {
  if (method.requestStream) return method.responseStream ? "bidi-streaming" : "client-streaming";
  return method.responseStream ? "server-streaming" : "unary";
}

/** Everything needed to serve one action service; written by generated code or by hand. */
export interface ActionConfig<S extends ServiceDefinition = ServiceDefinition> {
  /** The gRPC service the action implements. */
  readonly service: S;
  /** The service's proto file as generated code embeds it, with its imports; or give `descriptorSet`. */
  readonly descriptor?: EmbeddedFile;
  /** A serialized FileDescriptorSet of the service's file and all it imports, sent to the proxy at discovery. */
  readonly descriptorSet?: Uint8Array;
  /** One handler per rpc, keyed by the rpc's proto name. */
  readonly handlers: ActionHandlers<S>;
}

/**
 * A served action service, as `serve` takes it. Make one with `defineAction`. The type parameter records the
 * service it was made from, for the testkit.
 */
export interface Action<S extends ServiceDefinition = ServiceDefinition> extends Typed<{
  /** The generated service definition the action implements. */
  readonly service: S;
}> {
  /** Which kind this is; `serve` dispatches on it. */
  readonly kind: "action";
  /** The protocol service that drives actions, as reported to the proxy at discovery. */
  readonly entityType: typeof ACTION_ENTITY_TYPE;
  /** The full protobuf name of the service the action implements. */
  readonly serviceName: string;
  /** Actions keep no state; discovery reports an empty persistence id. */
  readonly persistenceId: "";
  /** Actions have no instances to passivate, so there is no timeout. */
  readonly passivationTimeoutMs: undefined;
  /** The serialized FileDescriptorSet sent to the proxy at discovery. */
  readonly descriptorSet: Uint8Array;
  /** @internal */
  readonly config: ActionConfig & EntityDescriptors;
}

/**
 * Checks an action service's handlers against its rpcs and turns them into something `serve` can run.
 * @throws Error naming the rpc without a handler, the handler without an rpc, or a handler of the wrong shape.
 */
export function defineAction<S extends ServiceDefinition = ServiceDefinition>(
  config: ActionConfig<S> & EntityDescriptors,
): Action<S> {
  const handlers: ActionConfig["handlers"] = config.handlers;
  checkHandlers(config.service, handlers, {
    noun: "handler",
    mismatch: (method, handler) =>
      handler.shape === shapeOf(method) ? undefined : `is ${shapeOf(method)}, but its handler is ${handler.shape}`,
  });
  const descriptorSet = configDescriptors(config.service.fullName, config);
  return {
    kind: "action",
    entityType: ACTION_ENTITY_TYPE,
    serviceName: config.service.fullName,
    persistenceId: "",
    passivationTimeoutMs: undefined,
    get descriptorSet() {
      return descriptorSet();
    },
    config,
  };
}
