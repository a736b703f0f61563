/** Event-sourced and value entities: their state, events and options, checked. */
import { EntityKind, type EntityOptions } from "../gen/cloudstate/typescript/entity_options_pb.js";
import type { EventSourcedEntityModel, MessageInfo, ValueEntityModel } from "../model.js";
import { buildCommands } from "./commands.js";
import { baseOf, resolveType, timeoutOf, type ServiceSite } from "./site.js";
import { buildStoredTypes } from "./stored.js";

/** The model of an event-sourced or value entity; undefined when it has problems (added to the site's). */
export function buildStatefulEntity(
  site: ServiceSite,
  options: EntityOptions,
  kind: EntityKind.EVENT_SOURCED | EntityKind.VALUE_ENTITY,
): EventSourcedEntityModel | ValueEntityModel | undefined {
  const { where, problems } = site;
  const before = problems.length;
  const kindName = EntityKind[kind];
  const eventSourced = kind === EntityKind.EVENT_SOURCED;
  let state: MessageInfo | undefined;
  if (options.state === "") problems.push(`${where}: ${kindName} entities need (cloudstate.typescript.entity).state`);
  else state = resolveType(site, options.state, "state");
  if (eventSourced && options.events.length === 0 && options.jsonEvents.length === 0) {
    problems.push(
      `${where}: EVENT_SOURCED entities need at least one (cloudstate.typescript.entity).events or json_events type`,
    );
  }
  if (!eventSourced && options.events.length > 0) {
    problems.push(`${where}: ${kindName} entities have no events; remove (cloudstate.typescript.entity).events`);
  }
  if (!eventSourced && options.jsonEvents.length > 0) {
    problems.push(`${where}: ${kindName} entities have no events; remove (cloudstate.typescript.entity).json_events`);
  }
  if (options.crdt !== undefined) {
    problems.push(`${where}: only CRDT entities have a CRDT; remove (cloudstate.typescript.entity).crdt`);
  }
  if (!eventSourced && options.snapshotEvery !== 0) {
    problems.push(
      `${where}: ${kindName} entities take no snapshots; remove (cloudstate.typescript.entity).snapshot_every`,
    );
  }
  const events: MessageInfo[] = [];
  const jsonEvents: string[] = [];
  const references = [
    ...options.events.map((reference) => ({ reference, json: false })),
    ...options.jsonEvents.map((reference) => ({ reference, json: true })),
  ];
  for (const { reference, json } of references) {
    const event = resolveType(site, reference, "event");
    if (event === undefined) continue;
    if (events.some((e) => e.fullName === event.fullName))
      problems.push(`${where}: event type ${event.fullName} is listed twice`);
    else if (events.some((e) => e.symbol === event.symbol)) {
      problems.push(`${where}: event types ${event.fullName} and another share the name ${event.symbol}; rename one`);
    } else {
      events.push(event);
      if (json) jsonEvents.push(event.fullName);
    }
  }
  if (!eventSourced && options.retiredEvents.length > 0) {
    problems.push(
      `${where}: ${kindName} entities have no events; remove (cloudstate.typescript.entity).retired_events`,
    );
  }
  const commands = buildCommands(site, { kindName, entity: true });
  if (problems.length > before || state === undefined) return undefined;
  const stored = buildStoredTypes(site, options, { state, events, jsonEvents });
  if (problems.length > before) return undefined;
  const entity = {
    ...baseOf(site, commands),
    state,
    persistenceId: options.persistenceId === "" ? site.service.name : options.persistenceId,
    passivationTimeoutMs: timeoutOf(options.passivationTimeoutMs),
    previousUrls: stored.previousUrls,
    retiredStates: stored.retiredStates,
  };
  if (!eventSourced) return { ...entity, kind: "value" };
  const snapshotEvery = options.snapshotEvery === 0 ? undefined : options.snapshotEvery;
  return { ...entity, kind: "event-sourced", events, jsonEvents, snapshotEvery, retiredEvents: stored.retiredEvents };
}
