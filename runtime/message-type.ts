import type { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import type { DeepReadonly, LongLike } from "./deep-readonly.js";

/** A decoded protobuf message as ts-proto emits it with `outputTypeRegistry=true`: it names its own type. */
export interface Message<TypeName extends string = string> {
  /** The message's full protobuf name, e.g. `com.example.shoppingcart.Cart`. */
  readonly $type: TypeName;
}

/**
 * The part of a ts-proto message object (`MessageFns`) the runtime uses. Generated code passes these in; the
 * runtime never looks a type up by name in a global registry.
 */
export interface MessageType<T extends Message = Message> {
  /** The message's full protobuf name, e.g. `com.example.shoppingcart.Cart`. */
  readonly $type: T["$type"];
  /** Writes `message` in the protobuf binary format (to `writer`, or a new one); `.finish()` gives the bytes. */
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  /** Reads a message from protobuf bytes (or `length` bytes of a reader). Throws on bytes that do not parse. */
  decode(input: BinaryReader | Uint8Array, length?: number): T;
  /**
   * A deep copy when given a whole message; the runtime uses it to copy state. Declared with a `never`
   * parameter so that every ts-proto `MessageFns` fits, whatever its `DeepPartial` input type.
   */
  fromPartial(object: never): T;
}

/**
 * A message type that also has ts-proto's proto3 JSON methods (`outputJsonMethods`, on by default), for values
 * carried as Cloudstate JSON.
 */
export interface JsonMessageType<T extends Message = Message> extends MessageType<T> {
  /** The message in the proto3 JSON mapping, as a plain value ready for `JSON.stringify`. */
  toJSON(message: T): unknown;
  /** Declared with a `never` parameter so that ts-proto's `fromJSON(object: any)` fits. */
  fromJSON(object: never): T;
}

/** The decoded message type a {@link MessageType} describes. */
export type MessageOf<M> = M extends MessageType<infer T> ? T : never;

type Builtin = Uint8Array | Date | string | number | boolean | bigint | symbol | null | undefined;

/** A set oneof as ts-proto writes it with `oneof=unions`: what tells a oneof apart from a nested message. */
interface OneofCase {
  /** Which field of the oneof is set. */
  readonly $case: string;
  /** The set field's value. */
  readonly value: unknown;
}

/**
 * A message as a handler may write it: every field as ts-proto types it, but the `$type` tags optional, at
 * every depth, since the runtime knows each type from the rpc or the event list.
 */
export type MessageInit<T> = T extends Builtin
  ? T
  : T extends LongLike
    ? T
    : T extends ReadonlyMap<infer K, infer V> // map fields under ts-proto's useMapType
      ? ReadonlyMap<K, MessageInit<V>>
      : T extends ReadonlyArray<infer U>
        ? ReadonlyArray<MessageInit<U>>
        : T extends OneofCase
          ? {
              /** Which field of the oneof is set (ts-proto's `oneof=unions`). */
              readonly $case: T["$case"];
              /** The set field's value, itself written as a {@link MessageInit}. */
              readonly value: MessageInit<T["value"]>;
            }
          : T extends object
            ? { [K in keyof T as K extends "$type" ? never : K]: MessageInit<T[K]> } & {
                /** The message's full protobuf name; may be left out, since the runtime knows the type. */
                readonly $type?: T extends Message ? T["$type"] : never;
              }
            : T;

/** An event as a handler emits it: like {@link MessageInit}, but the top-level `$type` says which event it is. */
export type EventInit<E extends Message> = E extends Message
  ? MessageInit<E> & {
      /** The event's full protobuf name: required, since it says which of the entity's events this is. */
      readonly $type: E["$type"];
    }
  : never;

/**
 * State as a handler may give it (returned by `initialState` or an event handler, passed to `updateState`): a
 * {@link MessageInit}, read-only, so `{ ...state, items }` and `{ items: state.items.filter(...) }` both do. The
 * runtime makes it a whole message (every `$type` filled in) before any handler sees it.
 */
export type StateInit<State> = DeepReadonly<MessageInit<State>>;

/**
 * State a handler gave (a {@link StateInit}) as a whole message of `type`: ts-proto's `fromPartial` copies it,
 * filling in every `$type` and default. (`fromPartial` is declared with a `never` parameter, see {@link MessageType}.)
 * @internal
 */
export function wholeMessage<T extends Message>(type: MessageType<T>, state: unknown): T {
  return type.fromPartial(state as never);
}
