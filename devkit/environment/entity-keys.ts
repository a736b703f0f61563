/**
 * Which entity a client's call is for, read from the request as ts-proto gives it: the values of the input
 * message's fields marked `(cloudstate.entity_key)`, found in the entity's descriptor set. The test environment
 * bounds the first call to each entity after a restart, so it must tell entities apart without the proxy. The key
 * option and ts-proto's property names are read by the plugin's own readers (plugin/proto-options.ts, names.ts), so
 * the two agree on which fields are keys and what they are called.
 */
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import Long from "long";
import { fieldKey, isEntityKey } from "protoc-gen-cloudstate/reflection";

/** What the reader needs of a served entity. */
export interface KeyedService {
  readonly serviceName: string;
  readonly descriptorSet: Uint8Array;
}

/**
 * A function from a call's method path (`/pkg.Service/Method`) and request to the id of the entity it addresses
 * (`pkg.Service` and the key values), or to undefined when the method is not known or its request has no key
 * field the reader can read (the caller then treats the whole service as one).
 */
export type EntityOfCall = (methodPath: string, request: unknown) => string | undefined;

/** An {@link EntityOfCall} for the given services. */
export function entityOfCall(services: readonly KeyedService[]): EntityOfCall {
  const keysByPath = new Map<string, readonly KeyField[]>();
  for (const { serviceName, descriptorSet } of services) {
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
    const service = registry.getService(serviceName);
    for (const method of service?.methods ?? []) {
      const keys = method.input.fields
        .filter(isEntityKey)
        .map((field): KeyField =>
          field.oneof === undefined
            ? { property: fieldKey(field.name) }
            : { property: fieldKey(field.oneof.name), oneofCase: fieldKey(field.name) },
        );
      if (keys.length > 0) keysByPath.set(`/${serviceName}/${method.name}`, keys);
    }
  }
  return (methodPath, request) => {
    const keys = keysByPath.get(methodPath);
    if (keys === undefined || typeof request !== "object" || request === null) return undefined;
    const values = keys.map((key) => keyText(valueOf(request, key)));
    return `${methodPath.split("/")[1]} ${JSON.stringify(values)}`;
  };
}

/** Where ts-proto puts a key field: its own property, or the `{ $case, value }` of its oneof's property. */
interface KeyField {
  readonly property: string;
  /** The field's `$case` when it is in a oneof (ts-proto's `oneof=unions-value`). */
  readonly oneofCase?: string;
}

function valueOf(request: object, key: KeyField): unknown {
  const value: unknown = Reflect.get(request, key.property);
  if (key.oneofCase === undefined) return value;
  if (typeof value !== "object" || value === null || Reflect.get(value, "$case") !== key.oneofCase) return undefined;
  return Reflect.get(value, "value");
}

/** A key field's value as text: strings, numbers (Long included), booleans and bytes; a field left out is "". */
function keyText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (Long.isLong(value)) return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return "";
}
