/** One live CRDT entity: its CRDT, its commands, and the streamed calls subscribed to its changes. @internal */
import type Long from "long";
import type {
  CrdtDelta,
  CrdtInit,
  CrdtStateAction,
  CrdtStreamCancelledResponse,
  CrdtStreamOut,
  CrdtStreamedMessage,
} from "../../gen/cloudstate/crdt.js";
import type { ClientAction, Command, StreamCancelled } from "../../gen/cloudstate/entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { metadataFromWire } from "../metadata.js";
import { failureReply, runCommand, toClientAction } from "../command-runner.js";
import { ProtocolError } from "../errors.js";
import { callUserCode } from "../user-code.js";
import type { Logger } from "../logger.js";
import {
  CrdtCommandContextImpl,
  StreamCancelledContextImpl,
  SubscriptionContextImpl,
  writeConsistencyValue,
  type Subscription,
} from "./context-impl.js";
import type { WriteConsistency } from "./context.js";
import { CommandWatch, completionOf } from "../observation.js";
import type { EntityObserver, Observer, SubscriptionEnd } from "../observer.js";
import type { CrdtEntity } from "./entity.js";
import { APPLY_DELTA, HAS_DELTA, RESET_DELTA, SAVEPOINT, TAKE_DELTA, type Restore } from "./types/base.js";
import type { Crdt } from "./types/index.js";

/** A message to the proxy. @internal */
export type StreamOut = DeepPartial<CrdtStreamOut>;

export class CrdtInstance {
  readonly entityId: string;
  readonly #state: Crdt;
  /** Streamed calls, by command id, in the order they subscribed. */
  readonly #subscriptions = new Map<string, Subscription>();
  #deleted = false;
  /** Who watches this entity, if anyone. */
  readonly observer: EntityObserver | undefined;

  /** @throws what the entity's `initialState` throws, or a ProtocolError for an initial delta that does not fit. */
  constructor(
    readonly entity: CrdtEntity,
    init: CrdtInit,
    private readonly logger: Logger,
    observer?: Observer,
  ) {
    this.entityId = init.entityId;
    this.#state = entity.config.initialState(init.entityId);
    const delta = init.delta?.delta;
    if (delta !== undefined) {
      this.#state[APPLY_DELTA](delta);
      // The value came from the proxy: nothing of it is this node's to send back.
      this.#state[RESET_DELTA]();
    }
    const state = this.#state;
    this.observer = observer?.entityStarted?.({
      kind: "crdt",
      serviceName: entity.serviceName,
      entityId: this.entityId,
      fromStoredValue: delta !== undefined,
      state: () => state,
    });
  }

  /** The entity's CRDT, as its handlers see it. */
  get state(): Crdt {
    return this.#state;
  }

  /** True once the proxy or a command deleted the entity. */
  get isDeleted(): boolean {
    return this.#deleted;
  }

