import type Long from "long";
import type { Message, MessageInit } from "./message-type.js";
import type { MetadataInit, ReadonlyMetadata } from "./metadata.js";
import type { MethodRef } from "./service.js";

/** Options of a side effect. */
export interface EffectOptions {
  /** Wait for the side effect to finish before the client is answered. Default false. */
  readonly synchronous?: boolean;
  /** Metadata the called rpc receives. */
  readonly metadata?: MetadataInit;
}

/** Options of a forward. */
export interface ForwardOptions {
  /** Metadata the rpc forwarded to receives. */
  readonly metadata?: MetadataInit;
}

/** Options of a reply. */
export interface ReplyOptions {
  /** Metadata the client receives with the reply (for gRPC clients, response headers). */
  readonly metadata?: MetadataInit;
}

declare const forwardBrand: unique symbol;
declare const replyBrand: unique symbol;

/**
 * What a command handler returns to hand the command on to another rpc, as made by `context.forward`. Opaque.
 */
export interface Forward {
  /** Marks the type only, so that no other object passes for a forward; never read. */
  readonly [forwardBrand]: true;
}

/** A reply with options (metadata), as made by `context.reply`. Opaque. */
export interface Reply<R extends Message> {
  /** Marks the type and carries the reply's message type `R`, so a reply is checked against the rpc; never read. */
  readonly [replyBrand]: R;
}

/** What a command handler may return: the reply (plain or made by `context.reply`), or a forward, now or later. */
export type CommandResult<R extends Message> =
  MessageInit<R> | Reply<R> | Forward | Promise<MessageInit<R> | Reply<R> | Forward>;

/** What every command handler can see and do, whatever the entity kind. */
export interface CommandContext {
  /** The id of the entity the command is for. */
  readonly entityId: string;
  /** The proxy's id for this command. */
  readonly commandId: Long;
  /** The rpc name, e.g. `AddItem`. */
  readonly commandName: string;
  /** Metadata the proxy passed with the command (for gRPC calls, the request headers). */
  readonly metadata: ReadonlyMetadata;

  /**
   * Fails the command: the client gets an error carrying `message`, and nothing the command did (events,
   * state changes, side effects) is kept. Never returns.
   */
  fail(message: string): never;

  /**
   * A reply carrying options such as metadata; return (or yield) it from the handler. Its type is the rpc's
   * response type, taken from where it is returned, so `{ ... }` is checked like a plain reply.
   */
  reply<R extends Message>(message: NoInfer<R | MessageInit<R>>, options?: ReplyOptions): Reply<R>;

  /** Hands the command on to another rpc; return the result from the handler. */
  forward<Request extends Message>(
    method: MethodRef<Request>,
    request: MessageInit<Request>,
    options?: ForwardOptions,
  ): Forward;

  /** Asks the proxy to call another rpc once this command's effects are persisted. */
  effect<Request extends Message>(
    method: MethodRef<Request>,
    request: MessageInit<Request>,
    options?: EffectOptions,
  ): void;
}
