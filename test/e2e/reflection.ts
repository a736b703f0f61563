/**
 * A minimal client of gRPC server reflection (grpc.reflection.v1alpha), enough to list services. Messages are
 * encoded by hand: ServerReflectionRequest.list_services is field 7; the response's list_services_response is
 * field 6, holding repeated ServiceResponse (field 1) whose name is field 1.
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { credentials, makeGenericClientConstructor } from "@grpc/grpc-js";

function encodeListServices(): Buffer {
  return Buffer.from(new BinaryWriter().tag(7, WireType.LengthDelimited).string("*").finish());
}

function fields(bytes: Uint8Array, wanted: number): Uint8Array[] {
  const reader = new BinaryReader(bytes);
  const found: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === wanted && wireType === WireType.LengthDelimited) found.push(reader.bytes());
    else reader.skip(wireType, field);
  }
  return found;
}

function decodeServiceNames(response: Uint8Array): string[] {
  return fields(response, 6)
    .flatMap((list) => fields(list, 1))
    .flatMap((service) => fields(service, 1).map((name) => new TextDecoder().decode(name)));
}

/** The services the server at `address` lists through reflection. */
export function listServices(address: string): Promise<string[]> {
  const Client = makeGenericClientConstructor(
    {
      ServerReflectionInfo: {
        path: "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        requestStream: true,
        responseStream: true,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (value: Buffer) => value,
        responseSerialize: (value: Buffer) => value,
        responseDeserialize: (value: Buffer) => value,
      },
    },
    "ServerReflection",
  );
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      (value: Buffer) => value,
      (value: Buffer) => value,
    );
    call.on("data", (response: Buffer) => {
      resolve(decodeServiceNames(response));
      call.end();
      client.close();
    });
    call.on("error", (error: Error) => {
      client.close();
      reject(error);
    });
    call.write(encodeListServices());
  });
}
