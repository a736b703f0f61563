/**
 * The descriptors generated code embeds, cut from the request's bytes: never re-encoded (see plugin/request.ts),
 * and without source info, which the proxy has no use for.
 */
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { descriptorSetOf, withoutField } from "../runtime/descriptor-set.js";
import type { PluginRequest } from "./request.js";

/** FileDescriptorProto.source_code_info: comments and spans. */
const SOURCE_CODE_INFO_FIELD = FileDescriptorProtoSchema.field.sourceCodeInfo.number;

/** The FileDescriptorSet of a file and its transitive imports, in the request's (dependency-first) order. */
export function descriptorSetFor(fileName: string, request: PluginRequest): Uint8Array {
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dependency of request.registry.getFile(name)?.proto.dependency ?? []) visit(dependency);
  };
  visit(fileName);
  return descriptorSetOf(
    request.serialized.filter((f) => needed.has(f.name)).map((f) => withoutField(f.bytes, SOURCE_CODE_INFO_FIELD)),
  );
}
