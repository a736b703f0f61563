/** Emits the typed handler interface and the wiring of one CRDT entity. */
import {
  commandMember,
  configField,
  definitionRef,
  entityNames,
  messageRef,
  runtimeRef,
  type EmitContext,
} from "./generate-common.js";
import { commandEntry, generateService } from "./generate-skeleton.js";
import type { CommandModel, CrdtElementModel, CrdtEntityModel, CrdtScalar, CrdtSpecModel } from "./model.js";
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

/** The handler method of an rpc: a unary command, or a server-streamed call that may subscribe to changes. */
function member(ctx: EmitContext, entity: CrdtEntityModel, command: CommandModel): string {
  if (command.shape !== "server-streaming") {
    return commandMember(ctx, entity, command, command.comment ?? `Handles the ${command.rpcName} command.`);
  }
  const input = messageRef(ctx, command.input, true);
  const output = messageRef(ctx, command.output, true);
  const doc = tsdoc(
    command.comment ??
      `Handles the ${command.rpcName} call: returns the first message (or nothing) and may subscribe to changes.`,
    "  ",
  );
  const context = `${runtimeRef(ctx, "CrdtStreamedCommandContext")}<${entityNames(entity).state}, ${output}>`;
  return `${doc}  ${command.key}(command: ${input}, context: ${context}): ${runtimeRef(ctx, "CrdtStreamedResult")}<${output}>;\n`;
}

/** The generated code of one CRDT entity (without the file's import block). */
export function generateCrdtEntity(ctx: EmitContext, entity: CrdtEntityModel): string {
  const names = entityNames(entity);
  const spec = entity.crdt;
  const types =
    (spec === undefined
      ? `/** The CRDT of each ${entity.name} entity: any CRDT, chosen per entity by \`initialState\`. */\n`
      : `/** The CRDT of each ${entity.name} entity: ${article(describeSpec(spec))}. */\n`) +
    `export type ${names.state} = ${spec === undefined ? runtimeRef(ctx, "Crdt") : crdtType(ctx, spec)};\n\n` +
    `/** What each ${entity.name} command handler of a unary rpc can see and do. */\n` +
    `export type ${names.context} = ${runtimeRef(ctx, "CrdtCommandContext")}<${names.state}>;\n\n`;
  const initialState =
    `  /** A new, empty CRDT for the entity; the proxy's value, if it has one, is applied on top. */\n` +
    `  initialState(entityId: string): ${names.state};\n`;
  const definition = definitionRef(ctx, entity);
  return generateService(ctx, entity, {
    types,
    fallbackDoc: `The ${entity.fullName} CRDT entity.`,
    members: [...(spec === undefined ? [initialState] : []), ...entity.commands.map((c) => member(ctx, entity, c))],
    options: [["passivationTimeoutMs", "number"]],
    returnType: `${runtimeRef(ctx, "CrdtEntity")}<typeof ${definition}, ${names.state}>`,
    defineCall: `${runtimeRef(ctx, "defineCrdtEntity", false)}<${names.state}, typeof ${definition}>`,
    config: [
      configField("passivationTimeoutMs", entity.passivationTimeoutMs),
      spec === undefined
        ? `    initialState: (entityId) => handlers.initialState(entityId),\n`
        : `    initialState: () => ${crdtCreate(ctx, spec)},\n`,
    ],
    methodMap: "commands",
    entry: commandEntry,
  });
}