  get #where(): string {
    return `${this.entity.serviceName}/${this.entityId}`;
  }

  /**
   * Applies a delta from the proxy and tells the subscribers.
   * @throws ProtocolError for an empty delta or one of another CRDT type: the stream cannot go on.
   */
  applyDelta(delta: CrdtDelta): StreamOut[] {
    if (delta.delta === undefined) throw new ProtocolError("a delta carried no CRDT delta");
    this.#state[APPLY_DELTA](delta.delta);
    const state = this.#state;
    this.observer?.deltaReceived?.({ crdtType: delta.delta.$case, state: () => state });
    return this.#notify();
  }

  /** The proxy deleted the entity: later commands are refused and subscribers hear nothing more. */
  deleted(): void {
    this.#deleted = true;
    this.#endSubscriptions("deleted");
  }

  /** The stream ended: its subscriptions end with it. */
  ended(): void {
    this.#endSubscriptions("stream-closed");
  }

  #endSubscriptions(reason: SubscriptionEnd): void {
    if (this.observer !== undefined) for (const s of this.#subscriptions.values()) this.#ended(s, reason);
    this.#subscriptions.clear();
  }

  #ended(subscription: Subscription, reason: SubscriptionEnd): void {
    const { commandName, commandId } = subscription;
    this.observer?.subscriptionEnded?.({ commandName, commandId: commandId.toString(), reason });
  }

  /** Runs one command; returns its reply and the streamed messages it causes; never throws. */
  async answer(command: Command, watch?: CommandWatch): Promise<StreamOut[]> {
    const { id, name } = command;
    // Taken once the handler is about to run: whatever it changed before failing goes with it.
    let restore: Restore | undefined;
    const outcome = await runCommand(
      command,
      { serviceName: this.entity.serviceName, entityId: this.entityId },
      this.entity.config.commands,
      () => {
        restore = this.#state[SAVEPOINT]();
        return new CrdtCommandContextImpl(
          this.#state,
          command.streamed,
          this.entityId,
          id,
          name,
          metadataFromWire(command.metadata),
        );
      },
      this.logger,
      {
        before: () => (this.#deleted ? `Entity ${this.entityId} was deleted` : undefined),
        handler: (handler) => {
          if (!command.streamed || handler.method.responseStream) return undefined;
          this.logger.warn(`command ${name} on ${this.#where} was sent streamed, but the rpc is unary`);
          return `Command ${name} is not a streamed rpc`;
        },
      },
      watch,
    );
    if (!outcome.ok) {
      restore?.();
      watch?.settle(completionOf({ failure: outcome.description, unexpected: outcome.unexpected === true }, []));
      return [failureReply(id, outcome.description)];
    }
    return this.#replyAndNotify(id, outcome.context, outcome.clientAction, watch);
  }

  /** The reply to a command that succeeded, and the streamed messages its change causes. */
  #replyAndNotify(
    id: Long,
    context: CrdtCommandContextImpl,
    clientAction: DeepPartial<ClientAction> | undefined,
    watch: CommandWatch | undefined,
  ): StreamOut[] {
    const stateAction = this.#stateAction(context.deleted, context.writeConsistency);
    if (watch !== undefined) {
      const state = this.#state;
      const change = stateAction?.action?.$case;
      const stateChange =
        change === undefined ? {} : { stateChange: { action: change, writeConsistency: context.writeConsistency } };
      watch.settle(completionOf({ clientAction }, context.sideEffects, { ...stateChange, state: () => state }));
    }
    if (context.deleted) {
      this.#endSubscriptions("deleted");
      this.#deleted = true;
    }
    // Subscribers hear of the change before this command's own subscription starts, as its reply carries it.
    const streamed = stateAction === undefined || this.#deleted ? [] : this.#notify();
    const subscription = this.#deleted ? undefined : context.subscription();
    if (subscription !== undefined) {
      this.#subscriptions.set(id.toString(), subscription);
      this.observer?.subscriptionOpened?.({ commandName: subscription.commandName, commandId: id.toString() });
    }
    return [
      {
        message: {
          $case: "reply",
          value: {
            commandId: id,
            clientAction,
            sideEffects: context.sideEffects,
            stateAction,
            streamed: subscription !== undefined,
          },
        },
      },
      ...streamed,
    ];
  }

  /** The client cancelled a streamed call: runs its cancellation callback and answers the proxy; never throws. */
  cancelled(cancelled: StreamCancelled): StreamOut[] {
    const key = cancelled.id.toString();
    const subscription = this.#subscriptions.get(key);
    this.#subscriptions.delete(key);
    const response = (value: DeepPartial<CrdtStreamCancelledResponse>): StreamOut => ({
      message: { $case: "streamCancelledResponse", value },
    });
    const onCancel = subscription?.onCancel;
    if (subscription === undefined || onCancel === undefined || this.#deleted) {
      if (subscription !== undefined && this.observer !== undefined) this.#ended(subscription, "cancelled");
      return [response({ commandId: cancelled.id })];
    }
    const watch = this.#watchCallback(subscription, "cancelled");
    const context = new StreamCancelledContextImpl(this.#state, this.entityId, subscription);
    const restore = this.#state[SAVEPOINT]();
    const name = subscription.commandName;
    const call = (): ReturnType<typeof callUserCode<void>> =>
      callUserCode(
        {
          context,
          commandName: name,
          logUnexpected: (error) =>
            this.logger.error(`the cancellation callback of ${name} on ${this.#where} threw`, error),
        },
        () => onCancel(context),
      );
    const settled = watch === undefined ? call() : watch.around(call);
    // Ended once its callback has run, so an observer still knows the call while the callback runs.
    if (this.observer !== undefined) this.#ended(subscription, "cancelled");
    if (!settled.ok) {
      restore();
      // The proxy takes no failure for a cancellation: a requested one is only noted, what it did is undone.
      if (settled.failure.kind !== "unexpected") {
        this.logger.info(
          `the cancellation callback of ${name} on ${this.#where} failed: ${settled.failure.description}`,
        );
      }
      if (watch !== undefined) {
        const failure = { failure: settled.failure.description, unexpected: settled.failure.kind === "unexpected" };
        watch.settle(completionOf(failure, []));
        watch.finish();
      }
      return [response({ commandId: cancelled.id })];
    }
    const stateAction = this.#stateAction(false, context.writeConsistency);
    if (watch !== undefined) {
      watch.decorate(context.sideEffects, undefined);
      const change = stateAction?.action?.$case;
      const state = this.#state;
      const stateChange =
        change === undefined ? {} : { stateChange: { action: change, writeConsistency: context.writeConsistency } };
      watch.settle(
        completionOf({ clientAction: undefined }, context.sideEffects, { ...stateChange, state: () => state }),
      );
      watch.finish();
    }
    const out = [response({ commandId: cancelled.id, sideEffects: context.sideEffects, stateAction })];
    return stateAction === undefined ? out : [...out, ...this.#notify()];
  }

  /** A watch over a subscriber or cancellation callback, when an observer wants one. */
  #watchCallback(subscription: Subscription, callback: "change" | "cancelled"): CommandWatch | undefined {
    const watching = this.observer?.callbackBegun?.({
      callback,
      commandName: subscription.commandName,
      commandId: subscription.commandId.toString(),
      metadata: subscription.metadata,
    });
    return watching === undefined ? undefined : new CommandWatch(watching);
  }

  /** The state action for what a command did, resetting the pending delta it takes. */
  #stateAction(deleted: boolean, consistency: WriteConsistency): DeepPartial<CrdtStateAction> | undefined {
    const writeConsistency = writeConsistencyValue(consistency);
    if (deleted) return { action: { $case: "delete", value: {} }, writeConsistency };
    if (!this.#state[HAS_DELTA]()) return undefined;
    const delta = this.#state[TAKE_DELTA]();
    this.#state[RESET_DELTA]();
    return { action: { $case: "update", value: { delta } }, writeConsistency };
  }

  /** Calls every change subscriber; returns the streamed messages to send. */
  #notify(): StreamOut[] {
    const out: StreamOut[] = [];
    if (this.#subscriptions.size === 0) return out;
    // Subscribers only read: a change one makes would otherwise slip out with some later reply.
    const restore = this.#state[SAVEPOINT]();
    for (const [key, subscription] of this.#subscriptions) {
      if (subscription.onChange === undefined) continue;
      const message = this.#callSubscriber(subscription, subscription.onChange, restore);
      if (message === undefined) continue;
      const failed = message.clientAction?.action?.$case === "failure";
      if (message.endStream || failed) {
        this.#subscriptions.delete(key);
        if (this.observer !== undefined) this.#ended(subscription, failed ? "failed" : "ended");
      }
      out.push({ message: { $case: "streamedMessage", value: message } });
    }
    return out;
  }

  #callSubscriber(
    subscription: Subscription,
    onChange: NonNullable<Subscription["onChange"]>,
    restore: () => void,
  ): DeepPartial<CrdtStreamedMessage> | undefined {
    const commandId: Long = subscription.commandId;
    const watch = this.#watchCallback(subscription, "change");
    const context = new SubscriptionContextImpl(this.#state, this.entityId, subscription);
    const handler = this.entity.config.commands[subscription.commandName];
    const call = () =>
      callUserCode(
        {
          context,
          commandName: subscription.commandName,
          logUnexpected: (error) =>
            this.logger.error(`the change subscriber of ${subscription.commandName} on ${this.#where} threw`, error),
        },
        () => {
          const result = onChange(context);
          if (this.#state[HAS_DELTA]()) {
            throw new Error("the change subscriber changed the CRDT, which subscribers only read");
          }
          return result === undefined || handler === undefined
            ? undefined
            : toClientAction(result, handler.method.responseType);
        },
      );
    const settled = watch === undefined ? call() : watch.around(call);
    if (!settled.ok) {
      if (this.#state[HAS_DELTA]()) restore();
      const { description } = settled.failure;
      if (watch !== undefined) {
        watch.settle(completionOf({ failure: description, unexpected: settled.failure.kind === "unexpected" }, []));
        watch.finish();
      }
      return { commandId, clientAction: { action: { $case: "failure", value: { commandId, description } } } };
    }
    const clientAction = settled.value;
    if (watch !== undefined) {
      watch.decorate(context.sideEffects, clientAction);
      const state = this.#state;
      watch.settle(completionOf({ clientAction }, context.sideEffects, { state: () => state }));
      watch.finish();
    }
    if (clientAction === undefined && !context.ended && context.sideEffects.length === 0) return undefined;
    return { commandId, clientAction, sideEffects: context.sideEffects, endStream: context.ended };
  }
}
