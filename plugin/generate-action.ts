/** Emits the typed handler interface and the wiring of one action service. */
import {
  claimCommandMessages,
  commandDoc,
  codegenRef,
  definitionRef,
  DESCRIPTOR_SET_CONSTANT,
  entityNames,
  messageRef,
  runtimeRef,
  type EmitContext,
} from "./generate-common.js";
import type { ActionModel, CommandModel } from "./model.js";
import { tsdoc } from "./printer.js";

/** The handler method's parameters and result, as its rpc's streaming shape makes them. */
function signature(ctx: EmitContext, command: CommandModel, context: string): { params: string; result: string } {
  const input = messageRef(ctx, command.input, true);
  const output = messageRef(ctx, command.output, true);
  const streamedIn = command.shape === "client-streaming" || command.shape === "bidi-streaming";
  const streamedOut = command.shape === "server-streaming" || command.shape === "bidi-streaming";
  return {
    params: streamedIn
      ? `requests: AsyncIterable<${input}>, context: ${context}`
      : `request: ${input}, context: ${context}`,
    result: streamedOut
      ? `${runtimeRef(ctx, "ReplyStream")}<${output}>`
      : `${runtimeRef(ctx, "ActionResult")}<${output}>`,
  };
}

/** The generated code of one action service (without the file's import block). */
export function generateAction(ctx: EmitContext, action: ActionModel): string {
  const names = entityNames(action);
  claimCommandMessages(ctx, action);
  const definition = definitionRef(ctx, action);
  const out: string[] = [];
  out.push(`/** What each ${action.name} handler can see and do. */\n`);
  out.push(`export type ${names.context} = ${runtimeRef(ctx, "ActionContext")};\n\n`);
  out.push(
    tsdoc(
      `${action.comment?.trim() ?? `The ${action.fullName} action service.`}\n\nImplement every method; an rpc added to the proto becomes a compile error here.`,
    ),
  );
  out.push(`export interface ${names.handlers} {\n`);
  action.commands.forEach((command, i) => {
    const { params, result } = signature(ctx, command, names.context);
    if (i > 0) out.push("\n");
    out.push(tsdoc(commandDoc(command, `Handles the ${command.rpcName} call (${command.shape}).`), "  "));
    out.push(`  ${command.key}(${params}): ${result};\n`);
  });
  out.push(`}\n\n`);
  out.push(`/** Turns an implementation of {@link ${names.handlers}} into a service to pass to \`serve\`. */\n`);
  out.push(
    `export function ${names.define}(handlers: ${names.handlers}): ${runtimeRef(ctx, "Action")}<typeof ${definition}> {\n`,
  );
  out.push(`  return ${runtimeRef(ctx, "defineAction", false)}<typeof ${definition}>({\n`);
  out.push(`    service: ${definition},\n`);
  out.push(`    descriptorSet: ${codegenRef(ctx, "descriptorSetFromBase64")}(${DESCRIPTOR_SET_CONSTANT}),\n`);
  out.push(`    handlers: {\n`);
  for (const command of action.commands) {
    const streamedIn = command.shape === "client-streaming" || command.shape === "bidi-streaming";
    const arg = streamedIn ? "requests" : "request";
    out.push(`      ${JSON.stringify(command.rpcName)}: {\n`);
    out.push(`        method: ${definition}.methods.${command.key},\n`);
    out.push(`        shape: ${JSON.stringify(command.shape)},\n`);
    out.push(
      `        handle: (${streamedIn ? "requests" : "request"}, context) => handlers.${command.key}(${arg}, context),\n`,
    );
    out.push(`      },\n`);
  }
  out.push(`    },\n  });\n}\n\n`);
  return out.join("");
}
