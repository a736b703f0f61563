/**
 * The unit testkit of value entities: commands in; reply, stored state and deletes out. It drives the
 * production stream loop in memory as the proxy would, with every command, stored state and reply crossing real
 * protobuf bytes, and keeps the stored value as the proxy does, so `restart()` starts the entity from it.
 */
import {
  ValueEntityStreamIn,
  ValueEntityStreamOut,
  type ValueEntityReply,
} from "../../../gen/cloudstate/value_entity.js";
import { packMessage, type Any } from "../../any.js";
import type { DeepReadonly } from "../../deep-readonly.js";
import { NEVER_DRAINS } from "../../drain.js";
import type { Logger } from "../../logger.js";
import { guardObserver } from "../../observation.js";
import type { Observer } from "../../observer.js";
import type { Message, MessageInit } from "../../message-type.js";
import type { ServiceDefinition } from "../../service.js";
import type { ValueEntity } from "../../value-entity/entity.js";
import { runValueEntityStream } from "../../value-entity/stream.js";
import type { ValueEntityInstance } from "../../value-entity/instance.js";
import { memoryLogger, type MemoryLogger } from "../memory-logger.js";
import {
  assertDescriptorSetBuilds,
  assertEncoded,
  checkFailed,
  checksOf,
  difference,
  type TestKitChecks,
} from "./checks.js";
import { InMemoryStream } from "./in-memory-stream.js";
import {
  readRecordedJournal,
  recordValue,
  storedValue,
  writeRecordedJournal,
  type RecordedJournal,
} from "./recorded-journal.js";
import { readState } from "../../stored-types.js";
import { clientOutcome, type CommandOutcome } from "./results.js";
import { commandMessage, rpcOf, type CallOptions, type RequestInit, type ResponseOf, type RpcKey } from "./types.js";

/** Where a value entity starts. */
export interface ValueEntityTestKitOptions<State extends Message> {
  /** The entity's id. Default `entity-1`. */
  readonly entityId?: string;
  /** The state the proxy has stored for the entity; none by default (a new entity). */
  readonly state?: MessageInit<State>;
  /** The checks to run (encoding and descriptors apply); all on by default. */
  readonly checks?: TestKitChecks;
  /** Where the runtime's log lines go. Default: kept in memory, see {@link ValueEntityTestKit.log}. */
  readonly logger?: Logger;
  /**
   * Watches the entity as a server's observer would (e.g. `cloudstate-ts/opentelemetry`'s, with in-memory
   * exporters, to assert on a command's spans and metrics).
   */
  readonly observer?: Observer;
}

/** What a command did to the stored state. */
export type StoredChange<State> =
  | {
      /** Nothing stored: the proxy keeps what it had. */
      readonly kind: "none";
    }
  | {
      /** A new state stored. */
      readonly kind: "update";
      /** The state stored, decoded from what was sent. */
      readonly state: State;
    }
  | {
      /** The stored state deleted. */
      readonly kind: "delete";
    };

/** What one command did. */
export interface ValueEntityResult<Reply extends Message, State extends Message> extends CommandOutcome<Reply> {
  /** What the command asked the proxy to store: nothing, a new state (decoded from what was sent), or a delete. */
  readonly stored: StoredChange<State>;
  /** The entity's state after the command. */
  readonly state: DeepReadonly<State>;
}

/**
 * A value entity under test.
 *
 * ```ts
 * const profile = await ValueEntityTestKit.create(profileEntity(handlers), { entityId: "ann" });
 * const set = await profile.call("setName", { userId: "ann", name: "Ann" });
 * assert.equal(set.stored.kind, "update");
 * ```
 */
