/**
 * What an event-sourced or value entity's stored data may hold besides its current types: the names its types
 * were stored under before (`previous_names`) and its retired event and state types. Checked so that every type
 * URL the entity reads means exactly one type.
 */
import type { RetiredType } from "../gen/cloudstate/typescript/entity_options_pb.js";
import type { MessageInfo, RetiredTypeModel, StoredEncoding } from "../model.js";
import { previousNamesOf } from "../proto-options.js";
import { resolveType, type ServiceSite } from "./site.js";

const PROTOBUF_PREFIX = "type.googleapis.com/";
const JSON_PREFIX = "json.cloudstate.io/";
const FULL_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The type URL a message is stored under in an encoding. */
export function storedUrl(fullName: string, encoding: StoredEncoding): string {
  return encoding === "json" ? JSON_PREFIX + fullName.slice(fullName.lastIndexOf(".") + 1) : PROTOBUF_PREFIX + fullName;
}

/** The encoding a type URL names; undefined for anything else. */
export function encodingOfUrl(url: string): StoredEncoding | undefined {
  if (url.startsWith(PROTOBUF_PREFIX)) return "protobuf";
  if (url.startsWith(JSON_PREFIX)) return "json";
  return undefined;
}

/** A type the entity reads, current or retired, in the role its stored data has. */
interface ReadType {
  readonly message: MessageInfo;
  readonly encoding: StoredEncoding;
  readonly role: "event" | "state";
  readonly retired: boolean;
}

/** The evolution declarations of one entity, checked. */
export interface StoredTypes {
  readonly previousUrls: ReadonlyMap<string, readonly string[]>;
  readonly retiredEvents: readonly RetiredTypeModel[];
  readonly retiredStates: readonly RetiredTypeModel[];
}

/** The type URLs a message's previous names stand for, or problems with them. */
function previousUrlsOf(site: ServiceSite, read: ReadType): string[] {
  const urls: string[] = [];
  for (const name of previousNamesOf(read.message.desc)) {
    const where = `${site.where}: ${read.message.fullName}: previous name "${name}"`;
    const encoding = encodingOfUrl(name);
    if (encoding !== undefined) {
      const rest = name.slice(name.indexOf("/") + 1);
      if (!FULL_NAME.test(rest) || (encoding === "json" && rest.includes("."))) {
        site.problems.push(`${where} is not a type URL (type.googleapis.com/<full name> or json.cloudstate.io/<name>)`);
      } else if (encoding === "json" && read.role === "state") {
        site.problems.push(`${where}: states are stored as protobuf; a JSON type URL cannot name one`);
      } else urls.push(name);
    } else if (!FULL_NAME.test(name)) {
      site.problems.push(`${where} is not a full message name (package.Message) nor a type URL`);
    } else urls.push(storedUrl(name, read.encoding));
  }
  return urls;
}

function retiredOf(
  site: ServiceSite,
  declared: readonly RetiredType[],
  role: "event" | "state",
  current: readonly MessageInfo[],
): ReadType[] {
  const option = role === "event" ? "retired_events" : "retired_states";
  const found: ReadType[] = [];
  for (const retired of declared) {
    if (retired.type === "") {
      site.problems.push(`${site.where}: (cloudstate.typescript.entity).${option} needs a type for each entry`);
      continue;
    }
    const message = resolveType(site, retired.type, `retired ${role}`);
    if (message === undefined) continue;
    if (retired.json && role === "state") {
      site.problems.push(
        `${site.where}: retired state ${message.fullName}: states are stored as protobuf; remove json`,
      );
    }
    if (current.some((c) => c.fullName === message.fullName)) {
      site.problems.push(
        `${site.where}: ${message.fullName} is both a current ${role} type and in ${option}; a retired type is one ` +
          `the entity no longer writes: remove it from one list`,
      );
    } else if (found.some((f) => f.message.fullName === message.fullName)) {
      site.problems.push(`${site.where}: ${message.fullName} is listed twice in ${option}`);
    } else found.push({ message, encoding: retired.json ? "json" : "protobuf", role, retired: true });
  }
  return found;
}

/**
 * Builds and checks an entity's evolution declarations. Problems (a bad previous name, two types read from one
 * URL, a retired type that is also current, two upcasters of one name) are added to the site's.
 */
export function buildStoredTypes(
  site: ServiceSite,
  options: { retiredEvents: readonly RetiredType[]; retiredStates: readonly RetiredType[] },
  current: { state: MessageInfo; events: readonly MessageInfo[]; jsonEvents: readonly string[] },
): StoredTypes {
  const eventTypes: ReadType[] = current.events.map((message) => ({
    message,
    encoding: current.jsonEvents.includes(message.fullName) ? "json" : "protobuf",
    role: "event",
    retired: false,
  }));
  const stateType: ReadType = { message: current.state, encoding: "protobuf", role: "state", retired: false };
  const retiredEvents = retiredOf(site, options.retiredEvents, "event", current.events);
  const retiredStates = retiredOf(site, options.retiredStates, "state", [current.state]);
  const previousUrls = new Map<string, readonly string[]>();
  const retiredModels = new Map<ReadType, RetiredTypeModel>();
  for (const role of ["event", "state"] as const) {
    const reads = role === "event" ? [...eventTypes, ...retiredEvents] : [stateType, ...retiredStates];
    const owners = new Map<string, ReadType>();
    const claim = (url: string, read: ReadType, how: string): void => {
      const owner = owners.get(url);
      if (owner === undefined) {
        owners.set(url, read);
        return;
      }
      if (owner === read) return;
      site.problems.push(
        `${site.where}: ${read.message.fullName} ${how} ${url}, which ${owner.message.fullName} is already read ` +
          `from: a stored ${role} must mean one type; remove one of the names`,
      );
    };
    for (const read of reads) claim(storedUrl(read.message.fullName, read.encoding), read, "is stored under");
    for (const read of reads) {
      const urls = previousUrlsOf(site, read);
      for (const url of urls) claim(url, read, "declares the previous name");
      const own = storedUrl(read.message.fullName, read.encoding);
      if (read.retired)
        retiredModels.set(read, { message: read.message, encoding: read.encoding, urls: [own, ...urls] });
      else if (urls.length > 0) previousUrls.set(read.message.fullName, urls);
    }
  }
  const upcasters = new Map<string, string>();
  for (const read of [...retiredEvents, ...retiredStates]) {
    const name = upcasterName(read.message);
    const other = upcasters.get(name);
    if (other !== undefined) {
      site.problems.push(
        `${site.where}: retired types ${other} and ${read.message.fullName} would both have the upcaster ${name}; ` +
          `rename one`,
      );
    }
    upcasters.set(name, read.message.fullName);
  }
  const modelOf = (read: ReadType): RetiredTypeModel => retiredModels.get(read) ?? { ...read, urls: [] };
  return { previousUrls, retiredEvents: retiredEvents.map(modelOf), retiredStates: retiredStates.map(modelOf) };
}

/** The handler member that turns a retired type into a current one, e.g. `upcastItemAddedV1`. */
export function upcasterName(message: MessageInfo): string {
  return `upcast${message.symbol}`;
}
