/**
 * A small Google Pub/Sub client for the eventing tests: creates topics and subscriptions, publishes, pulls and
 * acknowledges, over plaintext gRPC (the fake on loopback). The few `google.pubsub.v1` messages it needs are
 * declared here by hand, field numbers from Google's `pubsub.proto` (in google-proto-files), so the tests need no
 * generated code and no other dependency.
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { createChannel, createClient, type Channel, type MethodDefinition } from "nice-grpc";

/** A message as published: payload bytes and string attributes (CloudEvent attributes among them). */
export interface OutgoingMessage {
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A message as pulled, with its id, its publication time and the ack id of this delivery. */
export interface ReceivedMessage extends OutgoingMessage {
  readonly messageId: string;
  readonly publishTimeMs: number;
  readonly ackId: string;
}

type Encode<T> = (writer: BinaryWriter, value: T) => void;

function serializer<T>(encode: Encode<T>): (value: T) => Uint8Array {
  return (value) => {
    const writer = new BinaryWriter();
    encode(writer, value);
    return writer.finish();
  };
}

/** Reads the fields of a message, handing each to `onField`, which returns false for those it skips. */
function readFields(bytes: Uint8Array, onField: (field: number, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (!onField(field, reader)) reader.skip(wireType);
  }
}

/** For responses the tests do not read (a created topic, an empty acknowledgement). */
const ignore = (): true => true;

function method<Request, Response>(
  path: string,
  encode: Encode<Request>,
  decode: (bytes: Uint8Array) => Response,
): MethodDefinition<Request, Request, Response, Response, false, false> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: serializer(encode),
    requestDeserialize: () => {
      throw new Error(`${path}: this client only sends requests`);
    },
    responseSerialize: () => {
      throw new Error(`${path}: this client only reads responses`);
    },
    responseDeserialize: decode,
    options: {},
  };
}

function encodeMessage(writer: BinaryWriter, message: OutgoingMessage): void {
  if (message.data.length > 0) writer.uint32((1 << 3) | WireType.LengthDelimited).bytes(message.data);
  for (const [key, value] of Object.entries(message.attributes)) {
    // map<string, string> attributes = 2: one entry message { key = 1; value = 2 } each.
    writer
      .uint32((2 << 3) | WireType.LengthDelimited)
      .fork()
      .uint32(10)
      .string(key)
      .uint32(18)
      .string(value)
      .join();
  }
}

function decodeTimestampMs(bytes: Uint8Array): number {
  let seconds = 0;
  let nanos = 0;
  readFields(bytes, (field, reader) => {
    if (field === 1) seconds = Number(reader.int64());
    else if (field === 2) nanos = reader.int32();
    else return false;
    return true;
  });
  return seconds * 1000 + nanos / 1e6;
}

function decodePubsubMessage(bytes: Uint8Array): Omit<ReceivedMessage, "ackId"> {
  let data: Uint8Array = new Uint8Array(0);
  const attributes: Record<string, string> = {};
  let messageId = "";
  let publishTimeMs = 0;
  readFields(bytes, (field, reader) => {
    if (field === 1) data = reader.bytes();
    else if (field === 2) {
      let key = "";
      let value = "";
      readFields(reader.bytes(), (entryField, entry) => {
        if (entryField === 1) key = entry.string();
        else if (entryField === 2) value = entry.string();
        else return false;
        return true;
      });
      attributes[key] = value;
    } else if (field === 3) messageId = reader.string();
    else if (field === 4) publishTimeMs = decodeTimestampMs(reader.bytes());
    else return false;
    return true;
  });
  return { data, attributes, messageId, publishTimeMs };
}

function decodeReceived(bytes: Uint8Array): ReceivedMessage {
  let ackId = "";
  let message: Omit<ReceivedMessage, "ackId"> = {
    data: new Uint8Array(0),
    attributes: {},
    messageId: "",
    publishTimeMs: 0,
  };
  readFields(bytes, (field, reader) => {
    if (field === 1) ackId = reader.string();
    else if (field === 2) message = decodePubsubMessage(reader.bytes());
    else return false;
    return true;
  });
  return { ...message, ackId };
}

