/** The pieces every entity kind's generated code shares: names, imports, the handler interface, the wiring. */
import type { CommandModel, EntityModel, MessageInfo } from "./model.js";
import { lowerFirst, moduleOf, relativeImport } from "./names.js";
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

/**
 * The constant a `<file>_cloudstate` module exports: its proto file, embedded (see generate-descriptor.ts). Named
 * after the file, as protobuf-es names its file descriptors (`file_google_protobuf_descriptor`), so that a module
 * importing several of them needs no aliases.
 */
export function fileDescriptorName(protoFile: string): string {
  return `file_${moduleOf(protoFile).replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** Every name the wiring module of `protoFile` declares itself; imported names that equal one of them are aliased. */
export function generatedNames(protoFile: string, entities: readonly EntityModel[]): string[] {
  return [fileDescriptorName(protoFile), ...entities.flatMap((entity) => Object.values(entityNames(entity)))];
}

/** The handler member giving a new entity's state. */
export function initialStateMember(ctx: EmitContext, entity: EntityModel): string {
  return (
    `  /** The state of an entity with nothing persisted yet (a plain object will do). */\n` +
    `  initialState(entityId: string): ${runtimeRef(ctx, "StateInit")}<${entityNames(entity).state}>;\n`
  );
}

/** The handler member of a unary entity rpc: its doc (the proto comment or `fallback`), then its method. */
export function commandMember(ctx: EmitContext, entity: EntityModel, command: CommandModel, doc: string): string {
  const input = messageRef(ctx, command.input, true);
  const output = messageRef(ctx, command.output, true);
  const context = entityNames(entity).context;
  return (
    tsdoc(doc, "  ") +
    `  ${command.key}(command: ${input}, context: ${context}): ${runtimeRef(ctx, "CommandResult")}<${output}>;\n`
  );
}

/** A config field set from the options when given, else from the proto (or left out when the proto sets none). */
export function configField(name: string, fromProto: string | number | undefined): string {
  if (fromProto !== undefined) return `    ${name}: options.${name} ?? ${JSON.stringify(fromProto)},\n`;
  return `    ...(options.${name} === undefined ? {} : { ${name}: options.${name} }),\n`;
}
