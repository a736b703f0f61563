import type { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";

/** A decoded protobuf message as ts-proto emits it with `outputTypeRegistry=true`: it names its own type. */
export interface Message<TypeName extends string = string> {
  readonly $type: TypeName;
}

/**
 * The part of a ts-proto message object (`MessageFns`) the runtime uses. Generated code passes these in; the
 * runtime never looks a type up by name in a global registry.
 */
export interface MessageType<T extends Message = Message> {
  /** The message's full protobuf name, e.g. `com.example.shoppingcart.Cart`. */
  readonly $type: T["$type"];
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
  /** A deep copy when given a whole message; the runtime uses it to copy state. */
  fromPartial(object: T): T;
}

/** The decoded message type a {@link MessageType} describes. */
export type MessageOf<M> = M extends MessageType<infer T> ? T : never;

/** A message as a handler may write it: the `$type` tag is optional, since the runtime knows the type. */
export type MessageInit<T extends Message> = Omit<T, "$type"> & { readonly $type?: T["$type"] };
