/**
 * Emits an entity's evolution declarations: the upcaster members of its handler interface (one per retired event
 * or state type, typed from the old message to the current one) and the `storedAs`, `retiredEvents` and
 * `retiredStates` fields of its wiring.
 */
import { messageRef, runtimeRef, type EmitContext } from "./generate-common.js";
import { upcasterName } from "./build/stored.js";
import type { EventSourcedEntityModel, RetiredTypeModel, ValueEntityModel } from "./model.js";

/** The handler members turning each retired type into a current value. */
export function upcasterMembers(
  ctx: EmitContext,
  entity: EventSourcedEntityModel | ValueEntityModel,
  names: { readonly state: string; readonly event: string },
): string[] {
  const events = entity.kind === "event-sourced" ? entity.retiredEvents : [];
  return [
    ...events.map(
      (retired) =>
        `  /**\n   * Turns a \`${retired.message.fullName}\` event of an old journal into a current event, or \`undefined\` to ` +
        `drop it. Called on replay only; a throw fails the entity's recovery.\n   */\n` +
        `  readonly ${upcasterName(retired.message)}: (event: ${messageRef(ctx, retired.message, true)}) => ${names.event} | undefined;\n`,
    ),
    ...entity.retiredStates.map(
      (retired) =>
        `  /**\n   * Turns a stored \`${retired.message.fullName}\` state into the current state (a plain object will do). ` +
        `Called on recovery only; a throw fails the entity's recovery.\n   */\n` +
        `  readonly ${upcasterName(retired.message)}: (state: ${messageRef(ctx, retired.message, true)}) => ` +
        `${runtimeRef(ctx, "StateInit")}<${names.state}>;\n`,
    ),
  ];
}

function retiredEntry(ctx: EmitContext, retired: RetiredTypeModel, parameter: "event" | "state"): string {
  const type = messageRef(ctx, retired.message, false);
  const previous = retired.urls.slice(1);
  return (
    `      ${JSON.stringify(retired.message.fullName)}: {\n` +
    `        type: ${type},\n` +
    (retired.encoding === "json" ? `        json: true,\n` : "") +
    (previous.length > 0 ? `        storedAs: ${JSON.stringify(previous)},\n` : "") +
    // The runtime decodes the value with `type` before calling the upcaster.
    `        upcast: (${parameter}) => handlers.${upcasterName(retired.message)}(${parameter} as ${messageRef(ctx, retired.message, true)}),\n` +
    `      },\n`
  );
}

/** The wiring's evolution fields; none when the entity declares nothing. */
export function evolutionConfig(ctx: EmitContext, entity: EventSourcedEntityModel | ValueEntityModel): string[] {
  const fields: string[] = [];
  if (entity.previousUrls.size > 0) {
    const entries = [...entity.previousUrls].map(
      ([name, urls]) => `      ${JSON.stringify(name)}: ${JSON.stringify(urls)},\n`,
    );
    fields.push(`    storedAs: {\n${entries.join("")}    },\n`);
  }
  if (entity.kind === "event-sourced" && entity.retiredEvents.length > 0) {
    const entries = entity.retiredEvents.map((retired) => retiredEntry(ctx, retired, "event"));
    fields.push(`    retiredEvents: {\n${entries.join("")}    },\n`);
  }
  if (entity.retiredStates.length > 0) {
    const entries = entity.retiredStates.map((retired) => retiredEntry(ctx, retired, "state"));
    fields.push(`    retiredStates: {\n${entries.join("")}    },\n`);
  }
  return fields;
}
