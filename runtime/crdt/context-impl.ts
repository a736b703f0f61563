/** The contexts handed to CRDT handlers, subscribers and cancellation callbacks. @internal */
import type Long from "long";
import { CrdtWriteConsistency } from "../../gen/cloudstate/crdt.js";
import { CommandEffects } from "../command-effects.js";
import type { ReadonlyMetadata } from "../metadata.js";
import type { Message } from "../message-type.js";
import type {
  CrdtStreamedCommandContext,
  StreamCancelledContext,
  StreamedReply,
  SubscriptionContext,
  WriteConsistency,
} from "./context.js";
import type { Crdt } from "./types/index.js";

/** The wire value of a write consistency. @internal */
export function writeConsistencyValue(consistency: WriteConsistency): CrdtWriteConsistency {
  switch (consistency) {
    case "local":
      return CrdtWriteConsistency.LOCAL;
    case "majority":
      return CrdtWriteConsistency.MAJORITY;
    case "all":
      return CrdtWriteConsistency.ALL;
  }
}

function checkConsistency(value: WriteConsistency): WriteConsistency {
  if (value !== "local" && value !== "majority" && value !== "all") {
    throw new Error(`writeConsistency must be "local", "majority" or "all", got ${String(value)}`);
  }
  return value;
}

/** A change subscriber and cancellation callback a streamed command registered. @internal */
export interface Subscription {
  readonly commandId: Long;
  readonly commandName: string;
  readonly metadata: ReadonlyMetadata;
  readonly onChange: ((context: SubscriptionContext<Crdt>) => StreamedReply<Message>) | undefined;
  readonly onCancel: ((context: StreamCancelledContext<Crdt>) => void) | undefined;
}

/** The context of one command, unary or streamed. @internal */
export class CrdtCommandContextImpl extends CommandEffects implements CrdtStreamedCommandContext<Crdt, Message> {
  #writeConsistency: WriteConsistency = "local";
  #deleted = false;
  #onChange: Subscription["onChange"];
  #onCancel: Subscription["onCancel"];

  constructor(
    readonly state: Crdt,
    readonly streamed: boolean,
    entityId: string,
    commandId: Long,
    commandName: string,
    metadata: ReadonlyMetadata,
  ) {
    super(entityId, commandId, commandName, metadata);
  }

  get writeConsistency(): WriteConsistency {
    return this.#writeConsistency;
  }
  set writeConsistency(value: WriteConsistency) {
    this.ensureActive("writeConsistency");
    this.#writeConsistency = checkConsistency(value);
  }

  get deleted(): boolean {
    return this.#deleted;
  }

  delete(): void {
    this.ensureActive("delete");
    this.#deleted = true;
  }

  onChange(subscriber: (context: SubscriptionContext<Crdt>) => StreamedReply<Message>): void {
    this.ensureActive("onChange");
    this.#requireStreamed("onChange");
    this.#onChange = subscriber;
  }

  onCancel(callback: (context: StreamCancelledContext<Crdt>) => void): void {
    this.ensureActive("onCancel");
    this.#requireStreamed("onCancel");
    this.#onCancel = callback;
  }

  /** The subscription this command registered, if any. */
  subscription(): Subscription | undefined {
    if (this.#onChange === undefined && this.#onCancel === undefined) return undefined;
    return {
      commandId: this.commandId,
      commandName: this.commandName,
      metadata: this.metadata,
      onChange: this.#onChange,
      onCancel: this.#onCancel,
    };
  }

  #requireStreamed(operation: string): void {
    if (!this.streamed) {
      throw new Error(`${operation} called for command ${this.commandName}, which the client did not call streamed`);
    }
  }
}

/** The context of one call of a change subscriber. @internal */
export class SubscriptionContextImpl extends CommandEffects implements SubscriptionContext<Crdt> {
  #ended = false;

  constructor(
    readonly state: Crdt,
    entityId: string,
    subscription: Subscription,
  ) {
    super(entityId, subscription.commandId, subscription.commandName, subscription.metadata);
  }

  get ended(): boolean {
    return this.#ended;
  }

  endStream(): void {
    this.ensureActive("endStream");
    this.#ended = true;
  }
}

/** The context of a cancellation callback. @internal */
export class StreamCancelledContextImpl extends CommandEffects implements StreamCancelledContext<Crdt> {
  #writeConsistency: WriteConsistency = "local";

  constructor(
    readonly state: Crdt,
    entityId: string,
    subscription: Subscription,
  ) {
    super(entityId, subscription.commandId, subscription.commandName, subscription.metadata);
  }

  get writeConsistency(): WriteConsistency {
    return this.#writeConsistency;
  }
  set writeConsistency(value: WriteConsistency) {
    this.ensureActive("writeConsistency");
    this.#writeConsistency = checkConsistency(value);
  }
}
