/** Emits a starting implementation of an entity's handlers, to copy into user code and fill in. */
import { entityNames, eventHandlerName, type EmitContext } from "./generate-common.js";
import { upcasterName } from "./build/stored.js";
import type { EntityModel } from "./model.js";
import { lowerFirst, relativeImport } from "./names.js";

/** The names a starter module declares for an entity: its handlers object and its entity. */
export function starterNames(entity: EntityModel): { readonly handlers: string; readonly entity: string } {
  return { handlers: `${lowerFirst(entity.name)}Handlers`, entity: lowerFirst(entity.name) };
}

export function generateStarter(ctx: EmitContext, entity: EntityModel, generatedModule: string): string {
  const names = entityNames(entity);
  const from = relativeImport(ctx.fromModule, generatedModule);
  const handlers = ctx.imports.use(from, names.handlers, { typeOnly: true });
  const define = ctx.imports.use(from, names.define);
  const declared = starterNames(entity);
  const value = declared.handlers;
  const out: string[] = [];
  out.push(`/** A starting point for ${entity.name}: copy this file out of the generated folder and fill it in. */\n`);
  out.push(`export const ${value}: ${handlers} = {\n`);
  if (entity.kind === "crdt") {
    if (entity.crdt === undefined)
      out.push(`  initialState: () => new ${ctx.imports.use(ctx.runtimeImport, "GCounter")}(),\n`);
  } else if (entity.kind !== "action") {
    const state = ctx.imports.use(relativeImport(ctx.fromModule, entity.state.module), entity.state.symbol);
    out.push(`  initialState: () => ${state}.create(),\n`);
  }
  for (const command of entity.commands) {
    out.push(`  ${command.key}: (_command, context) => context.fail("${command.rpcName} is not implemented yet"),\n`);
  }
  if (entity.kind === "event-sourced") {
    for (const event of entity.events) out.push(`  ${eventHandlerName(event)}: (state, _event) => state,\n`);
    for (const retired of entity.retiredEvents)
      out.push(`  ${upcasterName(retired.message)}: (_event) => undefined,\n`);
  }
  if (entity.kind === "event-sourced" || entity.kind === "value") {
    for (const retired of entity.retiredStates) {
      const state = ctx.imports.use(relativeImport(ctx.fromModule, entity.state.module), entity.state.symbol);
      out.push(`  ${upcasterName(retired.message)}: (_state) => ${state}.create(),\n`);
    }
  }
  out.push(`};\n\n`);
  out.push(`export const ${declared.entity} = ${define}(${value});\n`);
  return out.join("");
}
