/**
 * "Copy as a test": a command the inspector showed, written as a unit test on the unit testkit
 * (`EventSourcedTestKit.create` with the entity's events so far, the command, and its reply or failure, events
 * and state as assertions), for the project's `test/unit/` folder. The entity is imported from the module of
 * `src/` that exports it (found by the generated `<service>Entity(` call).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { InspectorStore } from "./store.js";

/** How a test's name says what the command came to. */
const ANSWERS: Readonly<Record<string, string>> = { reply: "replies", failure: "fails", forward: "forwards" };

/** A copied test, or why there is none. */
export type CopiedTest = { readonly file: string; readonly text: string } | { readonly error: string };

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** The `src/` module and export that define the entity of `serviceName`, as `export const x = fooEntity(...)`. */
export function findEntityExport(cwd: string, serviceName: string): { module: string; name: string } | undefined {
  const factory = `${lowerFirst(serviceName.slice(serviceName.lastIndexOf(".") + 1))}Entity`;
  const pattern = new RegExp(`export\\s+const\\s+(\\w+)\\s*=\\s*${factory}\\s*\\(`);
  const src = join(cwd, "src");
  if (!existsSync(src)) return undefined;
  for (const entry of readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.m?ts$/.test(entry.name) || entry.name.endsWith(".d.ts")) continue;
    const file = join(entry.parentPath, entry.name);
    const found = pattern.exec(readFileSync(file, "utf8"));
    if (found?.[1] !== undefined) return { module: relative(cwd, file), name: found[1] };
  }
  return undefined;
}

/** A value as a TypeScript literal: JSON with identifier keys unquoted, indented to sit at `indent`. */
function literal(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2)
    .replace(/^(\s*)"([A-Za-z_$][\w$]*)":/gm, "$1$2:")
    .replaceAll("\n", `\n${indent}`);
}

/** A request as a handler's input type takes it: without the `$type` tags, which it does not accept. */
function withoutTypeTags(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTypeTags);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "$type")
      .map(([key, item]) => [key, withoutTypeTags(item)]),
  );
}

/** The test for command `id` of `store`, for a project in `cwd`. */
export function copyAsTest(store: InspectorStore, id: string, cwd: string): CopiedTest {
  const command = store.commands.get(id);
  if (command === undefined) return { error: `no command ${id}` };
  if (command.kind !== "event-sourced") return { error: "copy as a test is for event-sourced commands" };
  if (command.outcome === undefined) return { error: "the command has not been answered yet" };
  const entity = store.entities.get(command.entityKey);
  if (entity === undefined) return { error: `the entity of ${id} is not known` };
  const before = entity.journal.filter((entry) => entry.sequence <= command.eventsBefore);
  if (before.some((entry, i) => entry.sequence !== i + 1) || before.length !== command.eventsBefore) {
    return { error: "the entity's journal before this command is not complete from its first event" };
  }
  const source = findEntityExport(cwd, command.serviceName);
  if (source === undefined) {
    return { error: `no module of src/ exports the entity of ${command.serviceName} (export const x = …Entity(…))` };
  }
  const importPath = `../../${source.module.replace(/\.m?ts$/, ".js")}`;
  const events = before.map((entry) => entry.event);
  const rpc = lowerFirst(command.commandName);
  const lines = [
    `// Copied from the cloudstate-ts inspector: ${command.serviceName}.${command.commandName} on "${command.entityId}",`,
    `// after ${before.length} event(s), as the dev session saw it at ${new Date(command.at).toISOString()}.`,
    `import assert from "node:assert/strict";`,
    `import { it } from "node:test";`,
    `import { EventSourcedTestKit } from "cloudstate-ts/testkit";`,
    `import { ${source.name} } from "${importPath}";`,
    ``,
    `it(${JSON.stringify(`${command.commandName} on ${command.entityId} after ${before.length} event(s) ${ANSWERS[command.outcome] ?? "answers"} as in the dev session`)}, async () => {`,
    `  const entity = await EventSourcedTestKit.create(${source.name}, {`,
    `    entityId: ${JSON.stringify(command.entityId)},`,
    `    events: ${literal(events, "    ")},`,
    `  });`,
    `  const result = await entity.call(${JSON.stringify(rpc)}, ${literal(withoutTypeTags(command.request?.json ?? {}), "  ")});`,
  ];
  if (command.outcome === "failure") {
    lines.push(`  assert.equal(result.failure, ${JSON.stringify(command.failure ?? "")});`);
    lines.push(`  assert.deepEqual(result.events, []);`);
  } else {
    if (command.outcome === "reply") {
      lines.push(`  assert.deepEqual(result.reply, ${literal(command.reply?.json ?? null, "  ")});`);
    }
    lines.push(
      `  assert.deepEqual(result.events, ${literal(
        command.events.map((e) => e.event),
        "  ",
      )});`,
    );
  }
  // A failed command keeps the state it found: the state after the events before it.
  const stateAfter = command.outcome === "failure" ? before.at(-1)?.state : command.stateAfter;
  if (stateAfter !== undefined) lines.push(`  assert.deepEqual(result.state, ${literal(stateAfter, "  ")});`);
  lines.push(`});`, ``);
  const name = `${lowerFirst(command.commandName)}-${command.entityId}-${command.id}`.replace(/[^\w-]/g, "_");
  const file = `test/unit/${name}.inspector.test.ts`;
  return { file, text: lines.join("\n") };
}
