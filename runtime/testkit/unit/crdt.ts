/**
 * The unit testkit of CRDT entities: commands in; reply, delta (with its write consistency), deletes and the
 * messages streamed to subscribers out; deltas and deletes from other nodes in between. It drives the production
 * stream loop in memory as the proxy would, with every message crossing real protobuf bytes.
 */
import Long from "long";
import {
  CrdtStreamIn,
  CrdtStreamOut,
  CrdtWriteConsistency,
  type CrdtDelta,
  type CrdtStateAction,
} from "../../../gen/cloudstate/crdt.js";
import type { SideEffect as SideEffectMessage, ClientAction } from "../../../gen/cloudstate/entity.js";
import type { DeepPartial } from "../../../gen/typeRegistry.js";
import type { WriteConsistency } from "../../crdt/context.js";
import type { CrdtEntity } from "../../crdt/entity.js";
import { runCrdtStream } from "../../crdt/stream.js";
import type { CrdtInstance } from "../../crdt/instance.js";
import type { Crdt } from "../../crdt/types/index.js";
import { NEVER_DRAINS } from "../../drain.js";
import type { Logger } from "../../logger.js";
import { guardObserver } from "../../observation.js";
import type { Observer } from "../../observer.js";
import type { Message, MessageType } from "../../message-type.js";
import type { MethodDefinition, ServiceDefinition } from "../../service.js";
import { memoryLogger, type MemoryLogger } from "../memory-logger.js";
import { assertDescriptorSetBuilds, assertEncoded, checksOf, type TestKitChecks } from "./checks.js";
import { InMemoryStream } from "./in-memory-stream.js";
import { clientOutcome, sideEffectsOf, type CommandOutcome, type SideEffect } from "./results.js";
import {
  commandMessage,
  rpcOf,
  type CallOptions,
  type RequestInit,
  type ResponseOf,
  type RpcKey,
  type RpcKeyOfShape,
} from "./types.js";

import type { CrdtDeltaInit } from "./crdt-delta.js";

export type { CrdtDeltaInit, ORMapEntryDeltaInit, DeltaInteger } from "./crdt-delta.js";

/** Where a CRDT entity starts. */
export interface CrdtTestKitOptions {
  /** The entity's id. Default `entity-1`. */
  readonly entityId?: string;
  /** The value the proxy already holds, as a delta from empty; none for a new entity. */
  readonly value?: CrdtDeltaInit;
  /** The checks to run (encoding and descriptors apply); all on by default. */
  readonly checks?: TestKitChecks;
  /** Where the runtime's log lines go. Default: kept in memory, see {@link CrdtTestKit.log}. */
  readonly logger?: Logger;
  /**
   * Watches the entity as a server's observer would (e.g. `cloudstate-ts/opentelemetry`'s, with in-memory
   * exporters, to assert on a command's spans and metrics).
   */
  readonly observer?: Observer;
}

/** What the entity sent the proxy about its state. */
export interface CrdtStateChange {
  /** The delta replicated to the other nodes, when the state changed. */
  readonly delta: CrdtDelta | undefined;
  /** True when the entity was deleted (across the cluster). */
  readonly deleted: boolean;
  /** How many replicas the change must reach before the client is answered. */
  readonly writeConsistency: WriteConsistency | undefined;
}

/** One message sent to a streamed call's client after a change. */
export interface StreamedAnswer<Reply extends Message> extends CommandOutcome<Reply> {
  /** The command id of the streamed call it belongs to. */
  readonly commandId: number;
  /** True when the subscriber ended the stream (`subscription.endStream()`). */
  readonly endStream: boolean;
}

/** What one command (or delta, delete or cancellation) did. */
export interface CrdtResult<Reply extends Message, State extends Crdt> extends CommandOutcome<Reply>, CrdtStateChange {
  /** The entity's CRDT after it. */
  readonly state: State;
  /** What every streamed call's client was sent because of it. */
  readonly streamed: readonly StreamedAnswer<Message>[];
}

/** What happened outside a command: a delta or delete from another node, or a stream cancelled. */
export interface CrdtEventResult<State extends Crdt> extends CrdtStateChange {
  /** The entity's CRDT after it. */
  readonly state: State;
  /** What every streamed call's client was sent because of it. */
  readonly streamed: readonly StreamedAnswer<Message>[];
  /** The side effects (of a cancellation handler). */
  readonly sideEffects: readonly SideEffect[];
}

/** A streamed call in progress. */
export interface CrdtSubscription<Reply extends Message, State extends Crdt> {
  /** The command id of the call. */
  readonly commandId: number;
  /** The call's first answer (its reply, if any, and what the command changed). */
  readonly first: CrdtResult<Reply, State>;
  /** Every later message its client was sent, in order. */
  readonly messages: readonly StreamedAnswer<Reply>[];
  /** The replies among {@link messages}. */
  readonly replies: readonly Reply[];
  /** True once the subscriber ended the stream. */
  readonly ended: boolean;
  /** Cancels the call, as a client going away does: its `onCancel` handler runs. */
  cancel(): Promise<CrdtEventResult<State>>;
}

