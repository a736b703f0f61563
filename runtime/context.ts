import type Long from "long";
import type { Message, MessageInit } from "./message-type.js";
import type { MethodRef } from "./service.js";

/** One entry of a command's metadata (for gRPC calls, the request headers the proxy passes on). */
export interface MetadataEntry {
  readonly key: string;
  readonly value: string | Uint8Array;
}

/** Options of a side effect. */
export interface EffectOptions {
  /** Wait for the side effect to finish before the client is answered. Default false. */
  readonly synchronous?: boolean;
}

declare const forwardBrand: unique symbol;

/**
 * What a command handler returns to hand the command on to another rpc, as made by `context.forward`. Opaque.
 */
export interface Forward {
  readonly [forwardBrand]: true;
}

/** What a command handler may return: the reply, or a forward, now or later. */
export type CommandResult<Reply extends Message> = MessageInit<Reply> | Forward | Promise<MessageInit<Reply> | Forward>;

/** What every command handler can see and do, whatever the entity kind. */
export interface CommandContext {
  /** The id of the entity the command is for. */
  readonly entityId: string;
  /** The proxy's id for this command. */
  readonly commandId: Long;
  /** The rpc name, e.g. `AddItem`. */
  readonly commandName: string;
  /** Metadata the proxy passed with the command. */
  readonly metadata: readonly MetadataEntry[];

  /**
   * Fails the command: the client gets an error carrying `message`, and nothing the command did (events,
   * state changes, side effects) is kept. Never returns.
   */
  fail(message: string): never;

  /** Hands the command on to another rpc; return the result from the handler. */
  forward<Request extends Message>(method: MethodRef<Request>, request: MessageInit<Request>): Forward;

  /** Asks the proxy to call another rpc once this command's effects are persisted. */
  effect<Request extends Message>(
    method: MethodRef<Request>,
    request: MessageInit<Request>,
    options?: EffectOptions,
  ): void;
}
