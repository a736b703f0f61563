/**
 * The runtime's own encoder for the replies of the event-sourced and value entity streams (`…StreamOut` and what
 * it carries: client actions, side effects, metadata, `Any`). ts-proto's path first copies the whole reply with
 * `fromPartial` (a new `Any`, with an empty `Buffer`, for every payload and event), converts every `Long` to a
 * decimal string for the writer to parse back, and writes into a fresh writer. This writes the partial reply as it
 * is, with the same defaults `fromPartial` gives a missing field, into one reused buffer. The property tests in
 * stream-out-codec.test.ts hold it byte for byte to ts-proto's encoding. User messages never pass through here:
 * they arrive already packed into `Any` bytes.
 */
import Long from "long";
import type { ClientAction, Failure, Forward, Metadata, Reply, SideEffect } from "../../gen/cloudstate/entity.js";
import type { EventSourcedReply, EventSourcedStreamOut } from "../../gen/cloudstate/event_sourced.js";
import type { Any } from "../../gen/google/protobuf/any.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import type { ValueEntityAction, ValueEntityReply, ValueEntityStreamOut } from "../../gen/cloudstate/value_entity.js";
import { LENGTH_DELIMITED, ReplyWriter, VARINT } from "./reply-writer.js";

type Partial<T> = DeepPartial<T> | null | undefined;
type LongLike = string | number | Long | null | undefined;

/** Encodes `EventSourcedStreamOut` replies; each result is valid until the next call. @internal */
export function eventSourcedStreamOutEncoder(): (value: DeepPartial<EventSourcedStreamOut>) => Uint8Array {
  const writer = new ReplyWriter();
  return (value) => {
    writer.begin();
    const message = value.message;
    if (message?.$case === "reply" && message.value != null) {
      eventSourcedReply(writer.tag(1, LENGTH_DELIMITED).fork(), message.value).join();
    } else if (message?.$case === "failure" && message.value != null) {
      failure(writer.tag(2, LENGTH_DELIMITED).fork(), message.value).join();
    }
    return writer.finish();
  };
}

/** Encodes `ValueEntityStreamOut` replies; each result is valid until the next call. @internal */
export function valueEntityStreamOutEncoder(): (value: DeepPartial<ValueEntityStreamOut>) => Uint8Array {
  const writer = new ReplyWriter();
  return (value) => {
    writer.begin();
    const message = value.message;
    if (message?.$case === "reply" && message.value != null) {
      valueEntityReply(writer.tag(1, LENGTH_DELIMITED).fork(), message.value).join();
    } else if (message?.$case === "failure" && message.value != null) {
      failure(writer.tag(2, LENGTH_DELIMITED).fork(), message.value).join();
    }
    return writer.finish();
  };
}

function eventSourcedReply(writer: ReplyWriter, reply: DeepPartial<EventSourcedReply>): ReplyWriter {
  int64Field(writer, 1, reply.commandId);
  if (reply.clientAction != null) clientAction(writer.tag(2, LENGTH_DELIMITED).fork(), reply.clientAction).join();
  for (const effect of reply.sideEffects ?? []) sideEffect(writer.tag(3, LENGTH_DELIMITED).fork(), effect).join();
  for (const event of reply.events ?? []) any(writer.tag(4, LENGTH_DELIMITED).fork(), event).join();
  if (reply.snapshot != null) any(writer.tag(5, LENGTH_DELIMITED).fork(), reply.snapshot).join();
  return writer;
}

function valueEntityReply(writer: ReplyWriter, reply: DeepPartial<ValueEntityReply>): ReplyWriter {
  int64Field(writer, 1, reply.commandId);
  if (reply.clientAction != null) clientAction(writer.tag(2, LENGTH_DELIMITED).fork(), reply.clientAction).join();
  for (const effect of reply.sideEffects ?? []) sideEffect(writer.tag(3, LENGTH_DELIMITED).fork(), effect).join();
  if (reply.stateAction != null) valueEntityAction(writer.tag(4, LENGTH_DELIMITED).fork(), reply.stateAction).join();
  return writer;
}

