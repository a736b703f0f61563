/**
 * `cloudstate-ts inspect`: what the running dev session's inspector shows, from a terminal: the entities, or one
 * entity's state, journal (with the state after each event) and commands; as text for people, or `--json` for
 * scripts. It reads the same JSON API as the page.
 */
import type { CommandView, JournalEntry } from "../inspector/store.js";
import type { EntitySummary } from "../inspector/views.js";
import { UsageError } from "./usage.js";

interface EntityDetail {
  readonly key: string;
  readonly kind: string;
  readonly serviceName: string;
  readonly entityId: string;
  readonly state: unknown;
  readonly journal: readonly JournalEntry[];
  readonly commands: readonly CommandView[];
  readonly divergence?: { sequence: number; type: string; failure?: string };
}

/** A GET against the dev session's inspector, with a clear message when nothing answers there. */
async function get<T>(port: number, path: string): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${port}${path}`);
  } catch {
    throw new Error(
      `no dev session's inspector answers on 127.0.0.1:${port}; start \`cloudstate-ts dev\` in the project ` +
        "(or give the port it printed with --inspector-port N)",
    );
  }
  return { status: response.status, body: (await response.json()) as T };
}

const compact = (value: unknown): string => JSON.stringify(value) ?? "";

/** Which entity `wanted` names: a key (`Service/id`) or an id alone, when one entity has it. */
function pick(entities: readonly EntitySummary[], wanted: string): EntitySummary {
  const exact = entities.find((entity) => entity.key === wanted);
  if (exact !== undefined) return exact;
  const byId = entities.filter((entity) => entity.entityId === wanted || entity.key.endsWith(`.${wanted}`));
  if (byId.length === 1 && byId[0] !== undefined) return byId[0];
  const known = entities.map((entity) => entity.key).join(", ") || "none yet";
  throw new UsageError(
    byId.length > 1
      ? `"${wanted}" names ${byId.length} entities; give one of: ${byId.map((e) => e.key).join(", ")}`
      : `no entity "${wanted}"; the entities seen: ${known}`,
  );
}

function entityText(entity: EntityDetail): string {
  const lines = [`${entity.serviceName} ${entity.entityId} (${entity.kind})`, `state: ${compact(entity.state)}`];
  if (entity.divergence !== undefined) {
    lines.push(`REPLAY DIVERGENCE at event ${entity.divergence.sequence} (${entity.divergence.type})`);
  }
  if (entity.kind === "event-sourced") {
    lines.push(`journal (${entity.journal.length} events):`);
    for (const entry of entity.journal) {
      lines.push(`  #${entry.sequence} ${entry.type} ${compact(entry.event)}${entry.snapshot ? " [snapshot]" : ""}`);
      lines.push(`      state after: ${compact(entry.state)}`);
    }
  }
  lines.push(`commands (${entity.commands.length}):`);
  for (const command of entity.commands) {
    const answer =
      command.outcome === "failure" || command.outcome === "error"
        ? `${command.outcome}: ${command.failure ?? ""}`
        : `${command.outcome ?? "in progress"}${command.reply?.json === undefined ? "" : ` ${compact(command.reply.json)}`}`;
    lines.push(
      `  ${new Date(command.at).toISOString()} ${command.commandName} ${compact(command.request?.json)} -> ${answer}` +
        (command.durationMs === undefined ? "" : ` (${command.durationMs.toFixed(1)} ms)`),
    );
  }
  return lines.join("\n");
}

function listText(entities: readonly EntitySummary[]): string {
  if (entities.length === 0) return "no entity yet: the inspector lists an entity once the proxy sends it a command";
  const rows = entities.map((e) => [
    e.kind,
    e.key,
    e.kind === "event-sourced" ? String(e.events) : "",
    String(e.commands),
    new Date(e.lastActivity).toISOString(),
    e.diverged ? "DIVERGED" : "",
  ]);
  const head = ["kind", "entity", "events", "commands", "last activity", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Runs `cloudstate-ts inspect` and returns what to print. */
export async function inspect(options: { port: number; json: boolean; entity?: string }): Promise<string> {
  const list = await get<{ entities: EntitySummary[] }>(options.port, "/api/entities");
  if (options.entity === undefined) {
    return options.json ? JSON.stringify(list.body.entities, null, 2) : listText(list.body.entities);
  }
  const chosen = pick(list.body.entities, options.entity);
  const detail = await get<EntityDetail>(options.port, `/api/entity?key=${encodeURIComponent(chosen.key)}`);
  if (detail.status !== 200) throw new Error(`the inspector has no entity ${chosen.key}`);
  return options.json ? JSON.stringify(detail.body, null, 2) : entityText(detail.body);
}
