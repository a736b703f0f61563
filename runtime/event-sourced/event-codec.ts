/**
 * How an entity's events are written to and read from the journal: protobuf under `type.googleapis.com/`, or,
 * for the event types the entity marks `json`, Cloudstate JSON under `json.cloudstate.io/<simple name>`.
 */
import { JSON_URL_PREFIX, packJson, packMessage, TypeRegistry, unpackJson, type Any, type Json } from "../any.js";
import { ProtocolError } from "../errors.js";
import { wholeMessage, type Message, type MessageInit, type MessageType } from "../message-type.js";
import type { OldTypes } from "../stored-types.js";
import type { EventHandler } from "./entity.js";

/** The name a JSON event carries in its type URL: the message's simple name. @internal */
export function jsonEventName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf(".") + 1);
}

/** Packs and unpacks one entity's events. @internal */
export class EventCodec {
  readonly #protobuf: TypeRegistry;
  readonly #json = new Map<string, EventHandler<Message, Message, unknown> & { readonly json: true }>();
  readonly #types = new Map<string, MessageType>();

  /**
   * @param old the entity's old event type URLs (previous names, retired types), read on replay only
   * @throws Error when two JSON event types share a simple name, which would make their URLs ambiguous.
   */
  constructor(
    handlers: Iterable<EventHandler<Message, Message, unknown>>,
    where: string,
    private readonly old?: OldTypes<unknown>,
  ) {
    const protobuf: MessageType[] = [];
    for (const handler of handlers) {
      this.#types.set(handler.type.$type, handler.type);
      if (handler.json !== true) {
        protobuf.push(handler.type);
        continue;
      }
      const name = jsonEventName(handler.type.$type);
      if (this.#json.has(name)) throw new Error(`${where}: two JSON event types are named ${name}`);
      this.#json.set(name, handler);
    }
    this.#protobuf = new TypeRegistry(protobuf);
  }

  /** Encodes an event as the journal keeps it. */
  pack(handler: EventHandler<Message, Message, unknown>, event: MessageInit<Message>): Any {
    if (handler.json !== true) return packMessage(handler.type, event);
    const message = handler.type.fromPartial(event as never);
    return packJson(jsonEventName(handler.type.$type), handler.type.toJSON(message) as Json);
  }

  /**
   * Decodes a journaled event into one of the entity's event types.
   * @throws ProtocolError for an unknown type, or bytes or JSON that do not decode.
   */
  unpack(any: Any): Message {
    if (!any.typeUrl.startsWith(JSON_URL_PREFIX)) return this.#protobuf.unpack(any);
    const { typeName, value } = unpackJson(any);
    const handler = this.#json.get(typeName);
    if (handler === undefined) {
      throw new ProtocolError(
        `unknown JSON event type ${any.typeUrl}; expected one of ${[...this.#json.keys()].join(", ")}`,
      );
    }
    try {
      return handler.type.fromJSON(value as never);
    } catch (error) {
      throw new ProtocolError(`JSON event ${any.typeUrl} does not decode: ${(error as Error).message}`);
    }
  }

  /**
   * Decodes a replayed event into a current event: one of the entity's event types, or an old type URL read through
   * its previous names or a retired type's upcaster. `undefined` when an upcaster dropped the event.
   * @throws ProtocolError naming `what` (e.g. "event 3") for an unknown type, a value that does not decode, an
   * upcaster that throws or returns something that is not a current event.
   */
  recover(any: Any, what: string): Message | undefined {
    if (this.old === undefined || !this.old.has(any.typeUrl)) return this.unpack(any);
    const read = this.old.read(any, what);
    if ("renamed" in read) return read.renamed;
    if (read.upcast === undefined) return undefined;
    const typeName = (read.upcast as Partial<Message>).$type;
    const type = typeName === undefined ? undefined : this.#types.get(typeName);
    if (type === undefined) {
      throw new ProtocolError(
        `${what} (${any.typeUrl}): its upcaster returned ${typeName ?? "a value without $type"}, not a current event`,
      );
    }
    return wholeMessage(type, read.upcast);
  }
}
