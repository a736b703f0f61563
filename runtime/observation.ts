/**
 * How the runtime feeds the observation seam (`observer.ts`): an observer's hooks guarded so a broken observer never
 * fails a command, and one command's watch, which runs the user code inside the observer's `around`, adds its
 * outgoing metadata to forwards and side effects, and reports the completion once the answer is written.
 * Nothing here is made when no observer was given.
 */
import type { ClientAction, MetadataEntry, SideEffect } from "../gen/cloudstate/entity.js";
import type { DeepPartial } from "../gen/typeRegistry.js";
import type { Logger } from "./logger.js";
import type {
  CallbackStart,
  CommandCompletion,
  CommandObserver,
  CommandStart,
  EffectTarget,
  EntityObserver,
  Observer,
} from "./observer.js";

/** Calls `hook`, logging and swallowing what it throws: an observer's bug must not fail a command. */
function guarded<A extends unknown[], R>(
  logger: Logger,
  name: string,
  hook: ((...args: A) => R) | undefined,
): ((...args: A) => R | undefined) | undefined {
  if (hook === undefined) return undefined;
  return (...args: A) => {
    try {
      return hook(...args);
    } catch (error) {
      logger.warn(`observer hook ${name} threw; ignored`, error);
      return undefined;
    }
  };
}

/** The observer with every hook guarded (its `around` excepted: it runs the user code and must rethrow). @internal */
export function guardObserver(observer: Observer, logger: Logger): Observer {
  const entityStarted = guarded(logger, "entityStarted", observer.entityStarted?.bind(observer));
  const actionCallBegun = guarded(logger, "actionCallBegun", observer.actionCallBegun?.bind(observer));
  return {
    entityStarted: (start) => {
      const watching = entityStarted?.(start);
      return watching === undefined ? undefined : guardEntityObserver(watching, logger);
    },
    actionCallBegun: (call) => {
      const watching = actionCallBegun?.(call);
      return watching === undefined ? undefined : guardCommandObserver(watching, logger);
    },
  };
}

function guardEntityObserver(o: EntityObserver, logger: Logger): EntityObserver {
  const commandBegun = guarded(logger, "commandBegun", o.commandBegun?.bind(o));
  const callbackBegun = guarded(logger, "callbackBegun", o.callbackBegun?.bind(o));
  return {
    ...(o.eventReplayed && { eventReplayed: guarded(logger, "eventReplayed", o.eventReplayed.bind(o)) }),
    ...(o.recovered && { recovered: guarded(logger, "recovered", o.recovered.bind(o)) }),
    ...(commandBegun && {
      commandBegun: (command: CommandStart) => {
        const watching = commandBegun(command);
        return watching === undefined ? undefined : guardCommandObserver(watching, logger);
      },
    }),
    ...(o.deltaReceived && { deltaReceived: guarded(logger, "deltaReceived", o.deltaReceived.bind(o)) }),
    ...(o.subscriptionOpened && {
      subscriptionOpened: guarded(logger, "subscriptionOpened", o.subscriptionOpened.bind(o)),
    }),
    ...(o.subscriptionEnded && {
      subscriptionEnded: guarded(logger, "subscriptionEnded", o.subscriptionEnded.bind(o)),
    }),
    ...(o.callbackBegun && {
      callbackBegun: (callback: CallbackStart) => {
        const watching = callbackBegun?.(callback);
        return watching === undefined ? undefined : guardCommandObserver(watching, logger);
      },
    }),
    ...(o.closed && { closed: guarded(logger, "closed", o.closed.bind(o)) }),
  } as EntityObserver;
}

function guardCommandObserver(o: CommandObserver, logger: Logger): CommandObserver {
  return new GuardedCommandObserver(o, logger);
}

/**
 * A command observer whose hooks never throw (its `around` excepted). A class rather than closures: one is made
 * per observed command, so it costs one small object.
 */
class GuardedCommandObserver implements CommandObserver {
  constructor(
    private readonly observer: CommandObserver,
    private readonly logger: Logger,
  ) {}

  around<T>(call: () => T): T {
    return this.observer.around === undefined ? call() : this.observer.around(call);
  }

  outgoingMetadata(): Iterable<readonly [key: string, value: string]> {
    if (this.observer.outgoingMetadata === undefined) return [];
    try {
      return [...this.observer.outgoingMetadata()];
    } catch (error) {
      this.logger.warn("observer hook outgoingMetadata threw; ignored", error);
      return [];
    }
  }

