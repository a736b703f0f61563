/** Defining a CRDT entity: its service, its CRDT and one handler per rpc. */
import type { Forward, Reply } from "../context.js";
import { configDescriptors, type EmbeddedFile, type EntityDescriptors } from "../descriptor-set.js";
import type { Message, MessageInit } from "../message-type.js";
import type { MethodDefinition, MethodNamed, RequestOf, ResponseOf, RpcNameOf, ServiceDefinition } from "../service.js";
import type { CrdtStreamedCommandContext } from "./context.js";
import { checkCommandHandlers, checkPassivationTimeout } from "../entity-checks.js";
import type { Crdt } from "./types/index.js";
import type { Typed } from "../typed-entity.js";

/** The protocol service that drives CRDT entities, reported at discovery. */
export const CRDT_ENTITY_TYPE = "cloudstate.crdt.Crdt";

/**
 * What a CRDT command handler returns: the reply, a forward, or (for a streamed rpc only) nothing, when the
 * stream's messages all come from `onChange`.
 */
export type CrdtCommandResult = CrdtStreamedResult<Message>;

/**
 * What the handler of a server-streamed rpc returns: the stream's first message, a forward, or nothing (the
 * messages then all come from `onChange`).
 */
export type CrdtStreamedResult<R extends Message> =
  MessageInit<R> | Reply<R> | Forward | undefined | Promise<MessageInit<R> | Reply<R> | Forward | undefined>;

/**
 * A command handler of a CRDT entity together with its rpc (unary or server-streamed), typed by the rpc. A unary
 * rpc's handler may take the narrower `CrdtCommandContext`.
 */
export interface CrdtCommand<State extends Crdt, M extends MethodDefinition = MethodDefinition> {
  /** The rpc this handler serves, from the generated service definition: it types the command and the reply. */
  readonly method: M;
  /**
   * Handles one command: changes the CRDT through `context.state`, and returns the reply (plain or made by
   * `context.reply`) or a forward. A server-streamed rpc's handler may also register
   * `context.onChange` to stream further replies. Throwing a `CommandFailure` fails the command and undoes its changes.
   */
  handle(
    command: RequestOf<M>,
    context: CrdtStreamedCommandContext<State, ResponseOf<M>>,
  ): CrdtStreamedResult<ResponseOf<M>>;
}

/** One command handler per rpc of `S`, keyed by the rpc's proto name. */
export type CrdtCommands<S extends ServiceDefinition, State extends Crdt> = {
  readonly [N in RpcNameOf<S>]: CrdtCommand<State, MethodNamed<S, N>>;
};

/** Everything needed to serve one CRDT entity; written by generated code or by hand. */
export interface CrdtEntityConfig<State extends Crdt, S extends ServiceDefinition = ServiceDefinition> {
  /** The gRPC service the entity backs. */
  readonly service: S;
  /** The service's proto file as generated code embeds it, with its imports; or give `descriptorSet`. */
  readonly descriptor?: EmbeddedFile;
  /** A serialized FileDescriptorSet of the service's file and all it imports, sent to the proxy at discovery. */
  readonly descriptorSet?: Uint8Array;
  /** Ask the proxy to passivate after this many idle milliseconds. Unset leaves the proxy's default. */
  readonly passivationTimeoutMs?: number;
  /**
   * A new, empty CRDT for the entity. When the proxy already holds a value, it is applied on top as a delta (so
   * an initial LWWRegister value is then replaced); otherwise what this creates is sent with the first reply.
   */
  initialState(entityId: string): State;
  /** One handler per rpc, keyed by the rpc's proto name (e.g. `Process`). */
  readonly commands: CrdtCommands<S, State>;
}

/**
 * A served CRDT entity, as `serve` takes it. Make one with `defineCrdtEntity`. The type parameters record the
 * service and CRDT it was made from, for the testkit.
 */
export interface CrdtEntity<S extends ServiceDefinition = ServiceDefinition, State extends Crdt = Crdt> extends Typed<{
  /** The generated service definition the entity serves. */
  readonly service: S;
  /** The CRDT type that holds the entity's state. */
  readonly state: State;
}> {
  /** Which kind of entity this is; `serve` dispatches on it. */
  readonly kind: "crdt";
  /** The protocol service that drives this kind, as reported to the proxy at discovery. */
  readonly entityType: typeof CRDT_ENTITY_TYPE;
  /** The full protobuf name of the service the entity backs. */
  readonly serviceName: string;
  /** The service's simple name, reported as the persistence id at discovery. */
  readonly persistenceId: string;
  /** The idle time after which the proxy passivates an instance, or `undefined` for the proxy's default. */
  readonly passivationTimeoutMs: number | undefined;
  /** The serialized FileDescriptorSet sent to the proxy at discovery. */
  readonly descriptorSet: Uint8Array;
  /** @internal */
  readonly config: CrdtEntityConfig<Crdt> & EntityDescriptors;
}

/**
 * Checks a CRDT entity's configuration and turns it into something `serve` can run.
 * @throws Error naming the problem: a client-streamed rpc, an rpc without a handler, a bad passivation timeout.
 */
export function defineCrdtEntity<State extends Crdt, S extends ServiceDefinition = ServiceDefinition>(
  config: CrdtEntityConfig<State, S> & EntityDescriptors,
): CrdtEntity<S, State> {
  const serviceName = config.service.fullName;
  checkCommandHandlers(
    config.service,
    config.commands,
    (method) => !method.requestStream,
    "CRDT entities serve unary and server-streamed rpcs only",
  );
  const timeout = config.passivationTimeoutMs;
  checkPassivationTimeout(serviceName, timeout);
  const descriptorSet = configDescriptors(serviceName, config);
  return {
    kind: "crdt",
    entityType: CRDT_ENTITY_TYPE,
    serviceName,
    persistenceId: config.service.name,
    passivationTimeoutMs: timeout,
    get descriptorSet() {
      return descriptorSet();
    },
    config: config,
  };
}
