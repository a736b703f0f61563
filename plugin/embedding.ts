/**
 * The descriptors generated code embeds: each proto file once, in its own `<file>_cloudstate` module, referring
 * to its imports' modules. The bytes are cut from the request as the compiler serialized them, never re-encoded
 * (see plugin/request.ts), and without source info, which the proxy has no use for.
 */
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { withoutField } from "../runtime/descriptor-set.js";
import type { PluginRequest } from "./request.js";

/** FileDescriptorProto.source_code_info: comments and spans. */
const SOURCE_CODE_INFO_FIELD = FileDescriptorProtoSchema.field.sourceCodeInfo.number;

/** One file to embed. */
export interface EmbeddedFileModel {
  /** The proto file, e.g. `google/protobuf/descriptor.proto`. */
  readonly name: string;
  /** Its FileDescriptorProto as the compiler serialized it, without source info. */
  readonly bytes: Uint8Array;
  /** The files it imports, in its order. */
  readonly imports: readonly string[];
}

/**
 * Every file the given files need embedded: themselves and their transitive imports, in the request's
 * (dependency-first) order.
 */
export function filesToEmbed(fileNames: Iterable<string>, request: PluginRequest): EmbeddedFileModel[] {
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dependency of request.registry.getFile(name)?.proto.dependency ?? []) visit(dependency);
  };
  for (const name of fileNames) visit(name);
  return request.serialized
    .filter((file) => needed.has(file.name))
    .map((file) => ({
      name: file.name,
      bytes: withoutField(file.bytes, SOURCE_CODE_INFO_FIELD),
      imports: request.registry.getFile(file.name)?.proto.dependency ?? [],
    }));
}
