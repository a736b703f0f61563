/** Emits the typed handler interface and the wiring of one CRDT entity. */
import {
  claimCommandMessages,
  codegenRef,
  configField,
  definitionRef,
  DESCRIPTOR_SET_CONSTANT,
  entityNames,
  messageRef,
  optionsInterface,
  runtimeRef,
  type EmitContext,
} from "./generate-common.js";
import type { CrdtElementModel, CrdtEntityModel, CrdtScalar, CrdtSpecModel } from "./model.js";
import { tsdoc } from "./printer.js";

const SCALAR_TYPES: Record<CrdtScalar, string> = {
  string: "string",
  bytes: "Uint8Array",
  bool: "boolean",
  int32: "number",
  int64: "",
  float: "number",
  double: "number",
};

function elementType(ctx: EmitContext, element: CrdtElementModel): string {
  if (element.kind === "message") return messageRef(ctx, element.message, true);
  return element.scalar === "int64" ? runtimeRef(ctx, "Int64") : SCALAR_TYPES[element.scalar];
}

function elementCodec(ctx: EmitContext, element: CrdtElementModel): string {
  if (element.kind === "message") {
    return `${runtimeRef(ctx, "messageCodec", false)}(${messageRef(ctx, element.message, false)})`;
  }
  return runtimeRef(ctx, `${element.scalar}Codec`, false);
}

/** The empty value of a new LWWRegister: the element type's default. */
function elementDefault(ctx: EmitContext, element: CrdtElementModel): string {
  if (element.kind === "message") return `${messageRef(ctx, element.message, false)}.create()`;
  switch (element.scalar) {
    case "string":
      return `""`;
    case "bytes":
      return "new Uint8Array(0)";
    case "bool":
      return "false";
    case "int64":
      return runtimeRef(ctx, "INT64_ZERO", false);
    default:
      return "0";
  }
}

/** The TypeScript type of a declared CRDT. */
function crdtType(ctx: EmitContext, spec: CrdtSpecModel): string {
  const name = runtimeRef(ctx, spec.type);
  switch (spec.type) {
    case "GSet":
    case "ORSet":
    case "LWWRegister":
      return `${name}<${elementType(ctx, spec.element)}>`;
    case "ORMap":
      return `${name}<${elementType(ctx, spec.element)}, ${crdtType(ctx, spec.value)}>`;
    default:
      return name;
  }
}

/** An expression creating an empty CRDT of a declared type. */
function crdtCreate(ctx: EmitContext, spec: CrdtSpecModel): string {
  const name = runtimeRef(ctx, spec.type, false);
  switch (spec.type) {
    case "GSet":
    case "ORSet":
      return `new ${name}<${elementType(ctx, spec.element)}>(${elementCodec(ctx, spec.element)})`;
    case "LWWRegister":
      return `new ${name}<${elementType(ctx, spec.element)}>(${elementCodec(ctx, spec.element)}, ${elementDefault(ctx, spec.element)})`;
    case "ORMap":
      return `new ${name}<${elementType(ctx, spec.element)}, ${crdtType(ctx, spec.value)}>(${elementCodec(ctx, spec.element)}, () => ${crdtCreate(ctx, spec.value)})`;
    default:
      return `new ${name}()`;
  }
}

function describeSpec(spec: CrdtSpecModel): string {
  switch (spec.type) {
    case "GSet":
    case "ORSet":
    case "LWWRegister":
      return `${spec.type} of ${describeElement(spec.element)}`;
    case "ORMap":
      return `ORMap from ${describeElement(spec.element)} to ${describeSpec(spec.value)}`;
    default:
      return spec.type;
  }
}

function article(text: string): string {
  return `${/^[AEIOU]/.test(text) ? "an" : "a"} ${text}`;
}

function describeElement(element: CrdtElementModel): string {
  return element.kind === "scalar" ? element.scalar : element.message.fullName;
}