export class ValueEntityTestKit<S extends ServiceDefinition, State extends Message> {
  readonly #entity: ValueEntity<S, State>;
  readonly #checks: Required<TestKitChecks>;
  readonly #logger: Logger;
  readonly #observer: Observer | undefined;
  readonly #memory = memoryLogger();
  /** What the proxy holds: the last stored state, or none. */
  #stored: Any | undefined;
  #stream!: InMemoryStream<ValueEntityStreamIn, ValueEntityStreamOut>;
  #instance: ValueEntityInstance | undefined;
  #nextCommandId = 1;

  private constructor(
    entity: ValueEntity<S, State>,
    /** The id of the entity under test. */
    readonly entityId: string,
    options: ValueEntityTestKitOptions<State>,
    recorded?: RecordedJournal,
  ) {
    this.#entity = entity;
    this.#checks = checksOf(options.checks);
    this.#logger = options.logger ?? this.#memory;
    this.#observer = options.observer === undefined ? undefined : guardObserver(options.observer, this.#logger);
    this.#stored =
      recorded !== undefined
        ? recorded.stored === undefined
          ? undefined
          : storedValue(recorded.stored)
        : options.state === undefined
          ? undefined
          : packMessage(entity.config.state, options.state);
  }

  /**
   * Starts the entity from a recorded stored value (a file written by {@link saveJournal}, or its record) with
   * today's code: under the type URL it was stored with, through the entity's declared previous names and
   * upcasters; its state must then equal the recorded state (read the same way). Returns the kit, to go on with
   * commands.
   * @throws Error for a file that is not a recorded journal, or when the entity cannot start from the value;
   * AssertionError when its state differs from the recorded one.
   */
  static async replayJournal<S extends ServiceDefinition, State extends Message>(
    entity: ValueEntity<S, State>,
    source: string | RecordedJournal,
    options: Pick<ValueEntityTestKitOptions<State>, "checks" | "logger" | "observer"> = {},
  ): Promise<ValueEntityTestKit<S, State>> {
    const recorded = readRecordedJournal(source, "value");
    const kit = new ValueEntityTestKit(entity, recorded.entityId, options, recorded);
    await kit.#start();
    const expected = readState(entity.config.state, entity.oldStates, storedValue(recorded.state), "recorded state");
    const problem = difference(expected, kit.#live().state);
    if (problem !== undefined) {
      throw checkFailed(
        `${kit.#where} started from ${typeof source === "string" ? source : "the recorded value"} with another ` +
          `state than was recorded: ${problem} (recorded vs started)`,
      );
    }
    return kit;
  }

  /** What the proxy stores for the entity, with its state, for {@link replayJournal}. */
  recordJournal(): RecordedJournal {
    return {
      kind: "value",
      service: this.#entity.serviceName,
      entityId: this.entityId,
      ...(this.#stored === undefined ? {} : { stored: recordValue(this.#stored) }),
      state: recordValue(packMessage(this.#entity.config.state, this.#live().state as MessageInit<Message>)),
    };
  }

  /**
   * Saves {@link recordJournal} to a JSON file (creating its folder): commit it beside your tests and replay it
   * with {@link replayJournal}, so that code that could no longer read it fails there.
   */
  saveJournal(path: string): void {
    writeRecordedJournal(path, this.recordJournal());
  }

  /**
   * Starts the entity as the proxy would, with the stored state given, if any.
   * @throws AssertionError when its descriptor set would be refused by the proxy.
   */
  static async create<S extends ServiceDefinition, State extends Message>(
    entity: ValueEntity<S, State>,
    options: ValueEntityTestKitOptions<State> = {},
  ): Promise<ValueEntityTestKit<S, State>> {
    const kit = new ValueEntityTestKit(entity, options.entityId ?? "entity-1", options);
    if (kit.#checks.descriptors) assertDescriptorSetBuilds(entity.serviceName, entity.descriptorSet);
    await kit.#start();
    return kit;
  }

  /** The entity's current state. */
  get state(): DeepReadonly<State> {
    return this.#live().state as DeepReadonly<State>;
  }

  /** What the proxy has stored for the entity (decoded), or undefined when nothing is stored or it was deleted. */
  get stored(): State | undefined {
    if (this.#stored === undefined) return undefined;
    return readState(this.#entity.config.state, this.#entity.oldStates, this.#stored, "the stored state") as State;
  }

  /** The runtime's log lines, when no logger was given. */
  get log(): MemoryLogger["lines"] {
    return this.#memory.lines;
  }

  /**
   * Runs one command, as the proxy sends it, and returns what it did.
   * @throws AssertionError when a value does not survive encoding.
   */
  async call<K extends RpcKey<S>>(
    rpc: K,
    request: RequestInit<S, K>,
    options: CallOptions = {},
  ): Promise<ValueEntityResult<ResponseOf<S, K>, State>> {
    const method = rpcOf(this.#entity.config.service, rpc);
    const { answers, problems } = await this.#stream.send(
      commandMessage(this.entityId, this.#nextCommandId++, method, request, options),
    );
    if (this.#checks.encoding) assertEncoded(problems, `${method.name} on ${this.#where}`);
    const reply = this.#replyIn(answers, method.name);
    const action = reply.stateAction?.action;
    let stored: StoredChange<State> = { kind: "none" };
    if (action?.$case === "update" && action.value.value !== undefined) {
      this.#stored = action.value.value;
      stored = { kind: "update", state: this.#entity.config.state.decode(action.value.value.value) as State };
    } else if (action?.$case === "delete") {
      this.#stored = undefined;
      stored = { kind: "delete" };
    }
    return {
      ...clientOutcome(reply.clientAction, method.responseType as never, reply.sideEffects),
      stored,
      state: this.state,
    };
  }

  /**
   * Stops the entity (as passivation or a user-function restart would) and starts it again from what the proxy
   * stored.
   * @throws AssertionError when the state it starts with differs from the state it had (state kept but never
   * stored, say).
   */
  async restart(): Promise<void> {
    const before = this.#live().state;
    this.#stream.close();
    await this.#start();
    const problem = difference(before, this.#live().state);
    if (problem !== undefined) {
      throw checkFailed(
        `${this.#where} started from its stored state with another state than it had: ${problem} (before vs ` +
          "after the restart). A value entity keeps only what it stores with updateState.",
      );
    }
  }

  get #where(): string {
    return `${this.#entity.serviceName}/${this.entityId}`;
  }

  #live(): ValueEntityInstance {
    if (this.#instance === undefined) throw new Error(`${this.#where} is not running`);
    return this.#instance;
  }

  async #start(): Promise<void> {
    let instance: ValueEntityInstance | undefined;
    const entities = new Map([[this.#entity.serviceName, this.#entity]]);
    const stream = new InMemoryStream(
      (requests) =>
        runValueEntityStream(
          requests,
          entities,
          this.#logger,
          NEVER_DRAINS,
          (created) => {
            instance = created;
          },
          this.#observer,
        ),
      ValueEntityStreamIn,
      ValueEntityStreamOut,
    );
    const init = {
      serviceName: this.#entity.serviceName,
      entityId: this.entityId,
      state: this.#stored === undefined ? undefined : { value: this.#stored },
    };
    const { answers } = await stream.send({ message: { $case: "init", value: init } });
    const [first] = answers;
    if (first !== undefined || instance === undefined) {
      const description = first?.message?.$case === "failure" ? first.message.value.description : "not created";
      throw new Error(`${this.#where} failed to start: ${description}`);
    }
    this.#stream = stream;
    this.#instance = instance;
  }

  #replyIn(answered: readonly ValueEntityStreamOut[], rpcName: string): ValueEntityReply {
    const [answer] = answered;
    if (answer?.message?.$case === "reply") return answer.message.value;
    const description = answer?.message?.$case === "failure" ? answer.message.value.description : "no answer";
    throw new Error(`${this.#where} ended its stream on ${rpcName}: ${description}`);
  }
}
