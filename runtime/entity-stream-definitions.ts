/**
 * The three entity-stream services as nice-grpc serves them, with the replies' encoding made cheap. nice-grpc's
 * own reading of a ts-proto definition encodes every reply as `encode(fromPartial(reply)).finish()` with a new
 * `BinaryWriter` each time: a 128-byte off-heap buffer, grown by doubling for larger replies, then sliced. Here
 * the event-sourced and value entity replies go through the runtime's own envelope encoder (wire/), and the CRDT
 * replies through ts-proto with one writer kept and reused (encoding is synchronous, so no two encodes overlap).
 * Requests are decoded by ts-proto as before.
 */
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { MethodDefinition } from "nice-grpc";
import { CrdtDefinition, CrdtStreamOut } from "../gen/cloudstate/crdt.js";
import { EventSourcedDefinition } from "../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../gen/typeRegistry.js";
import { KEPT_WRITER_BYTES } from "./any.js";
import { ValueEntityDefinition } from "../gen/cloudstate/value_entity.js";
import { eventSourcedStreamOutEncoder, valueEntityStreamOutEncoder } from "./wire/stream-out-codec.js";

/** The part of a ts-proto message object these definitions use. */
interface StreamMessageFns<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: Uint8Array): T;
  fromPartial(object: DeepPartial<T>): T;
}

/** One bidirectional `handle` method, replies encoded by `serializeReply`. */
type HandleDefinition<In, Out> = MethodDefinition<In, In, DeepPartial<Out>, Out, true, true>;

/** The shape of a generated ts-proto definition of a service whose one method is a bidirectional `handle`. */
interface TsProtoHandleService<In, Out> {
  readonly fullName: string;
  readonly methods: {
    readonly handle: {
      readonly name: string;
      readonly requestType: StreamMessageFns<In>;
      readonly responseType: StreamMessageFns<Out>;
    };
  };
}

function handleMethod<In, Out>(
  service: TsProtoHandleService<In, Out>,
  serializeReply: (value: DeepPartial<Out>) => Uint8Array,
): { readonly handle: HandleDefinition<In, Out> } {
  const { name, requestType, responseType } = service.methods.handle;
  return {
    handle: {
      path: `/${service.fullName}/${name}`,
      requestStream: true,
      responseStream: true,
      // Only a client would encode requests; kept exact so that the definition also serves one (tests do).
      requestSerialize: (value: In) => requestType.encode(value).finish(),
      requestDeserialize: (bytes: Uint8Array) => requestType.decode(bytes),
      responseSerialize: serializeReply,
      responseDeserialize: (bytes: Uint8Array) => responseType.decode(bytes),
      options: {},
    },
  };
}

/**
 * Encodes with ts-proto into one writer kept for the purpose. `finish()` hands back an exact copy and leaves the
 * writer's grown buffer for the next reply.
 */
function reusedWriter<Out>(fns: StreamMessageFns<Out>): (value: DeepPartial<Out>) => Uint8Array {
  let writer = new BinaryWriter();
  return (value) => {
    let bytes: Uint8Array;
    try {
      bytes = fns.encode(fns.fromPartial(value), writer).finish();
    } catch (error) {
      // A throw midway leaves forks open: start the next reply on a fresh writer.
      writer = new BinaryWriter();
      throw error;
    }
    // An unusually large reply's buffer is not kept for the life of the process.
    if (bytes.length > KEPT_WRITER_BYTES) writer = new BinaryWriter();
    return bytes;
  };
}

/** `cloudstate.eventsourced.EventSourced`. @internal */
export const eventSourcedStreamDefinition = handleMethod(EventSourcedDefinition, eventSourcedStreamOutEncoder());

/** `cloudstate.valueentity.ValueEntity`. @internal */
export const valueEntityStreamDefinition = handleMethod(ValueEntityDefinition, valueEntityStreamOutEncoder());

/** `cloudstate.crdt.Crdt`. @internal */
export const crdtStreamDefinition = handleMethod(CrdtDefinition, reusedWriter(CrdtStreamOut));
