/** Emits the typed handler interface and the wiring of one event-sourced entity. */
import type { EventSourcedEntityModel, MessageInfo } from "./model.js";
import { lowerFirst, relativeImport } from "./names.js";
import type { ImportTracker } from "./printer.js";
import { tsdoc } from "./printer.js";

/** What each entity emitter needs: where the runtime is, and how to name imported symbols. */
export interface EmitContext {
  readonly runtimeImport: string;
  readonly imports: ImportTracker;
  /** The module being written, for relative imports. */
  readonly fromModule: string;
}

/** A message's local name; on a clash, prefixed with its package's last part (`PersistenceCart`). */
function messageRef(ctx: EmitContext, message: MessageInfo, typeOnly: boolean): string {
  const scope = message.fullName.split(".").slice(-2, -1)[0] ?? "";
  const alias = `${scope.charAt(0).toUpperCase()}${scope.slice(1)}${message.symbol}`;
  return ctx.imports.use(relativeImport(ctx.fromModule, message.module), message.symbol, { typeOnly, alias });
}

/** The name of the handler method for an event, e.g. `onItemAdded`. */
export function eventHandlerName(event: MessageInfo): string {
  return `on${event.symbol}`;
}

/** The names an entity's generated symbols get, shared by the wiring and the starter emitters. */
export function entityNames(entity: EventSourcedEntityModel) {
  return {
    state: `${entity.name}State`,
    event: `${entity.name}Event`,
    context: `${entity.name}Context`,
    handlers: `${entity.name}Handlers`,
    options: `${entity.name}Options`,
    define: `${lowerFirst(entity.name)}Entity`,
    descriptorSet: `${entity.name.toUpperCase()}_DESCRIPTOR_SET`,
  };
}