const CONSISTENCY: Readonly<Record<number, WriteConsistency>> = {
  [CrdtWriteConsistency.LOCAL]: "local",
  [CrdtWriteConsistency.MAJORITY]: "majority",
  [CrdtWriteConsistency.ALL]: "all",
};

function stateChange(action: CrdtStateAction | undefined): CrdtStateChange {
  const what = action?.action;
  return {
    delta: what?.$case === "update" ? what.value : undefined,
    deleted: what?.$case === "delete",
    writeConsistency: action === undefined ? undefined : CONSISTENCY[action.writeConsistency],
  };
}

interface LiveSubscription {
  readonly method: MethodDefinition;
  readonly messages: StreamedAnswer<Message>[];
  ended: boolean;
}

/**
 * A CRDT entity under test.
 *
 * ```ts
 * const friends = await CrdtTestKit.create(friendsEntity(handlers), { entityId: "ann" });
 * const added = await friends.call("add", { userId: "ann", friend: { userId: "bob", name: "Bob" } });
 * assert.equal(added.delta?.delta?.$case, "orset");
 * ```
 */
export class CrdtTestKit<S extends ServiceDefinition, State extends Crdt> {
  readonly #entity: CrdtEntity<S, State>;
  readonly #checks: Required<TestKitChecks>;
  readonly #memory = memoryLogger();
  readonly #subscriptions = new Map<number, LiveSubscription>();
  #stream!: InMemoryStream<CrdtStreamIn, CrdtStreamOut>;
  #instance: CrdtInstance | undefined;
  #nextCommandId = 1;

  private constructor(
    entity: CrdtEntity<S, State>,
    /** The id of the entity under test. */
    readonly entityId: string,
    options: CrdtTestKitOptions,
  ) {
    this.#entity = entity;
    this.#checks = checksOf(options.checks);
  }