/** The generated code of one CRDT entity (without the file's import block). */
export function generateCrdtEntity(ctx: EmitContext, entity: CrdtEntityModel): string {
  const names = entityNames(entity);
  claimCommandMessages(ctx, entity);
  const out: string[] = [];
  const spec = entity.crdt;
  out.push(
    spec === undefined
      ? `/** The CRDT of each ${entity.name} entity: any CRDT, chosen per entity by \`initialState\`. */\n`
      : `/** The CRDT of each ${entity.name} entity: ${article(describeSpec(spec))}. */\n`,
  );
  out.push(`export type ${names.state} = ${spec === undefined ? runtimeRef(ctx, "Crdt") : crdtType(ctx, spec)};\n\n`);
  out.push(`/** What each ${entity.name} command handler of a unary rpc can see and do. */\n`);
  out.push(`export type ${names.context} = ${runtimeRef(ctx, "CrdtCommandContext")}<${names.state}>;\n\n`);
  out.push(
    tsdoc(
      `${entity.comment?.trim() ?? `The ${entity.fullName} CRDT entity.`}\n\nImplement every method; an rpc added to the proto becomes a compile error here.`,
    ),
  );
  out.push(`export interface ${names.handlers} {\n`);
  if (spec === undefined) {
    out.push(`  /** A new, empty CRDT for the entity; the proxy's value, if it has one, is applied on top. */\n`);
    out.push(`  initialState(entityId: string): ${names.state};\n`);
  }
  entity.commands.forEach((command, i) => {
    const input = messageRef(ctx, command.input, true);
    const output = messageRef(ctx, command.output, true);
    if (i > 0 || spec === undefined) out.push("\n");
    if (command.shape === "server-streaming") {
      out.push(
        tsdoc(
          command.comment ??
            `Handles the ${command.rpcName} call: returns the first message (or nothing) and may subscribe to changes.`,
          "  ",
        ),
      );
      const context = `${runtimeRef(ctx, "CrdtStreamedCommandContext")}<${names.state}, ${output}>`;
      out.push(
        `  ${command.key}(command: ${input}, context: ${context}): ${runtimeRef(ctx, "CrdtStreamedResult")}<${output}>;\n`,
      );
    } else {
      out.push(tsdoc(command.comment ?? `Handles the ${command.rpcName} command.`, "  "));
      out.push(
        `  ${command.key}(command: ${input}, context: ${names.context}): ${runtimeRef(ctx, "CommandResult")}<${output}>;\n`,
      );
    }
  });
  out.push(`}\n\n`);
  out.push(optionsInterface(entity, [["passivationTimeoutMs", "number"]]));
  out.push(`/** Turns an implementation of {@link ${names.handlers}} into an entity to pass to \`serve\`. */\n`);
  const definition = definitionRef(ctx, entity);
  out.push(
    `export function ${names.define}(handlers: ${names.handlers}, options: ${names.options} = {}): ${runtimeRef(ctx, "CrdtEntity")}<typeof ${definition}, ${names.state}> {\n`,
  );
  out.push(`  return ${runtimeRef(ctx, "defineCrdtEntity", false)}<${names.state}, typeof ${definition}>({\n`);
  out.push(`    service: ${definition},\n`);
  out.push(`    descriptorSet: ${codegenRef(ctx, "descriptorSetFromBase64")}(${DESCRIPTOR_SET_CONSTANT}),\n`);
  out.push(configField("passivationTimeoutMs", entity.passivationTimeoutMs));
  out.push(
    spec === undefined
      ? `    initialState: (entityId) => handlers.initialState(entityId),\n`
      : `    initialState: () => ${crdtCreate(ctx, spec)},\n`,
  );
  out.push(`    commands: {\n`);
  for (const command of entity.commands) {
    out.push(`      ${JSON.stringify(command.rpcName)}: {\n`);
    out.push(`        method: ${definition}.methods.${command.key},\n`);
    out.push(`        handle: (command, context) => handlers.${command.key}(command, context),\n`);
    out.push(`      },\n`);
  }
  out.push(`    },\n  });\n}\n\n`);
  return out.join("");
}
