/** Emits the typed handler interface and the wiring of one value entity. */
import {
  commandDoc,
  commandMember,
  configField,
  definitionRef,
  entityNames,
  initialStateMember,
  messageRef,
  runtimeRef,
  type EmitContext,
} from "./generate-common.js";
import { evolutionConfig, upcasterMembers } from "./generate-evolution.js";
import { commandEntry, generateService } from "./generate-skeleton.js";
import type { ValueEntityModel } from "./model.js";

/** The generated code of one value entity (without the file's import block). */
export function generateValueEntity(ctx: EmitContext, entity: ValueEntityModel): string {
  const names = entityNames(entity);
  const stateType = messageRef(ctx, entity.state, true);
  const types =
    `/** The state of each ${entity.name} entity: \`${entity.state.fullName}\`. */\n` +
    `export type ${names.state} = ${stateType};\n\n` +
    `/** What each ${entity.name} command handler can see and do. */\n` +
    `export type ${names.context} = ${runtimeRef(ctx, "ValueEntityCommandContext")}<${names.state}>;\n\n`;
  const commandMembers = entity.commands.map((command) =>
    commandMember(ctx, entity, command, commandDoc(command, `Handles the ${command.rpcName} command.`)),
  );
  const definition = definitionRef(ctx, entity);
  return generateService(ctx, entity, {
    types,
    fallbackDoc: `The ${entity.fullName} entity.`,
    members: [initialStateMember(ctx, entity), ...commandMembers, ...upcasterMembers(ctx, entity, names)],
    options: [
      ["persistenceId", "string"],
      ["passivationTimeoutMs", "number"],
    ],
    returnType: `${runtimeRef(ctx, "ValueEntity")}<typeof ${definition}, ${names.state}>`,
    defineCall: `${runtimeRef(ctx, "defineValueEntity", false)}<${names.state}, typeof ${definition}>`,
    config: [
      configField("persistenceId", entity.persistenceId),
      configField("passivationTimeoutMs", entity.passivationTimeoutMs),
      `    state: ${messageRef(ctx, entity.state, false)},\n`,
      `    initialState: (entityId) => handlers.initialState(entityId),\n`,
      ...evolutionConfig(ctx, entity),
    ],
    methodMap: "commands",
    entry: commandEntry,
  });
}
