/** Emits a starting implementation of an entity's handlers, to copy into user code and fill in. */
import { eventHandlerName, entityNames, type EmitContext } from "./generate-event-sourced.js";
import type { EventSourcedEntityModel } from "./model.js";
import { relativeImport } from "./names.js";

export function generateStarter(ctx: EmitContext, entity: EventSourcedEntityModel, generatedModule: string): string {
  const names = entityNames(entity);
  const from = relativeImport(ctx.fromModule, generatedModule);
  const handlers = ctx.imports.use(from, names.handlers, { typeOnly: true });
  const define = ctx.imports.use(from, names.define);
  const state = ctx.imports.use(relativeImport(ctx.fromModule, entity.state.module), entity.state.symbol);
  const out: string[] = [];
  out.push(`/** A starting point for ${entity.name}: copy this file out of the generated folder and fill it in. */\n`);
  out.push(`export const ${entity.name.charAt(0).toLowerCase()}${entity.name.slice(1)}Handlers: ${handlers} = {\n`);
  out.push(`  initialState: () => ${state}.create(),\n`);
  for (const command of entity.commands) {
    out.push(`  ${command.key}: (_command, context) => context.fail("${command.rpcName} is not implemented yet"),\n`);
  }
  for (const event of entity.events) {
    out.push(`  ${eventHandlerName(event)}: (state, _event) => state,\n`);
  }
  out.push(`};\n\n`);
  out.push(
    `export const ${names.define.replace(/Entity$/, "")} = ${define}(${entity.name.charAt(0).toLowerCase()}${entity.name.slice(1)}Handlers);\n`,
  );
  return out.join("");
}
