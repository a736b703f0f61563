/** Emits the typed handler interface and the wiring of one value entity. */
import {
  claimCommandMessages,
  codegenRef,
  commandWiring,
  configField,
  definitionRef,
  DESCRIPTOR_SET_CONSTANT,
  entityNames,
  handlersInterface,
  messageRef,
  optionsInterface,
  runtimeRef,
  type EmitContext,
} from "./generate-common.js";
import type { ValueEntityModel } from "./model.js";

/** The generated code of one value entity (without the file's import block). */
export function generateValueEntity(ctx: EmitContext, entity: ValueEntityModel): string {
  const names = entityNames(entity);
  claimCommandMessages(ctx, entity);
  const stateType = messageRef(ctx, entity.state, true);
  const out: string[] = [];

  out.push(`/** The state of each ${entity.name} entity: \`${entity.state.fullName}\`. */\n`);
  out.push(`export type ${names.state} = ${stateType};\n\n`);
  out.push(`/** What each ${entity.name} command handler can see and do. */\n`);
  out.push(`export type ${names.context} = ${runtimeRef(ctx, "ValueEntityCommandContext")}<${names.state}>;\n\n`);
  out.push(handlersInterface(ctx, entity, ""));
  out.push(
    optionsInterface(entity, [
      ["persistenceId", "string"],
      ["passivationTimeoutMs", "number"],
    ]),
  );
  out.push(`/** Turns an implementation of {@link ${names.handlers}} into an entity to pass to \`serve\`. */\n`);
  const definition = definitionRef(ctx, entity);
  out.push(
    `export function ${names.define}(handlers: ${names.handlers}, options: ${names.options} = {}): ${runtimeRef(ctx, "ValueEntity")}<typeof ${definition}, ${names.state}> {\n`,
  );
  out.push(`  return ${runtimeRef(ctx, "defineValueEntity", false)}<${names.state}, typeof ${definition}>({\n`);
  out.push(`    service: ${definition},\n`);
  out.push(`    descriptorSet: ${codegenRef(ctx, "descriptorSetFromBase64")}(${DESCRIPTOR_SET_CONSTANT}),\n`);
  out.push(configField("persistenceId", entity.persistenceId));
  out.push(configField("passivationTimeoutMs", entity.passivationTimeoutMs));
  out.push(`    state: ${messageRef(ctx, entity.state, false)},\n`);
  out.push(`    initialState: (entityId) => handlers.initialState(entityId),\n`);
  out.push(commandWiring(ctx, entity));
  out.push(`  });\n}\n\n`);
  return out.join("");
}
