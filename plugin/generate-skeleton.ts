/**
 * The skeleton every kind's generated code shares: its type declarations, the handler interface, the deployment
 * options, and the `define` function that wires the handlers to the runtime's define call, one entry per rpc.
 * A kind fills in the parts (plugin/generate-{event-sourced,value-entity,crdt,action}.ts); the order and shape
 * of the code are the same for all.
 */
import { definitionRef, entityNames, fileDescriptorName, type EmitContext } from "./generate-common.js";
import type { CommandModel, EntityModel } from "./model.js";
import { tsdoc } from "./printer.js";

/** What a kind puts into the skeleton. */
export interface KindParts {
  /** The kind's type declarations (state, events, context), printed first. */
  readonly types: string;
  /** The first paragraph of the handler interface's doc when the proto has no comment for the service. */
  readonly fallbackDoc: string;
  /** The handler interface's members, each with its TSDoc, printed one blank line apart. */
  readonly members: readonly string[];
  /** The fields of the deployment options interface (name and type); undefined: the kind takes no options. */
  readonly options: readonly (readonly [string, string])[] | undefined;
  /** What `define` returns, e.g. `Action<typeof CartsDefinition>`. */
  readonly returnType: string;
  /** The runtime's define call with its type arguments, e.g. `defineAction<typeof CartsDefinition>`. */
  readonly defineCall: string;
  /** The config's lines between the descriptor and the rpc map, each ending with a newline. */
  readonly config: readonly string[];
  /** The key of the rpc map in the config. */
  readonly methodMap: "commands" | "handlers";
  /** The lines of an rpc's entry after its `method`, each ending with a newline. */
  readonly entry: (command: CommandModel) => readonly string[];
}

/** The entry of an entity's rpc: the handler method called with the typed command. */
export function commandEntry(command: CommandModel): readonly string[] {
  return [`        handle: (command, context) => handlers.${command.key}(command, context),\n`];
}

/** The deployment options interface, with the fields (name and type) the entity kind has. */
function optionsInterface(entity: EntityModel, fields: readonly (readonly [string, string])[]): string {
  const members = fields.map(([name, type]) => `  readonly ${name}?: ${type};\n`).join("");
  return `/** Deployment settings of ${entity.name}; the proto sets the defaults. */\nexport interface ${entityNames(entity).options} {\n${members}}\n\n`;
}

/** The generated code of one service (without the file's import block), from its kind's parts. */
export function generateService(ctx: EmitContext, entity: EntityModel, parts: KindParts): string {
  const names = entityNames(entity);
  const definition = definitionRef(ctx, entity);
  const out: string[] = [parts.types];
  out.push(
    tsdoc(
      `${entity.comment?.trim() ?? parts.fallbackDoc}\n\nImplement every method; an rpc added to the proto becomes a compile error here.`,
    ),
  );
  out.push(`export interface ${names.handlers} {\n${parts.members.join("\n")}}\n\n`);
  if (parts.options !== undefined) out.push(optionsInterface(entity, parts.options));
  const what = entity.kind === "action" ? "a service" : "an entity";
  out.push(`/** Turns an implementation of {@link ${names.handlers}} into ${what} to pass to \`serve\`. */\n`);
  const options = parts.options === undefined ? "" : `, options: ${names.options} = {}`;
  out.push(`export function ${names.define}(handlers: ${names.handlers}${options}): ${parts.returnType} {\n`);
  out.push(`  return ${parts.defineCall}({\n`);
  out.push(`    service: ${definition},\n`);
  out.push(`    descriptor: ${fileDescriptorName(entity.file)},\n`);
  out.push(...parts.config);
  out.push(`    ${parts.methodMap}: {\n`);
  for (const command of entity.commands) {
    out.push(`      ${JSON.stringify(command.rpcName)}: {\n`);
    out.push(`        method: ${definition}.methods.${command.key},\n`);
    out.push(...parts.entry(command));
    out.push(`      },\n`);
  }
  out.push(`    },\n  });\n}\n\n`);
  return out.join("");
}