  completed(completion: CommandCompletion): void {
    try {
      this.observer.completed?.(completion);
    } catch (error) {
      this.logger.warn("observer hook completed threw; ignored", error);
    }
  }
}

/** What a kind adds to a command's completion beyond its client action and side effects. @internal */
export type CompletionDetail = Partial<Omit<CommandCompletion, "outcome" | "failure" | "reply" | "forward">>;

/**
 * One observed command: made only when an observer watches it.
 * @internal
 */
export class CommandWatch {
  #completion: CommandCompletion | undefined;

  constructor(readonly observer: CommandObserver) {}

  /** Runs the user code inside the observer's `around`, if it has one. */
  around<T>(call: () => T): T {
    const observer = this.observer;
    return observer.around === undefined ? call() : observer.around(call);
  }

  /** Adds the observer's outgoing metadata to the forward and side effects a command made (keys already set win). */
  decorate(sideEffects: readonly DeepPartial<SideEffect>[], clientAction: DeepPartial<ClientAction> | undefined): void {
    const forward = clientAction?.action?.$case === "forward";
    // Most commands hand nothing on: then nothing is asked of the observer.
    if ((sideEffects.length === 0 && !forward) || this.observer.outgoingMetadata === undefined) return;
    const extra = [...this.observer.outgoingMetadata()];
    if (extra.length === 0) return;
    const add = (target: { metadata?: DeepPartial<{ entries: MetadataEntry[] }> | undefined }): void => {
      const entries = [...(target.metadata?.entries ?? [])];
      for (const [key, value] of extra) {
        if (entries.some((e) => e.key?.toLowerCase() === key.toLowerCase())) continue;
        entries.push({ key, value: { $case: "stringValue", value } });
      }
      target.metadata = { entries };
    };
    for (const effect of sideEffects) add(effect);
    const action = clientAction?.action;
    if (action?.$case === "forward" && action.value !== undefined) add(action.value);
  }

  /** Records what the command came to; reported by `finish`. */
  settle(completion: CommandCompletion): void {
    this.#completion = completion;
  }

  /** The answer is written: tells the observer. */
  finish(): void {
    const completion = this.#completion ?? {
      outcome: "error",
      failure: "the command was not answered",
      sideEffects: [],
      events: [],
      snapshot: false,
      state: () => undefined,
    };
    this.observer.completed?.(completion);
  }
}

/** The targets of wire side effects. @internal */
export function effectTargets(sideEffects: readonly DeepPartial<SideEffect>[]): EffectTarget[] {
  return sideEffects.map((e) => ({
    serviceName: e.serviceName ?? "",
    commandName: e.commandName ?? "",
    synchronous: e.synchronous ?? false,
  }));
}

/**
 * A completion from a command's client action (or failure), side effects and the kind's detail.
 * @internal
 */
export function completionOf(
  answer:
    | { readonly clientAction: DeepPartial<ClientAction> | undefined }
    | { readonly failure: string; readonly unexpected: boolean },
  sideEffects: readonly DeepPartial<SideEffect>[],
  detail: CompletionDetail = {},
): CommandCompletion {
  const base = {
    sideEffects: detail.sideEffects ?? effectTargets(sideEffects),
    events: detail.events ?? [],
    snapshot: detail.snapshot ?? false,
    state: detail.state ?? (() => undefined),
    ...(detail.stateChange && { stateChange: detail.stateChange }),
    ...(detail.answers !== undefined && { answers: detail.answers }),
  };
  if ("failure" in answer) {
    return { ...base, outcome: answer.unexpected ? "error" : "failure", failure: answer.failure, sideEffects: [] };
  }
  const action = answer.clientAction?.action;
  switch (action?.$case) {
    case "reply":
      return { ...base, outcome: "reply", ...(action.value?.payload && { reply: action.value.payload as never }) };
    case "forward":
      return {
        ...base,
        outcome: "forward",
        forward: { serviceName: action.value?.serviceName ?? "", commandName: action.value?.commandName ?? "" },
      };
    case "failure":
      return { ...base, outcome: "failure", failure: action.value?.description ?? "" };
    default:
      return { ...base, outcome: "no-reply" };
  }
}