/** The generated code of one event-sourced entity (without the file's import block). */
export function generateEventSourcedEntity(ctx: EmitContext, entity: EventSourcedEntityModel): string {
  const names = entityNames(entity);
  const runtime = (symbol: string, typeOnly = true): string => ctx.imports.use(ctx.runtimeImport, symbol, { typeOnly });
  const codegen = (symbol: string): string => ctx.imports.use(`${ctx.runtimeImport}/codegen`, symbol);
  const definition = ctx.imports.use(relativeImport(ctx.fromModule, entity.module), `${entity.name}Definition`);
  // The service's own messages are named first, so that they keep their plain names on a clash.
  for (const command of entity.commands) {
    messageRef(ctx, command.input, true);
    messageRef(ctx, command.output, true);
  }
  const stateType = messageRef(ctx, entity.state, true);
  const eventTypes = entity.events.map((event) => messageRef(ctx, event, true));
  const out: string[] = [];

  out.push(`/** The state of each ${entity.name} entity: \`${entity.state.fullName}\`. */\n`);
  out.push(`export type ${names.state} = ${stateType};\n\n`);
  out.push(`/** The events each ${entity.name} entity may emit. */\n`);
  out.push(`export type ${names.event} = ${eventTypes.join(" | ")};\n\n`);
  out.push(`/** What each ${entity.name} command handler can see and do. */\n`);
  out.push(
    `export type ${names.context} = ${runtime("EventSourcedCommandContext")}<${names.state}, ${names.event}>;\n\n`,
  );

  out.push(
    tsdoc(
      `${entity.comment?.trim() ?? `The ${entity.fullName} entity.`}\n\nImplement every method; an rpc added to the proto becomes a compile error here.`,
    ),
  );
  out.push(`export interface ${names.handlers} {\n`);
  out.push(`  /** The state of an entity with neither snapshot nor events. */\n`);
  out.push(`  initialState(entityId: string): ${names.state};\n`);
  for (const command of entity.commands) {
    const input = messageRef(ctx, command.input, true);
    const output = messageRef(ctx, command.output, true);
    out.push("\n");
    out.push(tsdoc(command.comment ?? `Handles the ${command.rpcName} command.`, "  "));
    out.push(
      `  ${command.key}(command: ${input}, context: ${names.context}): ${runtime("CommandResult")}<${output}>;\n`,
    );
  }
  entity.events.forEach((event, i) => {
    out.push("\n");
    out.push(`  /** Applies a \`${event.fullName}\` event and returns the new state. Must not fail. */\n`);
    out.push(`  ${eventHandlerName(event)}(state: ${names.state}, event: ${eventTypes[i]}): ${names.state};\n`);
  });
  out.push(`}\n\n`);

  out.push(`/** Deployment settings of ${entity.name}; the proto sets the defaults. */\n`);
  out.push(`export interface ${names.options} {\n`);
  out.push(
    `  readonly persistenceId?: string;\n  readonly snapshotEvery?: number;\n  readonly passivationTimeoutMs?: number;\n`,
  );
  out.push(`}\n\n`);

  out.push(`/** Turns an implementation of {@link ${names.handlers}} into an entity to pass to \`serve\`. */\n`);
  out.push(
    `export function ${names.define}(handlers: ${names.handlers}, options: ${names.options} = {}): ${runtime("EventSourcedEntity")} {\n`,
  );
  out.push(`  return ${codegen("defineEventSourcedEntity")}<${names.state}, ${names.event}>({\n`);
  out.push(`    service: ${definition},\n`);
  out.push(`    descriptorSet: ${codegen("descriptorSetFromBase64")}(${names.descriptorSet}),\n`);
  out.push(`    persistenceId: options.persistenceId ?? ${JSON.stringify(entity.persistenceId)},\n`);
  if (entity.snapshotEvery !== undefined) {
    out.push(`    snapshotEvery: options.snapshotEvery ?? ${entity.snapshotEvery},\n`);
  } else {
    out.push(`    ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),\n`);
  }
  if (entity.passivationTimeoutMs !== undefined) {
    out.push(`    passivationTimeoutMs: options.passivationTimeoutMs ?? ${entity.passivationTimeoutMs},\n`);
  } else {
    out.push(
      `    ...(options.passivationTimeoutMs === undefined ? {} : { passivationTimeoutMs: options.passivationTimeoutMs }),\n`,
    );
  }
  out.push(`    state: ${messageRef(ctx, entity.state, false)},\n`);
  out.push(`    initialState: (entityId) => handlers.initialState(entityId),\n`);
  out.push(`    events: {\n`);
  entity.events.forEach((event, i) => {
    const value = messageRef(ctx, event, false);
    out.push(`      ${JSON.stringify(event.fullName)}: {\n`);
    out.push(`        type: ${value},\n`);
    out.push(
      `        apply: (state, event) => handlers.${eventHandlerName(event)}(state, event as ${eventTypes[i]}),\n`,
    );
    out.push(`      },\n`);
  });
  out.push(`    },\n`);
  out.push(`    commands: {\n`);
  for (const command of entity.commands) {
    const input = messageRef(ctx, command.input, true);
    out.push(`      ${JSON.stringify(command.rpcName)}: {\n`);
    out.push(`        method: ${definition}.methods.${command.key},\n`);
    out.push(`        handle: (command, context) => handlers.${command.key}(command as ${input}, context),\n`);
    out.push(`      },\n`);
  }
  out.push(`    },\n`);
  out.push(`  });\n`);
  out.push(`}\n\n`);

  out.push(`/** FileDescriptorSet of ${entity.file} and its imports, for discovery. */\n`);
  out.push(`const ${names.descriptorSet} =\n`);
  const base64 = Buffer.from(entity.descriptorSet).toString("base64");
  const chunks = base64.match(/.{1,100}/g) ?? [""];
  out.push(chunks.map((chunk) => `  ${JSON.stringify(chunk)}`).join(" +\n"));
  out.push(";\n");
  return out.join("");
}
