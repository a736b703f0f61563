/** CRDT entities: the declared CRDT type, its element and value types, checked. */
import { CrdtType, type CrdtSpec, type EntityOptions } from "../gen/cloudstate/typescript/entity_options_pb.js";
import { CRDT_SCALARS, type CrdtElementModel, type CrdtEntityModel, type CrdtSpecModel } from "../model.js";
import { buildCommands } from "./commands.js";
import { baseOf, resolveType, timeoutOf, type ServiceSite } from "./site.js";

const CRDT_TYPE_NAMES: { readonly [type: number]: CrdtSpecModel["type"] } = {
  [CrdtType.GCOUNTER]: "GCounter",
  [CrdtType.PNCOUNTER]: "PNCounter",
  [CrdtType.GSET]: "GSet",
  [CrdtType.ORSET]: "ORSet",
  [CrdtType.LWWREGISTER]: "LWWRegister",
  [CrdtType.FLAG]: "Flag",
  [CrdtType.ORMAP]: "ORMap",
  [CrdtType.VOTE]: "Vote",
};

function buildCrdtElement(site: ServiceSite, reference: string, what: string): CrdtElementModel | undefined {
  const scalar = CRDT_SCALARS.find((name) => name === reference);
  if (scalar !== undefined) return { kind: "scalar", scalar };
  const message = resolveType(site, reference, what);
  return message === undefined ? undefined : { kind: "message", message };
}

/** Checks and resolves a CrdtSpec; `path` names it in messages, e.g. `crdt.value`. */
function buildCrdtSpec(site: ServiceSite, spec: CrdtSpec, path: string): CrdtSpecModel | undefined {
  const { where, problems } = site;
  const option = `(cloudstate.typescript.entity).${path}`;
  const type = CRDT_TYPE_NAMES[spec.type];
  if (type === undefined) {
    problems.push(
      `${where}: ${option}.type is required (GCOUNTER, PNCOUNTER, GSET, ORSET, LWWREGISTER, FLAG, ORMAP or VOTE)`,
    );
    return undefined;
  }
  const takesElement = type === "GSet" || type === "ORSet" || type === "LWWRegister" || type === "ORMap";
  const named = `a CRDT of type ${CrdtType[spec.type] ?? type}`;
  if (!takesElement && spec.element !== "")
    problems.push(`${where}: ${named} has no elements; remove ${option}.element`);
  if (type !== "ORMap" && spec.value !== undefined) {
    problems.push(`${where}: only an ORMAP has values; remove ${option}.value`);
  }
  if (!takesElement) return { type };
  if (spec.element === "") {
    const what = type === "ORMap" ? "key" : type === "LWWRegister" ? "value" : "element";
    problems.push(
      `${where}: ${named} needs ${option}.element, its ${what} type (a message or one of ${CRDT_SCALARS.join(", ")})`,
    );
    return undefined;
  }
  const element = buildCrdtElement(site, spec.element, `${path}.element`);
  if (type !== "ORMap") return element === undefined ? undefined : { type, element };
  if (spec.value === undefined) {
    problems.push(`${where}: an ORMAP needs ${option}.value, the CRDT of its values`);
    return undefined;
  }
  const value = buildCrdtSpec(site, spec.value, `${path}.value`);
  return element === undefined || value === undefined ? undefined : { type, element, value };
}

/** The model of a CRDT entity; undefined when it has problems (added to the site's). */
export function buildCrdtEntity(site: ServiceSite, options: EntityOptions): CrdtEntityModel | undefined {
  const { where, problems } = site;
  const before = problems.length;
  const unused = (option: string, why: string): void => {
    problems.push(`${where}: CRDT entities ${why}; remove (cloudstate.typescript.entity).${option}`);
  };
  if (options.state !== "") unused("state", "declare their state with `crdt`");
  if (options.events.length > 0) unused("events", "have no events");
  if (options.persistenceId !== "") unused("persistence_id", "are replicated, not persisted");
  if (options.snapshotEvery !== 0) unused("snapshot_every", "take no snapshots");
  const crdt = options.crdt === undefined ? undefined : buildCrdtSpec(site, options.crdt, "crdt");
  const commands = buildCommands(site, { kindName: "CRDT", entity: true, serverStreaming: true });
  if (problems.length > before) return undefined;
  return {
    ...baseOf(site, commands),
    kind: "crdt",
    crdt,
    passivationTimeoutMs: timeoutOf(options.passivationTimeoutMs),
  };
}
