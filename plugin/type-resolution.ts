/** Message types of the request: where ts-proto put each, and the type references of options resolved. */
import type { DescMessage, FileRegistry } from "@bufbuild/protobuf";
import type { MessageInfo } from "./model.js";
import { messageSymbol, moduleOf } from "./names.js";

/** A message of the registry and the module and exported name ts-proto gives it. */
export function messageInfo(desc: DescMessage): MessageInfo {
  const nestedPath: string[] = [];
  for (let at: DescMessage | undefined = desc; at !== undefined; at = at.parent) nestedPath.unshift(at.name);
  return {
    fullName: desc.typeName,
    module: moduleOf(desc.file.proto.name),
    symbol: messageSymbol(nestedPath),
    desc,
    file: desc.file.proto.name,
  };
}

/**
 * Resolves a message type reference as protoc does: from the innermost scope (the package `scope`) outwards; a
 * leading dot makes it absolute.
 */
export function resolveMessage(registry: FileRegistry, reference: string, scope: string): MessageInfo | undefined {
  const found = (typeName: string): MessageInfo | undefined => {
    const desc = registry.getMessage(typeName);
    return desc === undefined ? undefined : messageInfo(desc);
  };
  if (reference.startsWith(".")) return found(reference.slice(1));
  const parts = scope === "" ? [] : scope.split(".");
  for (let n = parts.length; n >= 0; n--) {
    const candidate = found([...parts.slice(0, n), reference].join("."));
    if (candidate !== undefined) return candidate;
  }
  return undefined;
}
