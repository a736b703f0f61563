/** Types the unit testkits share: rpcs by key, their request and response types, the entity's own types. */
import { packMessage, type Any } from "../../any.js";
import { withEncodingCheck, type EncodingProblem } from "../../encoding-check.js";
import { assertEncoded } from "./checks.js";
import type { MessageOf, MessageType } from "../../message-type.js";
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

type Builtin = Date | Uint8Array | string | number | boolean | bigint | symbol | null | undefined;

/** What `long`'s Long looks like, structurally. */
interface LongLike {
  /** The value as a number. */
  toNumber(): number;
  /** The high 32 bits. */
  readonly high: number;
  /** The low 32 bits. */
  readonly low: number;
}

/** A oneof case as ts-proto writes it. */
interface OneofCase {
  /** The field set. */
  readonly $case: string;
  /** Its value. */
  readonly value: unknown;
}

/**
 * A message as a test writes it, as a nice-grpc client takes it: every field optional (a missing one is its
 * default), `$type` tags left out, 64-bit integers as `Long`, number or string, each oneof as `{ $case, value }`.
 */
export type PartialMessage<T> = T extends Builtin
  ? T
  : T extends LongLike
    ? T | number | string
    : T extends ReadonlyArray<infer U>
      ? ReadonlyArray<PartialMessage<U>>
      : T extends OneofCase
        ? PartialCase<T>
        : T extends object
          ? { readonly [K in keyof T as K extends "$type" ? never : K]?: PartialMessage<T[K]> }
          : T;

/** A oneof case of a {@link PartialMessage}: the case named, its value partial. */
export interface PartialCase<T extends OneofCase> {
  /** The field set. */
  readonly $case: T["$case"];
  /** Its value. */
  readonly value?: PartialMessage<T["value"]>;
}

/** A request as a test writes it (see {@link PartialMessage}). */
export type RequestInit<S extends ServiceDefinition, K extends RpcKey<S>> = PartialMessage<RequestOf<S, K>>;

/** Options of one call. */
export interface CallOptions {
  /** Metadata the handler sees in `context.metadata` (for gRPC calls, the request headers). */
  readonly metadata?: MetadataInit;
}

/**
 * A test's request, completed with defaults as a client's would be, then encoded as the proxy sends it.
 * @throws AssertionError naming the field when the request does not survive encoding.
 */
export function packRequest(type: MessageType, request: unknown, rpcName: string): Any {
  const problems: EncodingProblem[] = [];
  let packed: Any | undefined;
  try {
    packed = withEncodingCheck(problems, () => packMessage(type, type.fromPartial(request as never)));
  } catch (error) {
    if (problems.length === 0) throw error;
  }
  assertEncoded(problems, `the request of ${rpcName}`);
  if (packed === undefined) throw new Error(`the request of ${rpcName} could not be encoded`);
  return packed;
}
