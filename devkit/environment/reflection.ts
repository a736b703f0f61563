/**
 * A minimal client of gRPC server reflection (`grpc.reflection.v1alpha`), enough to list the services the proxy
 * exposes. Its two messages are encoded by hand: the request's `list_services` is field 7; the response's
 * `list_services_response` is field 6, holding repeated `ServiceResponse` (field 1) whose `name` is field 1.
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { createClient, type Channel } from "nice-grpc";

const bytes = (value: Uint8Array): Buffer => Buffer.from(value);

/** The reflection service, as a grpc-js style definition of raw bytes. */
const ServerReflectionDefinition = {
  serverReflectionInfo: {
    path: "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    requestStream: true,
    responseStream: true,
    requestSerialize: bytes,
    requestDeserialize: bytes,
    responseSerialize: bytes,
    responseDeserialize: bytes,
  },
} as const;

function fields(message: Uint8Array, wanted: number): Uint8Array[] {
  const reader = new BinaryReader(message);
  const found: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === wanted && wireType === WireType.LengthDelimited) found.push(reader.bytes());
    else reader.skip(wireType, field);
  }
  return found;
}

/** The full names of the services listed by server reflection on `channel`. */
export async function listServices(channel: Channel): Promise<string[]> {
  const client = createClient(ServerReflectionDefinition, channel);
  async function* request(): AsyncGenerator<Buffer> {
    yield await Promise.resolve(bytes(new BinaryWriter().tag(7, WireType.LengthDelimited).string("*").finish()));
  }
  for await (const response of client.serverReflectionInfo(request())) {
    return fields(response, 6)
      .flatMap((list) => fields(list, 1))
      .flatMap((service) => fields(service, 1).map((name) => new TextDecoder().decode(name)));
  }
  throw new Error("server reflection answered nothing");
}