  /**
   * Starts the entity as the proxy would, with the value given, if any.
   * @throws AssertionError when its descriptor set would be refused by the proxy.
   */
  static async create<S extends ServiceDefinition, State extends Crdt>(
    entity: CrdtEntity<S, State>,
    options: CrdtTestKitOptions = {},
  ): Promise<CrdtTestKit<S, State>> {
    const kit = new CrdtTestKit(entity, options.entityId ?? "entity-1", options);
    if (kit.#checks.descriptors) assertDescriptorSetBuilds(entity.serviceName, entity.descriptorSet);
    let instance: CrdtInstance | undefined;
    const logger = options.logger ?? kit.#memory;
    const observer = options.observer === undefined ? undefined : guardObserver(options.observer, logger);
    const entities = new Map([[entity.serviceName, entity]]);
    kit.#stream = new InMemoryStream(
      (requests) =>
        runCrdtStream(
          requests,
          entities,
          logger,
          NEVER_DRAINS,
          (created) => {
            instance = created;
          },
          observer,
        ),
      CrdtStreamIn,
      CrdtStreamOut,
    );
    const { answers } = await kit.#stream.send({
      message: {
        $case: "init",
        value: { serviceName: entity.serviceName, entityId: kit.entityId, delta: options.value },
      },
    });
    const [first] = answers;
    if (first !== undefined || instance === undefined) {
      const description = first?.message?.$case === "failure" ? first.message.value.description : "not created";
      throw new Error(`${entity.serviceName}/${kit.entityId} failed to start: ${description}`);
    }
    kit.#instance = instance;
    return kit;
  }

  /** The entity's CRDT. */
  get state(): State {
    return this.#live().state as State;
  }

  /** True once the entity was deleted (by a command or by the proxy). */
  get deleted(): boolean {
    return this.#live().isDeleted;
  }

  /** The runtime's log lines, when no logger was given. */
  get log(): MemoryLogger["lines"] {
    return this.#memory.lines;
  }

  /**
   * Runs one command (not streamed, as a unary call or a server-streamed call the client does not follow).
   * @throws AssertionError when a value does not survive encoding.
   */
  async call<K extends RpcKey<S>>(
    rpc: K,
    request: RequestInit<S, K>,
    options: CallOptions = {},
  ): Promise<CrdtResult<ResponseOf<S, K>, State>> {
    return (await this.#command(rpc, request, options, false)).result as CrdtResult<ResponseOf<S, K>, State>;
  }

  /** Starts a streamed call of a server-streamed rpc: the client follows the state until the stream ends. */
  async subscribe<K extends RpcKeyOfShape<S, false, true>>(
    rpc: K,
    request: RequestInit<S, K>,
    options: CallOptions = {},
  ): Promise<CrdtSubscription<ResponseOf<S, K>, State>> {
    const { id, result, live } = await this.#command(rpc, request, options, true);
    if (live === undefined) throw new Error("a streamed call was not recorded");
    return {
      commandId: id,
      first: result as CrdtResult<ResponseOf<S, K>, State>,
      get messages() {
        return live.messages as StreamedAnswer<ResponseOf<S, K>>[];
      },
      get replies() {
        return live.messages.flatMap((m) => (m.reply === undefined ? [] : [m.reply as ResponseOf<S, K>]));
      },
      get ended() {
        return live.ended;
      },
      cancel: () => this.#cancel(id),
    };
  }

  /** Applies a delta made on another node, as the proxy delivers it between commands. */
  async applyDelta(delta: CrdtDeltaInit): Promise<CrdtEventResult<State>> {
    return this.#event({ message: { $case: "delta", value: delta } }, "a delta");
  }

  /** The proxy deleted the entity (a delete on another node): later commands are refused. */
  async deleteFromProxy(): Promise<void> {
    await this.#event({ message: { $case: "delete", value: {} } }, "a delete");
  }

  #live(): CrdtInstance {
    if (this.#instance === undefined) throw new Error(`${this.#where} is not running`);
    return this.#instance;
  }

  get #where(): string {
    return `${this.#entity.serviceName}/${this.entityId}`;
  }

  async #command(
    rpc: string,
    request: unknown,
    options: CallOptions,
    streamed: boolean,
  ): Promise<{ id: number; result: CrdtResult<Message, State>; live: LiveSubscription | undefined }> {
    const method = rpcOf(this.#entity.config.service, rpc);
    const id = this.#nextCommandId++;
    // Recorded before the command is sent: its first answer may already stream a message to it.
    const live: LiveSubscription | undefined = streamed ? { method, messages: [], ended: false } : undefined;
    if (live !== undefined) this.#subscriptions.set(id, live);
    const { answers, problems } = await this.#stream.send(
      commandMessage(this.entityId, id, method, request, options, streamed),
    );
    if (this.#checks.encoding) assertEncoded(problems, `${method.name} on ${this.#where}`);
    const [answer, ...rest] = answers;
    if (answer?.message?.$case !== "reply") {
      const description = answer?.message?.$case === "failure" ? answer.message.value.description : "no answer";
      throw new Error(`${this.#where} ended its stream on ${method.name}: ${description}`);
    }
    const reply = answer.message.value;
    const streamedAnswers = this.#streamedIn(rest);
    if (live !== undefined && !reply.streamed) this.#subscriptions.delete(id);
    return {
      id,
      live,
      result: {
        ...clientOutcome(reply.clientAction, method.responseType, reply.sideEffects),
        ...stateChange(reply.stateAction),
        state: this.state,
        streamed: streamedAnswers,
      },
    };
  }

  async #cancel(id: number): Promise<CrdtEventResult<State>> {
    const result = await this.#event(
      { message: { $case: "streamCancelled", value: { entityId: this.entityId, id: Long.fromNumber(id) } } },
      "a cancellation",
    );
    const live = this.#subscriptions.get(id);
    if (live !== undefined) live.ended = true;
    return result;
  }

  async #event(message: DeepPartial<CrdtStreamIn>, what: string): Promise<CrdtEventResult<State>> {
    const { answers, problems } = await this.#stream.send(message);
    if (this.#checks.encoding) assertEncoded(problems, `${what} on ${this.#where}`);
    const failed = answers.find((answer) => answer.message?.$case === "failure");
    if (failed?.message?.$case === "failure") {
      throw new Error(`${this.#where} ended its stream on ${what}: ${failed.message.value.description}`);
    }
    const cancelled = answers.find((answer) => answer.message?.$case === "streamCancelledResponse");
    const response = cancelled?.message?.$case === "streamCancelledResponse" ? cancelled.message.value : undefined;
    return {
      ...stateChange(response?.stateAction),
      state: this.state,
      streamed: this.#streamedIn(answers),
      sideEffects: sideEffectsOf(response?.sideEffects ?? []),
    };
  }

  /** The streamed messages among `answers`, decoded and handed to their subscriptions. */
  #streamedIn(answers: readonly CrdtStreamOut[]): StreamedAnswer<Message>[] {
    const streamed: StreamedAnswer<Message>[] = [];
    for (const answer of answers) {
      if (answer.message?.$case !== "streamedMessage") continue;
      const message = answer.message.value;
      const id = message.commandId.toNumber();
      const subscription = this.#subscriptions.get(id);
      if (subscription === undefined)
        throw new Error(`${this.#where} streamed a message to command ${id}, which is not streamed`);
      const decoded = streamedAnswer(
        id,
        message.clientAction,
        message.sideEffects,
        message.endStream,
        subscription.method.responseType,
      );
      streamed.push(decoded);
      subscription.messages.push(decoded);
      if (decoded.endStream) subscription.ended = true;
    }
    return streamed;
  }
}

function streamedAnswer(
  commandId: number,
  clientAction: ClientAction | undefined,
  sideEffects: readonly SideEffectMessage[],
  endStream: boolean,
  responseType: MessageType,
): StreamedAnswer<Message> {
  return { ...clientOutcome(clientAction, responseType, sideEffects), commandId, endStream };
}
