/** Types the unit testkits share: rpcs by key, their request and response types, the entity's own types. */
import type { MessageInit, MessageOf } from "../../message-type.js";
import type { MetadataInit } from "../../metadata.js";
import type { ServiceDefinition } from "../../service.js";

/** The keys of a service definition's rpcs (ts-proto's camel-cased names, e.g. `addItem`). */
export type RpcKey<S extends ServiceDefinition> = keyof S["methods"] & string;

/** The keys of the rpcs of `S` with the given streaming shape. */
export type RpcKeyOfShape<
  S extends ServiceDefinition,
  RequestStream extends boolean,
  ResponseStream extends boolean,
> = {
  [K in RpcKey<S>]: S["methods"][K]["requestStream"] extends RequestStream
    ? S["methods"][K]["responseStream"] extends ResponseStream
      ? K
      : never
    : never;
}[RpcKey<S>];

/** The request message of rpc `K` of `S`. */
export type RequestOf<S extends ServiceDefinition, K extends RpcKey<S>> = MessageOf<S["methods"][K]["requestType"]>;

/** The response message of rpc `K` of `S`. */
export type ResponseOf<S extends ServiceDefinition, K extends RpcKey<S>> = MessageOf<S["methods"][K]["responseType"]>;

/** A request as a test writes it: a plain object, `$type` tags optional. */
export type RequestInit<S extends ServiceDefinition, K extends RpcKey<S>> = MessageInit<RequestOf<S, K>>;

/** Options of one call. */
export interface CallOptions {
  /** Metadata the handler sees in `context.metadata` (for gRPC calls, the request headers). */
  readonly metadata?: MetadataInit;
}
