/**
 * Comments from the proto, for the generated TSDoc: the leading comment of a service or an rpc, from the source
 * code info of its file in the registry.
 */
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, ServiceDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/** The source code info path of a service or an rpc (field numbers and indexes, as descriptor.proto defines). */
function sourcePath(desc: DescService | DescMethod): number[] {
  if (desc.kind === "service") {
    return [FileDescriptorProtoSchema.field.service.number, desc.file.proto.service.indexOf(desc.proto)];
  }
  return [
    ...sourcePath(desc.parent),
    ServiceDescriptorProtoSchema.field.method.number,
    desc.parent.proto.method.indexOf(desc.proto),
  ];
}

/** The leading comment of a service or an rpc as written (undefined when blank). */
export function leadingComment(desc: DescService | DescMethod): string | undefined {
  const path = sourcePath(desc);
  const file = desc.kind === "service" ? desc.file : desc.parent.file;
  const location = file.proto.sourceCodeInfo?.location.find(
    (l) => l.path.length === path.length && l.path.every((p, i) => p === path[i]),
  );
  const text = location?.leadingComments ?? "";
  return text.trim() === "" ? undefined : text;
}
