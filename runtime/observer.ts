/**
 * The observation seam: what the runtime tells an observer about every entity stream, command and action call, for
 * tracing, metrics, or a live inspector. Every hook is optional and the runtime asks for it only when an observer
 * was given (one null check per stream, command or call), so an unobserved service pays nothing. Hooks are called
 * synchronously on the stream's path: keep them quick, and let them never throw (what one throws is logged and
 * ignored). Values that cost something to compute (decoded messages, the state) are offered as functions.
 */
import type { Any } from "./any.js";
import type { Message } from "./message-type.js";
import type { ReadonlyMetadata } from "./metadata.js";

/** The kind of component a stream or call belongs to. */
export type ObservedKind = "event-sourced" | "value" | "crdt" | "action";

/** The streaming shape of an action call. */
export type ActionShape = "unary" | "client-streaming" | "server-streaming" | "bidi-streaming";

/** Watches the runtime. Give one to `serve` (or `CloudstateServer`) as `observer`; combine several with `observers`. */
export interface Observer {
  /**
   * An entity stream received its init and the entity was created; return an observer for what follows on it, or
   * undefined to watch nothing more of it.
   */
  entityStarted?(start: EntityStart): EntityObserver | undefined;
  /** An action call began (for a streamed-in call, with its first message); return an observer for the call. */
  actionCallBegun?(call: CommandStart & { readonly shape: ActionShape }): CommandObserver | undefined;
}

/** An entity stream's init. */
export interface EntityStart {
  /** The entity's kind. */
  readonly kind: Exclude<ObservedKind, "action">;
  /** The full name of the entity's service. */
  readonly serviceName: string;
  /** The entity's id. */
  readonly entityId: string;
  /** An event-sourced entity's snapshot sequence, when it started from a snapshot. */
  readonly snapshotSequence?: number;
  /** Whether the init carried a stored value (a snapshot, a value entity's state, a CRDT's value). */
  readonly fromStoredValue: boolean;
  /** The state the entity starts from (decoded message, or the CRDT). */
  state(): unknown;
}

/** Watches one live entity. */
export interface EntityObserver {
  /** An event-sourced entity applied a journaled event during recovery. */
  eventReplayed?(event: ReplayedEvent): void;
  /**
   * An event-sourced entity's recovery is over (its first command arrived, or the stream ended before one):
   * counted, never reported event by event to a tracer.
   */
  recovered?(recovery: Recovery): void;
  /** A command arrived; return an observer for it, or undefined. */
  commandBegun?(command: CommandStart): CommandObserver | undefined;
  /** A CRDT applied a delta from the proxy (another node's change). */
  deltaReceived?(delta: { readonly crdtType: string; state(): unknown }): void;
  /** A CRDT's streamed call subscribed to changes. */
  subscriptionOpened?(subscription: SubscriptionInfo): void;
  /** A CRDT's streamed call stopped hearing changes, and why. */
  subscriptionEnded?(subscription: SubscriptionInfo & { readonly reason: SubscriptionEnd }): void;
  /**
   * A CRDT's change subscriber or cancellation callback is about to run, after its streamed call was answered;
   * return an observer for it (its `around` runs the callback, its `completed` reports the streamed message or the
   * cancellation's answer), or undefined.
   */
  callbackBegun?(callback: CallbackStart): CommandObserver | undefined;
  /** The stream ended: the proxy closed it (passivation, shutdown) or a stream-level failure ended it. */
  closed?(close: { readonly failure?: string }): void;
}

/** Why a CRDT subscription ended. */
export type SubscriptionEnd = "ended" | "failed" | "cancelled" | "deleted" | "stream-closed";

/** A CRDT streamed call that subscribed to changes. */
export interface SubscriptionInfo {
  /** The streamed rpc's name. */
  readonly commandName: string;
  /** The command id of the streamed call on its entity stream. */
  readonly commandId: string;
}

/** A CRDT streamed call's change subscriber or cancellation callback, about to run. */
export interface CallbackStart extends SubscriptionInfo {
  /** `change`: the change subscriber, after a change to the CRDT; `cancelled`: the cancellation callback. */
  readonly callback: "change" | "cancelled";
  /** The streamed call's metadata. */
  readonly metadata: ReadonlyMetadata;
}

/** An event applied during recovery. */
export interface ReplayedEvent {
  /** The event's sequence number in the entity's journal. */
  readonly sequence: number;
  /** The event's full message name. */
  readonly type: string;
  /** The event, decoded. */
  event(): Message;
  /** The entity's state after applying it. */
  state(): Message;
}

/** An event-sourced entity's recovery. */
export interface Recovery {
  /** The sequence number of the snapshot it started from, if any. */
  readonly snapshotSequence: number | undefined;
  /** How many journaled events were applied. */
  readonly eventsReplayed: number;
  /** From the init to the end of recovery, in milliseconds. */
  readonly durationMs: number;
}

/** A command (or an action call) as it arrives. */
export interface CommandStart {
  /** The kind of component that serves it. */
  readonly kind: ObservedKind;
  /** The full name of the service, e.g. `com.example.ShoppingCart`. */
  readonly serviceName: string;
  /** The rpc's name as in the proto, e.g. `AddItem`. */
  readonly commandName: string;
  /** The command's id on its stream; "0" for an action call. */
  readonly commandId: string;
  /** The entity's id; "" for an action call. */
  readonly entityId: string;
  /** The command's metadata: the caller's headers (trace context among them) and, for an event, its `ce-*`. */
  readonly metadata: ReadonlyMetadata;
  /** The payload as it arrived. */
  readonly payload: Any | undefined;
  /** Whether the caller wants a stream of answers (a CRDT's streamed call, a server-streaming action). */
  readonly streamed: boolean;
}

