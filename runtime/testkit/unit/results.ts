/**
 * What every kind's command result shares: the reply or failure the client gets, the forward, the side effects and
 * the reply's metadata, decoded from what the runtime sent.
 */
import type {
  ClientAction,
  Forward as ForwardMessage,
  SideEffect as SideEffectMessage,
} from "../../../gen/cloudstate/entity.js";
import { unpackMessage, type Any } from "../../any.js";
import type { Message, MessageType } from "../../message-type.js";
import { metadataFromWire, type ReadonlyMetadata } from "../../metadata.js";
import type { MethodRef } from "../../service.js";

/** A call handed on to another rpc, or asked for as a side effect. */
export interface HandedOn {
  /** The full name of the service called, e.g. `com.example.shoppingcart.ShoppingCart`. */
  readonly serviceName: string;
  /** The rpc called, as written in the proto, e.g. `AddItem`. */
  readonly commandName: string;
  /** The metadata passed with it. */
  readonly metadata: ReadonlyMetadata;
  /** The encoded request. */
  readonly payload: Any | undefined;
  /**
   * The request, decoded as `method`'s input type.
   * @throws AssertionError when the call went to another rpc than `method`.
   */
  requestAs<Request extends Message>(method: MethodRef<Request>): Request;
}

/** A side effect a command asked for. */
export interface SideEffect extends HandedOn {
  /** Whether the proxy waits for it before answering the client. */
  readonly synchronous: boolean;
}

/** What the client gets for one command, and what else the command asked of the proxy. */
export interface CommandOutcome<Reply> {
  /** The reply, when the command replied (not when it failed or forwarded). */
  readonly reply: Reply | undefined;
  /** The metadata sent with the reply (`context.reply(message, { metadata })`). */
  readonly replyMetadata: ReadonlyMetadata | undefined;
  /** The description the client gets when the command failed (`context.fail`, bad input, a throwing handler). */
  readonly failure: string | undefined;
  /** Where the command was handed on to, when it forwarded. */
  readonly forward: HandedOn | undefined;
  /** The side effects, in order. */
  readonly sideEffects: readonly SideEffect[];
}

function handedOn(message: ForwardMessage | SideEffectMessage): HandedOn {
  return {
    serviceName: message.serviceName,
    commandName: message.commandName,
    metadata: metadataFromWire(message.metadata),
    payload: message.payload,
    requestAs<Request extends Message>(method: MethodRef<Request>): Request {
      if (method.serviceName !== message.serviceName || method.methodName !== message.commandName) {
        throw new Error(
          `the call went to ${message.serviceName}.${message.commandName}, not ${method.serviceName}.${method.methodName}`,
        );
      }
      return unpackMessage(method.requestType, message.payload);
    },
  };
}

/** The side effects of an answer, decoded. @internal */
export function sideEffectsOf(effects: readonly SideEffectMessage[]): SideEffect[] {
  return effects.map((effect) => ({ ...handedOn(effect), synchronous: effect.synchronous }));
}

/** The client's part of an answer, decoded with the rpc's response type. @internal */
export function clientOutcome<Reply extends Message>(
  action: ClientAction | undefined,
  responseType: MessageType<Reply>,
  sideEffects: readonly SideEffectMessage[],
): CommandOutcome<Reply> {
  const answer = action?.action;
  return {
    reply: answer?.$case === "reply" ? unpackMessage(responseType, answer.value.payload) : undefined,
    replyMetadata: answer?.$case === "reply" ? metadataFromWire(answer.value.metadata) : undefined,
    failure: answer?.$case === "failure" ? answer.value.description : undefined,
    forward: answer?.$case === "forward" ? handedOn(answer.value) : undefined,
    sideEffects: sideEffectsOf(sideEffects),
  };
}
