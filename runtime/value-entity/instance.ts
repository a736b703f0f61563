import type { Command } from "../../gen/cloudstate/entity.js";
import type { ValueEntityInit, ValueEntityStreamOut } from "../../gen/cloudstate/value_entity.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { readState } from "../stored-types.js";
import { metadataFromWire } from "../metadata.js";
import { failureReply, runCommand } from "../command-runner.js";
import type { Logger } from "../logger.js";
import { wholeMessage, type Message } from "../message-type.js";
import { completionOf, type CommandWatch } from "../observation.js";
import type { EntityObserver, Observer } from "../observer.js";
import { ValueEntityContextImpl } from "./context-impl.js";
import type { ValueEntity } from "./entity.js";

type StreamOut = DeepPartial<ValueEntityStreamOut>;

/** One live value entity: its decoded state and command handling. @internal */
export class ValueEntityInstance {
  readonly entityId: string;
  /** Who watches this entity, if anyone. */
  readonly observer: EntityObserver | undefined;
  #state: Message;

  constructor(
    readonly entity: ValueEntity,
    init: ValueEntityInit,
    private readonly logger: Logger,
    observer?: Observer,
  ) {
    this.entityId = init.entityId;
    const stored = init.state?.value;
    this.#state =
      stored === undefined
        ? wholeMessage(entity.config.state, entity.config.initialState(init.entityId))
        : readState(entity.config.state, entity.oldStates, stored, "the stored state");
    const state = this.#state;
    this.observer = observer?.entityStarted?.({
      kind: "value",
      serviceName: entity.serviceName,
      entityId: this.entityId,
      fromStoredValue: stored !== undefined,
      state: () => state,
    });
  }

  /** The entity's state (as of the last command). */
  get state(): Message {
    return this.#state;
  }

  /** Runs one command and returns its answer; never throws. */
  async answer(command: Command, watch?: CommandWatch): Promise<StreamOut> {
    const config = this.entity.config;
    const outcome = await runCommand(
      command,
      { serviceName: this.entity.serviceName, entityId: this.entityId },
      config.commands,
      () =>
        new ValueEntityContextImpl(
          config,
          this.#state,
          this.entityId,
          command.id,
          command.name,
          metadataFromWire(command.metadata),
        ),
      this.logger,
      {},
      watch,
    );
    if (!outcome.ok) {
      watch?.settle(completionOf({ failure: outcome.description, unexpected: outcome.unexpected === true }, []));
      return failureReply(command.id, outcome.description);
    }
    const { context, clientAction } = outcome;
    const change = context.change;
    this.#state = context.state;
    const stateAction =
      change.kind === "update"
        ? { action: { $case: "update" as const, value: { value: change.value } } }
        : change.kind === "delete"
          ? { action: { $case: "delete" as const, value: {} } }
          : undefined;
    if (watch !== undefined) {
      const state = this.#state;
      const stateChange = change.kind === "none" ? {} : { stateChange: { action: change.kind } };
      watch.settle(completionOf({ clientAction }, context.sideEffects, { ...stateChange, state: () => state }));
    }
    return {
      message: {
        $case: "reply",
        value: { commandId: command.id, clientAction, sideEffects: context.sideEffects, stateAction },
      },
    };
  }
}