function valueEntityAction(writer: ReplyWriter, action: DeepPartial<ValueEntityAction>): ReplyWriter {
  const chosen = action.action;
  if (chosen?.$case === "update" && chosen.value != null) {
    writer.tag(1, LENGTH_DELIMITED).fork();
    if (chosen.value.value != null) any(writer.tag(1, LENGTH_DELIMITED).fork(), chosen.value.value).join();
    writer.join();
  } else if (chosen?.$case === "delete" && chosen.value != null) {
    writer.tag(2, LENGTH_DELIMITED).fork().join();
  }
  return writer;
}

function clientAction(writer: ReplyWriter, action: DeepPartial<ClientAction>): ReplyWriter {
  const chosen = action.action;
  if (chosen?.$case === "reply" && chosen.value != null) {
    reply(writer.tag(1, LENGTH_DELIMITED).fork(), chosen.value).join();
  } else if (chosen?.$case === "forward" && chosen.value != null) {
    forward(writer.tag(2, LENGTH_DELIMITED).fork(), chosen.value).join();
  } else if (chosen?.$case === "failure" && chosen.value != null) {
    failure(writer.tag(3, LENGTH_DELIMITED).fork(), chosen.value).join();
  }
  return writer;
}

function reply(writer: ReplyWriter, value: DeepPartial<Reply>): ReplyWriter {
  if (value.payload != null) any(writer.tag(1, LENGTH_DELIMITED).fork(), value.payload).join();
  if (value.metadata != null) metadata(writer.tag(2, LENGTH_DELIMITED).fork(), value.metadata).join();
  return writer;
}

function forward(writer: ReplyWriter, value: DeepPartial<Forward>): ReplyWriter {
  stringField(writer, 1, value.serviceName);
  stringField(writer, 2, value.commandName);
  if (value.payload != null) any(writer.tag(3, LENGTH_DELIMITED).fork(), value.payload).join();
  if (value.metadata != null) metadata(writer.tag(4, LENGTH_DELIMITED).fork(), value.metadata).join();
  return writer;
}

function failure(writer: ReplyWriter, value: DeepPartial<Failure>): ReplyWriter {
  int64Field(writer, 1, value.commandId);
  stringField(writer, 2, value.description);
  if (value.restart === true) writer.tag(3, VARINT).bool(true);
  return writer;
}

function sideEffect(writer: ReplyWriter, value: DeepPartial<SideEffect>): ReplyWriter {
  stringField(writer, 1, value.serviceName);
  stringField(writer, 2, value.commandName);
  if (value.payload != null) any(writer.tag(3, LENGTH_DELIMITED).fork(), value.payload).join();
  if (value.synchronous === true) writer.tag(4, VARINT).bool(true);
  if (value.metadata != null) metadata(writer.tag(5, LENGTH_DELIMITED).fork(), value.metadata).join();
  return writer;
}

function metadata(writer: ReplyWriter, value: DeepPartial<Metadata>): ReplyWriter {
  for (const entry of value.entries ?? []) {
    writer.tag(1, LENGTH_DELIMITED).fork();
    stringField(writer, 1, entry.key);
    const chosen = entry.value;
    // A oneof member is written even when it holds its type's default.
    if (chosen?.$case === "stringValue" && chosen.value != null) writer.tag(2, LENGTH_DELIMITED).string(chosen.value);
    else if (chosen?.$case === "bytesValue" && chosen.value != null)
      writer.tag(3, LENGTH_DELIMITED).bytes(chosen.value);
    writer.join();
  }
  return writer;
}

function any(writer: ReplyWriter, value: Partial<Any>): ReplyWriter {
  stringField(writer, 1, value?.typeUrl);
  const bytes = value?.value;
  if (bytes != null && bytes.length !== 0) writer.tag(2, LENGTH_DELIMITED).bytes(bytes);
  return writer;
}

/** A proto3 string field: absent when empty. */
function stringField(writer: ReplyWriter, fieldNumber: number, value: string | null | undefined): void {
  if (value != null && value !== "") writer.tag(fieldNumber, LENGTH_DELIMITED).string(value);
}

/** A proto3 int64 field: absent when zero. A number or decimal string is read as `fromPartial` reads it. */
function int64Field(writer: ReplyWriter, fieldNumber: number, value: LongLike): void {
  if (value == null) return;
  const long = Long.isLong(value) ? value : Long.fromValue(value);
  if (long.isZero()) return;
  writer.tag(fieldNumber, VARINT).int64(long);
}
