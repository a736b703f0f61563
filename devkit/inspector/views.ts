/**
 * What the JSON API answers: the store's history shaped for the page and `cloudstate-ts inspect`.
 */
import type { CommandView, EntityView, InspectorStore } from "./store.js";

/** One line of the entity list. */
export interface EntitySummary {
  readonly key: string;
  readonly kind: EntityView["kind"];
  readonly serviceName: string;
  readonly entityId: string;
  readonly lastActivity: number;
  readonly events: number;
  readonly commands: number;
  readonly diverged: boolean;
}

/** Every entity, most recently active first. */
export function entitySummaries(store: InspectorStore): EntitySummary[] {
  return [...store.entities.values()]
    .sort((a, b) => b.lastActivity - a.lastActivity)
    .map((entity) => ({
      key: entity.key,
      kind: entity.kind,
      serviceName: entity.serviceName,
      entityId: entity.entityId,
      lastActivity: entity.lastActivity,
      events: entity.journal.length,
      commands: entity.commands.length,
      diverged: entity.divergence !== undefined,
    }));
}

/** A command as the API shows it. */
export function commandSummary(command: CommandView): CommandView {
  return command;
}

/** One entity with its journal, stored states, deltas, subscriptions and commands (newest last). */
export function entityDetail(
  store: InspectorStore,
  key: string,
): (Omit<EntityView, "commands"> & { commands: CommandView[] }) | undefined {
  const entity = store.entities.get(key);
  if (entity === undefined) return undefined;
  const commands = entity.commands.map((id) => store.commands.get(id)).filter((c) => c !== undefined);
  return { ...entity, commands };
}
