/** What CRDT command handlers, change subscribers and cancellation callbacks can see and do. */
import type Long from "long";
import type { CommandContext, EffectOptions } from "../context.js";
import type { ReadonlyMetadata } from "../metadata.js";
import type { Message, MessageInit } from "../message-type.js";
import type { MethodRef } from "../service.js";

/**
 * How many replicas must acknowledge a command's change before the client is answered: this node only (the
 * default), a majority of the cluster, or all of it.
 */
export type WriteConsistency = "local" | "majority" | "all";

/** What a CRDT command handler can see and do. */
export interface CrdtCommandContext<State> extends CommandContext {
  /**
   * The entity's CRDT. Change it through its own methods; the changes are sent to the proxy as a delta with the
   * reply, and undone if the command fails.
   */
  readonly state: State;
  /** The write consistency of this command's change. Default `local`. */
  writeConsistency: WriteConsistency;
  /** Deletes the entity's CRDT across the cluster once the command succeeds; the proxy then stops the entity. */
  delete(): void;
}

/** What a change subscriber returns: the next message of the stream, or nothing to send this time. */
export type StreamedReply<Reply extends Message> = MessageInit<Reply> | undefined;

/**
 * The context of a server-streamed rpc of a CRDT entity. The handler's own result (if any) is the stream's first
 * message; `onChange` keeps the call open and sends a message whenever the CRDT changes.
 */
export interface CrdtStreamedCommandContext<State, Reply extends Message> extends CrdtCommandContext<State> {
  /** Whether the caller is listening for a stream (false when the rpc is called as a plain request). */
  readonly streamed: boolean;
  /**
   * Calls `subscriber` after every change to the CRDT (this node's commands and other nodes' deltas) until the
   * subscriber ends the stream or the client cancels it. Only for a streamed call; the last registration wins.
   */
  onChange(subscriber: (context: SubscriptionContext<State>) => StreamedReply<Reply>): void;
  /** Calls `callback` when the client cancels the stream; it may change the CRDT (e.g. mark a user offline). */
  onCancel(callback: (context: StreamCancelledContext<State>) => void): void;
}

/** What a change subscriber can see and do. */
export interface SubscriptionContext<State> {
  /** The id of the entity whose state changed. */
  readonly entityId: string;
  /** The id of the streamed command the subscription belongs to. */
  readonly commandId: Long;
  /** The CRDT after the change. Read it only: a subscriber that changes it fails its stream, and the change is undone. */
  readonly state: State;
  /** Ends the stream after this message. */
  endStream(): void;
  /** Ends the stream with an error carrying `message`. Never returns. */
  fail(message: string): never;
  /** Asks the proxy to call another rpc along with this message. */
  effect<Request extends Message>(
    method: MethodRef<Request>,
    request: MessageInit<Request>,
    options?: EffectOptions,
  ): void;
}

/** What a cancellation callback can see and do. */
export interface StreamCancelledContext<State> {
  /** The id of the entity whose streamed command the client cancelled. */
  readonly entityId: string;
  /** The id of the streamed command whose stream was cancelled. */
  readonly commandId: Long;
  /** The metadata of that command. */
  readonly metadata: ReadonlyMetadata;
  /** The entity's CRDT; changes made here are sent to the proxy. */
  readonly state: State;
  /** The write consistency of the callback's change. Default `local`. */
  writeConsistency: WriteConsistency;
  /** Asks the proxy to call another rpc. */
  effect<Request extends Message>(
    method: MethodRef<Request>,
    request: MessageInit<Request>,
    options?: EffectOptions,
  ): void;
}
