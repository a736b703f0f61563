/** Emits the typed handler interface and the wiring of one event-sourced entity. */
import {
  claimCommandMessages,
  codegenRef,
  commandWiring,
  configField,
  definitionRef,
  DESCRIPTOR_SET_CONSTANT,
  entityNames,
  eventHandlerName,
  handlersInterface,
  messageRef,
  optionsInterface,
  runtimeRef,
  type EmitContext,
} from "./generate-common.js";
import type { EventSourcedEntityModel } from "./model.js";

/** The generated code of one event-sourced entity (without the file's import block). */
export function generateEventSourcedEntity(ctx: EmitContext, entity: EventSourcedEntityModel): string {
  const names = entityNames(entity);
  claimCommandMessages(ctx, entity);
  const stateType = messageRef(ctx, entity.state, true);
  const eventTypes = entity.events.map((event) => messageRef(ctx, event, true));
  const out: string[] = [];

  out.push(`/** The state of each ${entity.name} entity: \`${entity.state.fullName}\`. */\n`);
  out.push(`export type ${names.state} = ${stateType};\n\n`);
  out.push(`/** The events each ${entity.name} entity may emit. */\n`);
  out.push(`export type ${names.event} = ${eventTypes.join(" | ")};\n\n`);
  out.push(`/** What each ${entity.name} command handler can see and do. */\n`);
  out.push(
    `export type ${names.context} = ${runtimeRef(ctx, "EventSourcedCommandContext")}<${names.state}, ${names.event}>;\n\n`,
  );
  const readonlyState = `${runtimeRef(ctx, "DeepReadonly")}<${names.state}>`;
  const stateInit = `${runtimeRef(ctx, "StateInit")}<${names.state}>`;
  const eventMethods = entity.events
    .map(
      (event, i) =>
        `\n  /**\n   * Applies a \`${event.fullName}\` event.\n` +
        `   * Returns the new state, built from the read-only \`state\`; a plain object will do (e.g. \`{ ...state, field: value }\`). Must not fail.\n` +
        `   */\n` +
        // A function-typed property, not a method: its parameters are checked strictly, so an implementation
        // cannot declare a mutable \`state\` parameter.
        `  readonly ${eventHandlerName(event)}: (state: ${readonlyState}, event: ${eventTypes[i]}) => ${stateInit};\n`,
    )
    .join("");
  out.push(handlersInterface(ctx, entity, eventMethods));
  out.push(
    optionsInterface(entity, [
      ["persistenceId", "string"],
      ["snapshotEvery", "number"],
      ["passivationTimeoutMs", "number"],
    ]),
  );

  out.push(`/** Turns an implementation of {@link ${names.handlers}} into an entity to pass to \`serve\`. */\n`);
  const definition = definitionRef(ctx, entity);
  const typeArgs = `typeof ${definition}, ${names.state}, ${names.event}`;
  out.push(
    `export function ${names.define}(handlers: ${names.handlers}, options: ${names.options} = {}): ${runtimeRef(ctx, "EventSourcedEntity")}<${typeArgs}> {\n`,
  );
  out.push(
    `  return ${runtimeRef(ctx, "defineEventSourcedEntity", false)}<${names.state}, ${names.event}, typeof ${definition}>({\n`,
  );
  out.push(`    service: ${definition},\n`);
  out.push(`    descriptorSet: ${codegenRef(ctx, "descriptorSetFromBase64")}(${DESCRIPTOR_SET_CONSTANT}),\n`);
  out.push(configField("persistenceId", entity.persistenceId));
  out.push(configField("snapshotEvery", entity.snapshotEvery));
  out.push(configField("passivationTimeoutMs", entity.passivationTimeoutMs));
  out.push(`    state: ${messageRef(ctx, entity.state, false)},\n`);
  out.push(`    initialState: (entityId) => handlers.initialState(entityId),\n`);
  out.push(`    events: {\n`);
  entity.events.forEach((event) => {
    out.push(`      ${JSON.stringify(event.fullName)}: {\n`);
    out.push(`        type: ${messageRef(ctx, event, false)},\n`);
    if (entity.jsonEvents.includes(event.fullName)) out.push(`        json: true,\n`);
    out.push(`        apply: (state, event) => handlers.${eventHandlerName(event)}(state, event),\n`);
    out.push(`      },\n`);
  });
  out.push(`    },\n`);
  out.push(commandWiring(ctx, entity));
  out.push(`  });\n}\n\n`);
  return out.join("");
}
