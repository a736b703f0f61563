import type { CommandResult } from "../context.js";
import { configDescriptors, type EmbeddedFile, type EntityDescriptors } from "../descriptor-set.js";
import type { Message, MessageType, StateInit } from "../message-type.js";
import { OldTypes, storedAsOf, type RetiredType } from "../stored-types.js";
import type { MethodDefinition, MethodNamed, RequestOf, ResponseOf, RpcNameOf, ServiceDefinition } from "../service.js";
import type { ValueEntityCommandContext } from "./context.js";
import { checkCommandHandlers, checkPassivationTimeout, isUnary } from "../entity-checks.js";
import type { Typed } from "../typed-entity.js";

/** The protocol service that drives value entities, reported at discovery. */
export const VALUE_ENTITY_TYPE = "cloudstate.valueentity.ValueEntity";

/** A command handler of a value entity together with its rpc, typed by the rpc. */
export interface ValueEntityCommand<State, M extends MethodDefinition = MethodDefinition> {
  /** The rpc this handler serves, from the generated service definition: it types the command and the reply. */
  readonly method: M;
  /**
   * Handles one command: reads the state through `context`, changes it with `context.updateState` or
   * `context.deleteState`, and returns the reply (plain or made by `context.reply`) or a forward. Throwing a
   * `CommandFailure` fails the command and keeps none of its changes.
   */
  handle(command: RequestOf<M>, context: ValueEntityCommandContext<State>): CommandResult<ResponseOf<M>>;
}

/** One command handler per rpc of `S`, keyed by the rpc's proto name. */
export type ValueEntityCommands<S extends ServiceDefinition, State> = {
  readonly [N in RpcNameOf<S>]: ValueEntityCommand<State, MethodNamed<S, N>>;
};

/** Everything needed to serve one value entity; written by generated code or by hand. */
export interface ValueEntityConfig<State extends Message, S extends ServiceDefinition = ServiceDefinition> {
  /** The gRPC service the entity backs. */
  readonly service: S;
  /** The service's proto file as generated code embeds it, with its imports; or give `descriptorSet`. */
  readonly descriptor?: EmbeddedFile;
  /** A serialized FileDescriptorSet of the service's file and all it imports, sent to the proxy at discovery. */
  readonly descriptorSet?: Uint8Array;
  /** Namespace of the stored state. Defaults to the service's simple name. */
  readonly persistenceId?: string;
  /** Ask the proxy to passivate after this many idle milliseconds. Unset leaves the proxy's default. */
  readonly passivationTimeoutMs?: number;
  /** The state message type. */
  readonly state: MessageType<State>;
  /** The state of an entity with nothing stored (a plain object will do: see {@link StateInit}). */
  initialState(entityId: string): StateInit<State>;
  /** One handler per rpc, keyed by the rpc's proto name (e.g. `AddItem`). */
  readonly commands: ValueEntityCommands<S, State>;
  /**
   * The type URLs the state type was stored under before (its previous names, after a rename or a package
   * move), by its full name. Read on recovery only.
   */
  readonly storedAs?: { readonly [typeName: string]: readonly string[] };
  /** State types stored values may hold that the entity no longer writes, by full name, each with its upcaster. */
  readonly retiredStates?: { readonly [typeName: string]: RetiredType<StateInit<State>> };
}

/**
 * A value entity's configuration as the runtime reads it, whatever its types: `initialState` gives a
 * {@link StateInit}, which the runtime makes a whole message.
 * @internal
 */
export interface ValueEntityRuntimeConfig extends Omit<
  ValueEntityConfig<Message>,
  "initialState" | "commands" | "retiredStates"
> {
  initialState(entityId: string): unknown;
  readonly retiredStates?: { readonly [typeName: string]: RetiredType<StateInit<Message>> };
  readonly commands: { readonly [rpcName: string]: ValueEntityCommand<Message> };
}

/**
 * A served value entity, as `serve` takes it. Make one with `defineValueEntity`. The type parameters record the
 * service and state it was made from, for the testkit.
 */
export interface ValueEntity<
  S extends ServiceDefinition = ServiceDefinition,
  State extends Message = Message,
> extends Typed<{
  /** The generated service definition the entity serves. */
  readonly service: S;
  /** The state message. */
  readonly state: State;
}> {
  /** Which kind of entity this is; `serve` dispatches on it. */
  readonly kind: "value";
  /** The protocol service that drives this kind, as reported to the proxy at discovery. */
  readonly entityType: typeof VALUE_ENTITY_TYPE;
  /** The full protobuf name of the service the entity backs, e.g. `com.example.shoppingcart.ShoppingCart`. */
  readonly serviceName: string;
  /** The namespace of the stored states, as configured or defaulted to the service's simple name. */
  readonly persistenceId: string;
  /** The idle time after which the proxy passivates an instance, or `undefined` for the proxy's default. */
  readonly passivationTimeoutMs: number | undefined;
  /** The serialized FileDescriptorSet sent to the proxy at discovery. */
  readonly descriptorSet: Uint8Array;
  /** @internal */
  readonly config: ValueEntityRuntimeConfig & EntityDescriptors;
  /** How stored values of old state types are read. @internal */
  readonly oldStates: OldTypes<unknown>;
}

/**
 * Checks a value entity's configuration and turns it into something `serve` can run.
 * @throws Error naming the problem: a streamed rpc, an rpc without a handler, a bad passivation timeout.
 */
export function defineValueEntity<State extends Message, S extends ServiceDefinition = ServiceDefinition>(
  config: ValueEntityConfig<State, S> & EntityDescriptors,
): ValueEntity<S, State> {
  const serviceName = config.service.fullName;
  checkCommandHandlers(config.service, config.commands, isUnary, "value entities serve unary rpcs only");
  const timeout = config.passivationTimeoutMs;
  checkPassivationTimeout(serviceName, timeout);
  const descriptorSet = configDescriptors(serviceName, config);
  return {
    kind: "value",
    entityType: VALUE_ENTITY_TYPE,
    serviceName,
    persistenceId: config.persistenceId || config.service.name,
    passivationTimeoutMs: timeout,
    get descriptorSet() {
      return descriptorSet();
    },
    // An upcaster's result is made a whole state at run time, so its type is erased here like initialState's.
    config: config as ValueEntityRuntimeConfig & EntityDescriptors,
    oldStates: new OldTypes<unknown>(
      `${serviceName} state`,
      new Map([[config.state.$type, config.state]]),
      storedAsOf(config.storedAs, [config.state.$type]),
      config.retiredStates,
    ),
  };
}