/** Watches one command or action call. */
export interface CommandObserver {
  /**
   * Runs the user code of the command (the whole handler, a subscriber or a stream's producer); an observer may
   * run it inside a context of its own (so the handler's own spans are children of the command's). Must return
   * what `call` returns.
   */
  around?<T>(call: () => T): T;
  /**
   * Metadata to add to each forward and side effect the command makes, unless it already has the key (trace
   * context travelling on to the next command).
   */
  outgoingMetadata?(): Iterable<readonly [key: string, value: string]>;
  /** The command's answer was handed to the transport (for a streamed call, once its stream ended). */
  completed?(completion: CommandCompletion): void;
}

/** What a command came to. */
export type ObservedOutcome = "reply" | "forward" | "no-reply" | "failure" | "error";

/** How a command ended and what it did. */
export interface CommandCompletion {
  /**
   * `reply`/`forward`: answered so; `no-reply`: answered nothing (a streamed call that has nothing yet, an
   * action's `noReply`); `failure`: refused (the handler asked, or the request was bad); `error`: the handler
   * threw unexpectedly.
   */
  readonly outcome: ObservedOutcome;
  /** The failure's description as the client sees it, for `failure` and `error`. */
  readonly failure?: string;
  /** The reply's payload, for `reply`. */
  readonly reply?: Any;
  /** Where it was forwarded, for `forward`. */
  readonly forward?: EffectTarget;
  /** The side effects sent with the answer (none for a failure). */
  readonly sideEffects: readonly EffectTarget[];
  /** The events an event-sourced command emitted, in order. */
  readonly events: readonly EmittedEvent[];
  /** Whether a snapshot was written with the reply. */
  readonly snapshot: boolean;
  /** A value entity's state change, or a CRDT's state action with its write consistency. */
  readonly stateChange?: StateChange;
  /** For a streamed action or CRDT call: the messages it sent. */
  readonly answers?: number;
  /** The entity's state after the command (undefined for an action). */
  state(): unknown;
}

/** What a command did to a value entity's or a CRDT's stored state. */
export interface StateChange {
  /** The state was replaced (or a CRDT delta sent), or deleted. */
  readonly action: "update" | "delete";
  /** A CRDT's write consistency for the change: `local`, `majority` or `all`. */
  readonly writeConsistency?: string;
}

/** A forward's or side effect's target. */
export interface EffectTarget {
  /** The full name of the target's service. */
  readonly serviceName: string;
  /** The target rpc's name. */
  readonly commandName: string;
  /** For a side effect: whether the proxy waits for it before replying. */
  readonly synchronous?: boolean;
}

/** An event a command emitted. */
export interface EmittedEvent {
  /** The event's full message name. */
  readonly type: string;
  /** As persisted. */
  readonly payload: Any;
  /** The event, decoded. */
  event(): Message;
  /** The entity's state after applying it. */
  state(): Message;
}

/**
 * Several observers as one: each hook calls every observer that has it, in order; `around` nests them (the first
 * outermost).
 */
export function observers(...all: readonly Observer[]): Observer {
  return {
    entityStarted: (start) => {
      const watching = all.map((o) => o.entityStarted?.(start)).filter(isDefined);
      return watching.length === 0 ? undefined : combinedEntityObserver(watching);
    },
    actionCallBegun: (call) => {
      const watching = all.map((o) => o.actionCallBegun?.(call)).filter(isDefined);
      return watching.length === 0 ? undefined : combinedCommandObserver(watching);
    },
  };
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function combinedEntityObserver(all: readonly EntityObserver[]): EntityObserver {
  return {
    eventReplayed: (event) => all.forEach((o) => o.eventReplayed?.(event)),
    recovered: (recovery) => all.forEach((o) => o.recovered?.(recovery)),
    commandBegun: (command) => {
      const watching = all.map((o) => o.commandBegun?.(command)).filter(isDefined);
      return watching.length === 0 ? undefined : combinedCommandObserver(watching);
    },
    deltaReceived: (delta) => all.forEach((o) => o.deltaReceived?.(delta)),
    subscriptionOpened: (s) => all.forEach((o) => o.subscriptionOpened?.(s)),
    subscriptionEnded: (s) => all.forEach((o) => o.subscriptionEnded?.(s)),
    callbackBegun: (callback) => {
      const watching = all.map((o) => o.callbackBegun?.(callback)).filter(isDefined);
      return watching.length === 0 ? undefined : combinedCommandObserver(watching);
    },
    closed: (close) => all.forEach((o) => o.closed?.(close)),
  };
}

function combinedCommandObserver(all: readonly CommandObserver[]): CommandObserver {
  return all.length === 1 ? all[0]! : new CombinedCommandObserver(all);
}

/** Several command observers as one; a class, as one is made per observed command. */
class CombinedCommandObserver implements CommandObserver {
  constructor(private readonly all: readonly CommandObserver[]) {}

  around<T>(call: () => T): T {
    return this.#around(0, call);
  }

  #around<T>(from: number, call: () => T): T {
    for (let i = from; i < this.all.length; i++) {
      const observer = this.all[i]!;
      if (observer.around !== undefined) return observer.around(() => this.#around(i + 1, call));
    }
    return call();
  }

  *outgoingMetadata(): Iterable<readonly [key: string, value: string]> {
    for (const o of this.all) if (o.outgoingMetadata !== undefined) yield* o.outgoingMetadata();
  }

  completed(completion: CommandCompletion): void {
    for (const o of this.all) o.completed?.(completion);
  }
}
