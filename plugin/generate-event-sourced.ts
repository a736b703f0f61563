/** Emits the typed handler interface and the wiring of one event-sourced entity. */
import {
  commandDoc,
  commandMember,
  configField,
  definitionRef,
  entityNames,
  eventHandlerName,
  initialStateMember,
  messageRef,
  runtimeRef,
  type EmitContext,
} from "./generate-common.js";
import { evolutionConfig, upcasterMembers } from "./generate-evolution.js";
import { commandEntry, generateService } from "./generate-skeleton.js";
import type { EventSourcedEntityModel } from "./model.js";

/** The generated code of one event-sourced entity (without the file's import block). */
export function generateEventSourcedEntity(ctx: EmitContext, entity: EventSourcedEntityModel): string {
  const names = entityNames(entity);
  const stateType = messageRef(ctx, entity.state, true);
  const eventTypes = entity.events.map((event) => messageRef(ctx, event, true));
  const types =
    `/** The state of each ${entity.name} entity: \`${entity.state.fullName}\`. */\n` +
    `export type ${names.state} = ${stateType};\n\n` +
    `/** The events each ${entity.name} entity may emit. */\n` +
    `export type ${names.event} = ${eventTypes.join(" | ")};\n\n` +
    `/** What each ${entity.name} command handler can see and do. */\n` +
    `export type ${names.context} = ${runtimeRef(ctx, "EventSourcedCommandContext")}<${names.state}, ${names.event}>;\n\n`;
  const readonlyState = `${runtimeRef(ctx, "DeepReadonly")}<${names.state}>`;
  const stateInit = `${runtimeRef(ctx, "StateInit")}<${names.state}>`;
  const eventMembers = entity.events.map(
    (event, i) =>
      `  /**\n   * Applies a \`${event.fullName}\` event.\n` +
      `   * Returns the new state, built from the read-only \`state\`; a plain object will do (e.g. \`{ ...state, field: value }\`). Must not fail.\n` +
      `   */\n` +
      // A function-typed property, not a method: its parameters are checked strictly, so an implementation
      // cannot declare a mutable \`state\` parameter.
      `  readonly ${eventHandlerName(event)}: (state: ${readonlyState}, event: ${eventTypes[i]}) => ${stateInit};\n`,
  );
  const commandMembers = entity.commands.map((command) =>
    commandMember(ctx, entity, command, commandDoc(command, `Handles the ${command.rpcName} command.`)),
  );
  const definition = definitionRef(ctx, entity);
  const eventEntries = entity.events.map(
    (event) =>
      `      ${JSON.stringify(event.fullName)}: {\n` +
      `        type: ${messageRef(ctx, event, false)},\n` +
      (entity.jsonEvents.includes(event.fullName) ? `        json: true,\n` : "") +
      `        apply: (state, event) => handlers.${eventHandlerName(event)}(state, event),\n` +
      `      },\n`,
  );
  return generateService(ctx, entity, {
    types,
    fallbackDoc: `The ${entity.fullName} entity.`,
    members: [
      initialStateMember(ctx, entity),
      ...commandMembers,
      ...eventMembers,
      ...upcasterMembers(ctx, entity, names),
    ],
    options: [
      ["persistenceId", "string"],
      ["snapshotEvery", "number"],
      ["passivationTimeoutMs", "number"],
    ],
    returnType: `${runtimeRef(ctx, "EventSourcedEntity")}<typeof ${definition}, ${names.state}, ${names.event}>`,
    defineCall: `${runtimeRef(ctx, "defineEventSourcedEntity", false)}<${names.state}, ${names.event}, typeof ${definition}>`,
    config: [
      configField("persistenceId", entity.persistenceId),
      configField("snapshotEvery", entity.snapshotEvery),
      configField("passivationTimeoutMs", entity.passivationTimeoutMs),
      `    state: ${messageRef(ctx, entity.state, false)},\n`,
      `    initialState: (entityId) => handlers.initialState(entityId),\n`,
      `    events: {\n${eventEntries.join("")}    },\n`,
      ...evolutionConfig(ctx, entity),
    ],
    methodMap: "commands",
    entry: commandEntry,
  });
}