const PublisherDefinition = {
  createTopic: method<{ name: string }, true>(
    "/google.pubsub.v1.Publisher/CreateTopic",
    (w, v) => w.uint32(10).string(v.name),
    ignore,
  ),
  publish: method<{ topic: string; messages: readonly OutgoingMessage[] }, string[]>(
    "/google.pubsub.v1.Publisher/Publish",
    (w, v) => {
      w.uint32(10).string(v.topic);
      for (const m of v.messages) {
        w.uint32((2 << 3) | WireType.LengthDelimited).fork();
        encodeMessage(w, m);
        w.join();
      }
    },
    (bytes) => {
      const ids: string[] = [];
      readFields(bytes, (field, reader) => field === 1 && ids.push(reader.string()) > 0);
      return ids;
    },
  ),
} as const;

const SubscriberDefinition = {
  createSubscription: method<{ name: string; topic: string; ackDeadlineSeconds: number }, true>(
    "/google.pubsub.v1.Subscriber/CreateSubscription",
    (w, v) => w.uint32(10).string(v.name).uint32(18).string(v.topic).uint32(40).int32(v.ackDeadlineSeconds),
    ignore,
  ),
  getSubscription: method<{ subscription: string }, { name: string; topic: string }>(
    "/google.pubsub.v1.Subscriber/GetSubscription",
    (w, v) => w.uint32(10).string(v.subscription),
    (bytes) => {
      let name = "";
      let topic = "";
      readFields(bytes, (field, reader) => {
        if (field === 1) name = reader.string();
        else if (field === 2) topic = reader.string();
        else return false;
        return true;
      });
      return { name, topic };
    },
  ),
  pull: method<{ subscription: string; maxMessages: number }, ReceivedMessage[]>(
    "/google.pubsub.v1.Subscriber/Pull",
    (w, v) => w.uint32(10).string(v.subscription).uint32(24).int32(v.maxMessages),
    (bytes) => {
      const received: ReceivedMessage[] = [];
      readFields(bytes, (field, reader) => field === 1 && received.push(decodeReceived(reader.bytes())) > 0);
      return received;
    },
  ),
  acknowledge: method<{ subscription: string; ackIds: readonly string[] }, true>(
    "/google.pubsub.v1.Subscriber/Acknowledge",
    (w, v) => {
      w.uint32(10).string(v.subscription);
      for (const id of v.ackIds) w.uint32(18).string(id);
    },
    ignore,
  ),
} as const;

/** Pub/Sub on one address, for one project. Names given to it are short (`greetings`); it qualifies them. */
export class PubsubClient {
  private readonly channel: Channel;
  private readonly publisher;
  private readonly subscriber;

  constructor(
    /** host:port, plaintext. */
    readonly address: string,
    readonly projectId: string,
  ) {
    this.channel = createChannel(address);
    this.publisher = createClient(PublisherDefinition, this.channel);
    this.subscriber = createClient(SubscriberDefinition, this.channel);
  }

  topicPath(topic: string): string {
    return `projects/${this.projectId}/topics/${topic}`;
  }

  subscriptionPath(subscription: string): string {
    return `projects/${this.projectId}/subscriptions/${subscription}`;
  }

  async createTopic(topic: string): Promise<void> {
    await this.publisher.createTopic({ name: this.topicPath(topic) });
  }

  /** Creates a pull subscription; messages published to the topic from now on reach it. */
  async createSubscription(subscription: string, topic: string, ackDeadlineSeconds = 10): Promise<void> {
    await this.subscriber.createSubscription({
      name: this.subscriptionPath(subscription),
      topic: this.topicPath(topic),
      ackDeadlineSeconds,
    });
  }

  /** The subscription's topic (full path); rejects with NOT_FOUND when there is no such subscription. */
  async subscriptionTopic(subscription: string): Promise<string> {
    return (await this.subscriber.getSubscription({ subscription: this.subscriptionPath(subscription) })).topic;
  }

  /** Publishes the messages in one request; resolves to their message ids. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    return this.publisher.publish({ topic: this.topicPath(topic), messages });
  }

  /** Pulls what is there (the fake waits up to 0.5 s for a first message) and acknowledges it. */
  async pullAndAck(subscription: string, maxMessages = 1000): Promise<ReceivedMessage[]> {
    const path = this.subscriptionPath(subscription);
    const received = await this.subscriber.pull({ subscription: path, maxMessages });
    if (received.length > 0)
      await this.subscriber.acknowledge({ subscription: path, ackIds: received.map((m) => m.ackId) });
    return received;
  }

  close(): void {
    this.channel.close();
  }
}
