import Long from "long";
import { packMessage } from "./any.js";
import type { CommandContext, EffectOptions, Forward, ForwardOptions, Reply, ReplyOptions } from "./context.js";
import { CommandFailure } from "./errors.js";
import type { Metadata as MetadataMessage } from "../gen/cloudstate/entity.js";
import type { SideEffect, Forward as ForwardMessage } from "../gen/cloudstate/entity.js";
import type { Message, MessageInit } from "./message-type.js";
import { metadataToWire, type ReadonlyMetadata } from "./metadata.js";
import type { MethodRef } from "./service.js";

/** The forward a handler returned, in wire form. @internal */
export class ForwardToken {
  constructor(readonly message: ForwardMessage) {}
}

/** A reply made by `context.reply`: the message, encoded once the rpc's type is known, and its metadata. @internal */
export class ReplyToken {
  constructor(
    readonly message: MessageInit<Message>,
    readonly metadata: MetadataMessage | undefined,
  ) {}
}

/**
 * The parts of a command context shared by every entity kind: identity, failing, replying, forwarding and side
 * effects. Entity kinds extend it with their state handling.
 * @internal
 */
export class CommandEffects implements CommandContext {
  readonly sideEffects: SideEffect[] = [];
  #active = true;

  constructor(
    readonly entityId: string,
    readonly commandId: Long,
    readonly commandName: string,
    readonly metadata: ReadonlyMetadata,
  ) {}

  /** Called once the handler has returned: later calls on the context are mistakes. */
  deactivate(): void {
    this.#active = false;
  }

  protected ensureActive(operation: string): void {
    if (!this.#active) {
      throw new Error(`${operation} called on the context of command ${this.commandName} after it completed`);
    }
  }

  fail(message: string): never {
    throw new CommandFailure(message);
  }

  reply<R extends Message>(message: NoInfer<R | MessageInit<R>>, options?: ReplyOptions): Reply<R> {
    this.ensureActive("reply");
    return new ReplyToken(message, metadataToWire(options?.metadata)) as unknown as Reply<R>;
  }

  forward<Request extends Message>(
    method: MethodRef<Request>,
    request: MessageInit<Request>,
    options?: ForwardOptions,
  ): Forward {
    this.ensureActive("forward");
    const token = new ForwardToken({
      $type: "cloudstate.Forward",
      serviceName: method.serviceName,
      commandName: method.methodName,
      payload: packMessage(method.requestType, request),
      metadata: metadataToWire(options?.metadata),
    });
    return token as unknown as Forward;
  }

  effect<Request extends Message>(
    method: MethodRef<Request>,
    request: MessageInit<Request>,
    options?: EffectOptions,
  ): void {
    this.ensureActive("effect");
    this.sideEffects.push({
      $type: "cloudstate.SideEffect",
      serviceName: method.serviceName,
      commandName: method.methodName,
      payload: packMessage(method.requestType, request),
      synchronous: options?.synchronous ?? false,
      metadata: metadataToWire(options?.metadata),
    });
  }
}

/** Whether a handler's result is a forward rather than a reply. @internal */
export function isForward(result: unknown): result is ForwardToken {
  return result instanceof ForwardToken;
}

/** Zero as a Long, for stream-level failures. @internal */
export const NO_COMMAND = Long.ZERO;
