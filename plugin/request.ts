/**
 * The CodeGeneratorRequest, held twice: decoded with protobuf-es into a file registry for reading (types, options,
 * comments), and as the bytes the compiler serialized for embedding. What is embedded is cut from those bytes,
 * never re-encoded from the registry: a decode/encode round trip drops proto2 fields equal to their defaults (a
 * field's `type` of TYPE_DOUBLE, say), and protobuf-java in the proxy then cannot build the descriptors.
 */
import { create, createFileRegistry, fromBinary, type FileRegistry } from "@bufbuild/protobuf";
import { type CodeGeneratorRequest, CodeGeneratorRequestSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { type SerializedFile, serializedFilesIn } from "../runtime/descriptor-set.js";

/** The decoded request, its registry, and its files as serialized. */
export interface PluginRequest {
  readonly request: CodeGeneratorRequest;
  /** Every `proto_file` of the request, resolved: messages, services and their options. */
  readonly registry: FileRegistry;
  /** Every `proto_file` of the request, in its (dependency-first) order, byte for byte. */
  readonly serialized: readonly SerializedFile[];
}

/** CodeGeneratorRequest.proto_file. */
const PROTO_FILE_FIELD = CodeGeneratorRequestSchema.field.protoFile.number;

/** Decodes a serialized CodeGeneratorRequest. @throws Error when it is not one, or its files do not resolve. */
export function decodeRequest(serializedRequest: Uint8Array): PluginRequest {
  const request = fromBinary(CodeGeneratorRequestSchema, serializedRequest);
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: request.protoFile }));
  return { request, registry, serialized: serializedFilesIn(serializedRequest, PROTO_FILE_FIELD) };
}
