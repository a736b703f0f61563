/** The pieces every entity kind's generated code shares: names, imports, the handler interface, the wiring. */
import type {
  CommandModel,
  EntityModel,
  EventSourcedEntityModel,
  FileModel,
  MessageInfo,
  ValueEntityModel,
} from "./model.js";
import { lowerFirst, relativeImport } from "./names.js";
import { tsdoc, type ImportTracker } from "./printer.js";

/** What each entity emitter needs: where the runtime is, and how to name imported symbols. */
export interface EmitContext {
  readonly runtimeImport: string;
  readonly imports: ImportTracker;
  /** The module being written, for relative imports. */
  readonly fromModule: string;
}

/** A message's local name; on a clash, prefixed with its package's last part in PascalCase (`PersistenceCart`). */
export function messageRef(ctx: EmitContext, message: MessageInfo, typeOnly: boolean): string {
  const scope = message.fullName.split(".").slice(-2, -1)[0] ?? "";
  const pascal = scope
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  const alias = `${pascal}${message.symbol}`;
  return ctx.imports.use(relativeImport(ctx.fromModule, message.module), message.symbol, { typeOnly, alias });
}

/** A symbol of the runtime's public API. */
export function runtimeRef(ctx: EmitContext, symbol: string, typeOnly = true): string {
  return ctx.imports.use(ctx.runtimeImport, symbol, { typeOnly });
}

/**
 * A symbol of the runtime's helpers for generated code, from the codegen subpath of the version this generator
 * writes (`cloudstate-ts/codegen/v1`), so a later generator can change them without breaking modules generated
 * before.
 */
export function codegenRef(ctx: EmitContext, symbol: string): string {
  return ctx.imports.use(`${ctx.runtimeImport}/codegen/v1`, symbol);
}

/** The ts-proto service definition of the entity's service. */
export function definitionRef(ctx: EmitContext, entity: EntityModel): string {
  return ctx.imports.use(relativeImport(ctx.fromModule, entity.module), `${entity.name}Definition`);
}

/** The rpc's documentation: its proto comment (or `fallback`), then what `(cloudstate.eventing)` binds it to. */
export function commandDoc(command: CommandModel, fallback: string): string {
  const lines = [command.comment?.trim() ?? fallback];
  const { source, destinationTopic } = command.eventing;
  if (source !== undefined) {
    const from = source.kind === "topic" ? `topic \`${source.name}\`` : `the event log of \`${source.name}\``;
    const group = source.consumerGroup === "" ? "" : ` (consumer group \`${source.consumerGroup}\`)`;
    lines.push(
      `The proxy calls it with each event from ${from}${group}; \`context.metadata.cloudEvent\` describes the event.`,
    );
  }
  if (destinationTopic !== undefined) lines.push(`The proxy publishes its answers to topic \`${destinationTopic}\`.`);
  return lines.join("\n\n");
}

/** The name of the handler method for an event, e.g. `onItemAdded`. */
export function eventHandlerName(event: MessageInfo): string {
  return `on${event.symbol}`;
}

/** The names an entity's generated symbols get, shared by the wiring and the starter emitters. */
export function entityNames(entity: EntityModel) {
  return {
    state: `${entity.name}State`,
    event: `${entity.name}Event`,
    context: `${entity.name}Context`,
    handlers: `${entity.name}Handlers`,
    options: `${entity.name}Options`,
    define: `${lowerFirst(entity.name)}${entity.kind === "action" ? "Action" : "Entity"}`,
  };
}

/** The module-level constant holding the file's descriptor set, shared by all its entities. */
export const DESCRIPTOR_SET_CONSTANT = "FILE_DESCRIPTOR_SET";

/** Every name a wiring module declares itself; imported names that equal one of them are aliased. */
export function generatedNames(entities: readonly EntityModel[]): string[] {
  return [DESCRIPTOR_SET_CONSTANT, ...entities.flatMap((entity) => Object.values(entityNames(entity)))];
}

/** Names the service's own messages first, so that they keep their plain names on a clash. */
export function claimCommandMessages(ctx: EmitContext, entity: EntityModel): void {
  for (const command of entity.commands) {
    messageRef(ctx, command.input, true);
    messageRef(ctx, command.output, true);
  }
}

/** The handler interface: the entity comment, `initialState`, one method per rpc, then `extraMembers`. */
export function handlersInterface(
  ctx: EmitContext,
  entity: EventSourcedEntityModel | ValueEntityModel,
  extraMembers: string,
): string {
  const names = entityNames(entity);
  const out: string[] = [];
  out.push(
    tsdoc(
      `${entity.comment?.trim() ?? `The ${entity.fullName} entity.`}\n\nImplement every method; an rpc added to the proto becomes a compile error here.`,
    ),
  );
  out.push(`export interface ${names.handlers} {\n`);
  out.push(`  /** The state of an entity with nothing persisted yet (a plain object will do). */\n`);
  out.push(`  initialState(entityId: string): ${runtimeRef(ctx, "StateInit")}<${names.state}>;\n`);
  for (const command of entity.commands) {
    const input = messageRef(ctx, command.input, true);
    const output = messageRef(ctx, command.output, true);
    out.push("\n");
    out.push(tsdoc(commandDoc(command, `Handles the ${command.rpcName} command.`), "  "));
    out.push(
      `  ${command.key}(command: ${input}, context: ${names.context}): ${runtimeRef(ctx, "CommandResult")}<${output}>;\n`,
    );
  }
  out.push(extraMembers);
  out.push(`}\n\n`);
  return out.join("");
}

/** The deployment options interface, with the fields (name and type) the entity kind has. */
export function optionsInterface(entity: EntityModel, fields: readonly (readonly [string, string])[]): string {
  const members = fields.map(([name, type]) => `  readonly ${name}?: ${type};\n`).join("");
  return `/** Deployment settings of ${entity.name}; the proto sets the defaults. */\nexport interface ${entityNames(entity).options} {\n${members}}\n\n`;
}

/** A config field set from the options when given, else from the proto (or left out when the proto sets none). */
export function configField(name: string, fromProto: string | number | undefined): string {
  if (fromProto !== undefined) return `    ${name}: options.${name} ?? ${JSON.stringify(fromProto)},\n`;
  return `    ...(options.${name} === undefined ? {} : { ${name}: options.${name} }),\n`;
}

/** The `commands` map of the wiring: one entry per rpc, calling the handler method with the typed command. */
export function commandWiring(ctx: EmitContext, entity: EventSourcedEntityModel | ValueEntityModel): string {
  const definition = definitionRef(ctx, entity);
  const out: string[] = [`    commands: {\n`];
  for (const command of entity.commands) {
    out.push(`      ${JSON.stringify(command.rpcName)}: {\n`);
    out.push(`        method: ${definition}.methods.${command.key},\n`);
    out.push(`        handle: (command, context) => handlers.${command.key}(command, context),\n`);
    out.push(`      },\n`);
  }
  out.push(`    },\n`);
  return out.join("");
}

/** The embedded descriptor set constant of a file, decoded by each entity's wiring. */
export function descriptorSetConstant(file: FileModel): string {
  const base64 = Buffer.from(file.descriptorSet).toString("base64");
  const chunks = base64.match(/.{1,100}/g) ?? [""];
  return (
    `/** FileDescriptorSet of ${file.file} and its imports, for discovery. */\n` +
    `const ${DESCRIPTOR_SET_CONSTANT} =\n` +
    chunks.map((chunk) => `  ${JSON.stringify(chunk)}`).join(" +\n") +
    ";\n"
  );
}
