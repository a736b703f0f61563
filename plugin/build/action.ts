/** Action services: stateless, so every stateful option is a problem. */
import type { EntityOptions } from "../gen/cloudstate/typescript/entity_options_pb.js";
import type { ActionModel } from "../model.js";
import { buildCommands } from "./commands.js";
import { baseOf, type ServiceSite } from "./site.js";

/** The model of an action service; undefined when it has problems (added to the site's). */
export function buildAction(site: ServiceSite, options: EntityOptions): ActionModel | undefined {
  const { where, problems } = site;
  const before = problems.length;
  const stateless = (option: string): void => {
    problems.push(`${where}: ACTION services keep no state; remove (cloudstate.typescript.entity).${option}`);
  };
  if (options.state !== "") stateless("state");
  if (options.events.length > 0) stateless("events");
  if (options.jsonEvents.length > 0) stateless("json_events");
  if (options.persistenceId !== "") stateless("persistence_id");
  if (options.snapshotEvery !== 0) stateless("snapshot_every");
  if (options.passivationTimeoutMs !== 0n) stateless("passivation_timeout_ms");
  if (options.crdt !== undefined) stateless("crdt");
  const commands = buildCommands(site, { kindName: "ACTION", entity: false });
  if (problems.length > before) return undefined;
  return { ...baseOf(site, commands), kind: "action" };
}
