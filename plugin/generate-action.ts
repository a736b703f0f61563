/** Emits the typed handler interface and the wiring of one action service. */
import { commandDoc, definitionRef, entityNames, messageRef, runtimeRef, type EmitContext } from "./generate-common.js";
import { generateService } from "./generate-skeleton.js";
import type { ActionModel, CommandModel } from "./model.js";
import { tsdoc } from "./printer.js";

function streamsInput(command: CommandModel): boolean {
  return command.shape === "client-streaming" || command.shape === "bidi-streaming";
}

/** The handler method of an rpc: its parameters and result as its streaming shape makes them. */
function member(ctx: EmitContext, command: CommandModel, context: string): string {
  const input = messageRef(ctx, command.input, true);
  const output = messageRef(ctx, command.output, true);
  const streamedOut = command.shape === "server-streaming" || command.shape === "bidi-streaming";
  const params = streamsInput(command)
    ? `requests: AsyncIterable<${input}>, context: ${context}`
    : `request: ${input}, context: ${context}`;
  const result = streamedOut
    ? `${runtimeRef(ctx, "ReplyStream")}<${output}>`
    : `${runtimeRef(ctx, "ActionResult")}<${output}>`;
  const doc = tsdoc(commandDoc(command, `Handles the ${command.rpcName} call (${command.shape}).`), "  ");
  return `${doc}  ${command.key}(${params}): ${result};\n`;
}

/** The entry of an rpc in the action's handler map: its shape, and the handler method called with its input. */
function entry(command: CommandModel): readonly string[] {
  const arg = streamsInput(command) ? "requests" : "request";
  return [
    `        shape: ${JSON.stringify(command.shape)},\n`,
    `        handle: (${arg}, context) => handlers.${command.key}(${arg}, context),\n`,
  ];
}

/** The generated code of one action service (without the file's import block). */
export function generateAction(ctx: EmitContext, action: ActionModel): string {
  const names = entityNames(action);
  const definition = definitionRef(ctx, action);
  const types =
    `/** What each ${action.name} handler can see and do. */\n` +
    `export type ${names.context} = ${runtimeRef(ctx, "ActionContext")};\n\n`;
  return generateService(ctx, action, {
    types,
    fallbackDoc: `The ${action.fullName} action service.`,
    members: action.commands.map((command) => member(ctx, command, names.context)),
    options: undefined,
    returnType: `${runtimeRef(ctx, "Action")}<typeof ${definition}>`,
    defineCall: `${runtimeRef(ctx, "defineAction", false)}<typeof ${definition}>`,
    config: [],
    methodMap: "handlers",
    entry,
  });
}
