import type { Message, MessageOf, MessageType } from "./message-type.js";

/**
 * The shape of one rpc in a ts-proto generic service definition (`outputServices=generic-definitions`). Only
 * unary rpcs can be entity commands.
 */
export interface MethodDefinition {
  /** The rpc name as written in the proto, e.g. `AddItem`. */
  readonly name: string;
  /** The request message type, used to decode commands. */
  readonly requestType: MessageType;
  /** Whether the client streams requests; entity commands need `false`, actions may stream. */
  readonly requestStream: boolean;
  /** The response message type, used to encode replies. */
  readonly responseType: MessageType;
  /** Whether the rpc streams replies; entity commands need `false`, actions and streamed CRDT commands may. */
  readonly responseStream: boolean;
}

/** The shape of a ts-proto generic service definition, e.g. `ShoppingCartDefinition`. */
export interface ServiceDefinition {
  /** The service's simple name, e.g. `ShoppingCart`; the default persistence id. */
  readonly name: string;
  /** The service's full protobuf name, e.g. `com.example.shoppingcart.ShoppingCart`. */
  readonly fullName: string;
  /** The service's rpcs, keyed by ts-proto's lower-camel-case name (`addItem`). */
  readonly methods: { readonly [key: string]: MethodDefinition };
}

/** The decoded request type of an rpc. */
export type RequestOf<M extends MethodDefinition> = MessageOf<M["requestType"]>;

/** The decoded response type of an rpc. */
export type ResponseOf<M extends MethodDefinition> = MessageOf<M["responseType"]>;

/** The rpcs of a service. */
export type MethodsOf<S extends ServiceDefinition> = S["methods"][keyof S["methods"]];

/** The proto names of a service's rpcs (`AddItem`), as configurations key their handlers. */
export type RpcNameOf<S extends ServiceDefinition> = MethodsOf<S>["name"];

/** The rpc of a service with this proto name. */
export type MethodNamed<S extends ServiceDefinition, N extends string> = Extract<MethodsOf<S>, { readonly name: N }>;

/** A typed pointer at one rpc of some service: the target of a forward or a side effect. */
export interface MethodRef<Request extends Message = Message, Response extends Message = Message> {
  /** The full protobuf name of the service, e.g. `com.example.shoppingcart.ShoppingCart`. */
  readonly serviceName: string;
  /** The rpc name as written in the proto, e.g. `AddItem`. */
  readonly methodName: string;
  /** The request message type, used to encode the forwarded or effect request. */
  readonly requestType: MessageType<Request>;
  /** The response message type, which types what the rpc answers. */
  readonly responseType: MessageType<Response>;
}

type MethodOf<S extends ServiceDefinition, K extends keyof S["methods"]> = S["methods"][K];

/**
 * A typed reference to an rpc of a generated service definition, for `forward` and `effect`.
 *
 * ```ts
 * const addItem = methodOf(ShoppingCartDefinition, "addItem");
 * return context.forward(addItem, { userId, productId, name, quantity });
 * ```
 */
export function methodOf<S extends ServiceDefinition, K extends keyof S["methods"] & string>(
  service: S,
  key: K,
): MethodRef<MessageOf<MethodOf<S, K>["requestType"]>, MessageOf<MethodOf<S, K>["responseType"]>> {
  const method = service.methods[key];
  if (method === undefined) throw new Error(`${service.fullName} has no method ${key}`);
  return {
    serviceName: service.fullName,
    methodName: method.name,
    requestType: method.requestType as MessageType<MessageOf<MethodOf<S, K>["requestType"]>>,
    responseType: method.responseType as MessageType<MessageOf<MethodOf<S, K>["responseType"]>>,
  };
}
