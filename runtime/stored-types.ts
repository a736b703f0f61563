/**
 * Reading what earlier code stored: the type URLs an entity's current types were stored under before (their
 * previous names) and its retired types, each turned into a current value by the handlers' upcaster. Used on
 * replay and recovery only; what the entity writes is always its current type under its current URL.
 */
import { JSON_URL_PREFIX, MESSAGE_URL_PREFIX, unpackJson, unpackMessage, type Any } from "./any.js";
import { ProtocolError } from "./errors.js";
import { wholeMessage, type JsonMessageType, type Message, type MessageType } from "./message-type.js";

/**
 * An old type an entity's stored data may hold and no longer writes: decoded as it was stored, then turned into a
 * current value by `upcast`. Generated code writes these from `retired_events` and `retired_states`.
 */
export interface RetiredType<Current> {
  /** The old message type, as it was stored. */
  readonly type: MessageType | JsonMessageType;
  /** `true`: it was stored as Cloudstate JSON rather than protobuf. */
  readonly json?: boolean;
  /** Type URLs it is also read from: its own previous names. */
  readonly storedAs?: readonly string[];
  /**
   * Turns the old value into a current one. For events, `undefined` drops the event (its sequence number still
   * counts). Called only while recovering; a throw fails the entity's recovery, naming the value.
   */
  upcast(old: Message): Current;
}

/** The URL a type is stored under in an encoding. @internal */
export function storedUrl(typeName: string, json: boolean): string {
  return json ? JSON_URL_PREFIX + typeName.slice(typeName.lastIndexOf(".") + 1) : MESSAGE_URL_PREFIX + typeName;
}

/** Decodes a stored value as `type`, in the encoding its URL names. @throws ProtocolError when it does not decode. */
export function decodeStored(type: MessageType | JsonMessageType, any: Any): Message {
  if (any.typeUrl.startsWith(JSON_URL_PREFIX)) {
    if (!("fromJSON" in type)) throw new ProtocolError(`${any.typeUrl}: ${type.$type} cannot be read from JSON`);
    const { value } = unpackJson(any);
    try {
      return type.fromJSON(value as never);
    } catch (error) {
      throw new ProtocolError(`JSON value ${any.typeUrl} does not decode as ${type.$type}: ${messageOf(error)}`);
    }
  }
  try {
    return type.decode(any.value);
  } catch (error) {
    throw new ProtocolError(`stored value ${any.typeUrl} does not decode as ${type.$type}: ${messageOf(error)}`);
  }
}

/** How one old type URL is read: decoded as `type`, then upcast if the type is retired. */
interface OldUrl<Current> {
  readonly type: MessageType | JsonMessageType;
  readonly upcast: ((old: Message) => Current) | undefined;
}

/**
 * The old type URLs of one kind of stored value (events, or states) of one entity, and how each is read.
 * @internal
 */
export class OldTypes<Current> {
  readonly #urls = new Map<string, OldUrl<Current>>();

  /**
   * @param current each current type by full name, for its previous names
   * @param storedAs the previous type URLs of current types, by full name
   * @param retired the retired types, by full name
   * @throws Error naming the entity when two types claim one URL (generated code never does this)
   */
  constructor(
    private readonly where: string,
    current: ReadonlyMap<string, MessageType | JsonMessageType>,
    storedAs: { readonly [typeName: string]: readonly string[] } | undefined,
    retired: { readonly [typeName: string]: RetiredType<Current> } | undefined,
  ) {
    for (const [typeName, urls] of Object.entries(storedAs ?? {})) {
      const type = current.get(typeName);
      if (type === undefined) throw new Error(`${where}: storedAs names ${typeName}, which it does not read`);
      for (const url of urls) this.#add(url, { type, upcast: undefined });
    }
    for (const [typeName, old] of Object.entries(retired ?? {})) {
      if (current.has(typeName)) throw new Error(`${where}: ${typeName} is both current and retired`);
      const upcast = (value: Message): Current => old.upcast(value);
      this.#add(storedUrl(typeName, old.json === true), { type: old.type, upcast });
      for (const url of old.storedAs ?? []) this.#add(url, { type: old.type, upcast });
    }
  }

  #add(url: string, read: OldUrl<Current>): void {
    if (this.#urls.has(url)) throw new Error(`${this.where}: two types are read from ${url}`);
    this.#urls.set(url, read);
  }

  /** Whether `url` is an old URL of this entity. */
  has(url: string): boolean {
    return this.#urls.has(url);
  }

  /**
   * Reads a stored value under an old URL: the current type it was renamed to, decoded, or the retired type's
   * upcast value.
   * @throws ProtocolError naming the URL (and `what`, e.g. "event 3") when it does not decode or the upcaster throws;
   * the upcaster's own error is its `cause`, for the logs only.
   */
  read(any: Any, what: string): { readonly renamed: Message } | { readonly upcast: Current } {
    const old = this.#urls.get(any.typeUrl);
    if (old === undefined) throw new ProtocolError(`${what}: ${any.typeUrl} is not an old type of ${this.where}`);
    const decoded = decodeStored(old.type, any);
    if (old.upcast === undefined) return { renamed: decoded };
    try {
      return { upcast: old.upcast(decoded) };
    } catch (error) {
      throw new ProtocolError(`${what} (${any.typeUrl}): the upcaster of ${old.type.$type} threw`, { cause: error });
    }
  }
}

/**
 * Reads a stored state (a snapshot or a value entity's value): the current type, or an old URL through `old`.
 * @throws ProtocolError for any other URL, bytes that do not decode, or an upcaster that throws
 * @internal
 */
export function readState(type: MessageType, old: OldTypes<unknown>, any: Any, what: string): Message {
  if (!old.has(any.typeUrl)) return unpackMessage(type, any);
  const read = old.read(any, what);
  return "renamed" in read ? read.renamed : wholeMessage(type, read.upcast);
}

/** The previous type URLs of the types named, from a map of every type's. @internal */
export function storedAsOf(
  storedAs: { readonly [typeName: string]: readonly string[] } | undefined,
  typeNames: readonly string[],
): { readonly [typeName: string]: readonly string[] } {
  return Object.fromEntries(Object.entries(storedAs ?? {}).filter(([name]) => typeNames.includes(name)));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
