/**
 * Merging serialized FileDescriptorSets at the byte level. Files are copied as they were serialized, so options
 * the runtime has no generated types for (such as `google.api.http`) reach the proxy intact.
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

const FILE_FIELD = 1; // FileDescriptorSet.file
const NAME_FIELD = 1; // FileDescriptorProto.name

/** One file of a descriptor set: its path and its serialized FileDescriptorProto. */
export interface SerializedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Splits a serialized FileDescriptorSet into its files. */
export function splitDescriptorSet(set: Uint8Array): SerializedFile[] {
  return serializedFilesIn(set, FILE_FIELD);
}

/**
 * The FileDescriptorProtos a message holds in its repeated `field`, each with its name and its bytes as they are:
 * field 1 of a FileDescriptorSet, field 15 (`proto_file`) of a CodeGeneratorRequest.
 */
export function serializedFilesIn(message: Uint8Array, field: number): SerializedFile[] {
  return lengthDelimitedFields(message, field).map((bytes) => ({ name: fileName(bytes), bytes }));
}

/**
 * The length-delimited occurrences of `field` in a serialized message, as the bytes they carry, in order. Used on
 * a CodeGeneratorRequest to take its `proto_file`s exactly as the compiler serialized them.
 */
export function lengthDelimitedFields(message: Uint8Array, field: number): Uint8Array[] {
  const found: Uint8Array[] = [];
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (number === field && wireType === WireType.LengthDelimited) found.push(reader.bytes());
    else reader.skip(wireType, number);
  }
  return found;
}

/**
 * A serialized message without any occurrence of `field`; every other byte is kept as it was, in order. Used to
 * drop `source_code_info` from a FileDescriptorProto without decoding and re-encoding it (re-encoding loses proto2
 * presence, and protobuf-java then rejects the descriptor).
 */
export function withoutField(message: Uint8Array, field: number): Uint8Array {
  const kept: Uint8Array[] = [];
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [number, wireType] = reader.tag();
    reader.skip(wireType, number);
    if (number !== field) kept.push(message.subarray(start, reader.pos));
  }
  const out = new Uint8Array(kept.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of kept) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Serializes files (already serialized FileDescriptorProtos) as a FileDescriptorSet, in the order given. */
export function descriptorSetOf(files: Iterable<Uint8Array>): Uint8Array {
  const writer = new BinaryWriter();
  for (const file of files) writer.tag(FILE_FIELD, WireType.LengthDelimited).bytes(file);
  return writer.finish();
}

function fileName(file: Uint8Array): string {
  const reader = new BinaryReader(file);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === NAME_FIELD && wireType === WireType.LengthDelimited) return reader.string();
    reader.skip(wireType, field);
  }
  return "";
}

/**
 * One proto file as generated code embeds it: the file alone, serialized as the compiler did (without source
 * info), and the embedded files of its imports. Generated code embeds each file once, in its own module, and
 * refers to its imports' modules; the runtime joins a file and its imports into the FileDescriptorSet the proxy
 * takes at discovery.
 */
export interface EmbeddedFile {
  /** The proto file's path, e.g. `com/example/shoppingcart/shoppingcart.proto`. */
  readonly name: string;
  /** Its serialized FileDescriptorProto, byte for byte as the compiler wrote it, without source info. */
  readonly bytes: Uint8Array;
  /** The embedded files of the files it imports, in the order it imports them. */
  readonly imports: readonly EmbeddedFile[];
}

/** A file generated code embeds, or a serialized FileDescriptorSet (of a file and all it imports) written by hand. */
export type DescriptorSource = EmbeddedFile | Uint8Array;

/** An embedded file of the serialized FileDescriptorProto `bytes` and the embedded files of its imports. */
export function embeddedFileOf(bytes: Uint8Array, imports: readonly EmbeddedFile[]): EmbeddedFile {
  return Object.freeze({ name: fileName(bytes), bytes, imports: Object.freeze([...imports]) });
}

/**
 * One FileDescriptorSet from every source: each embedded file after its imports (dependencies first), each set's
 * files in their order, every file once (the first of a name wins). Files are copied as they are, never
 * re-encoded.
 */
export function assembleDescriptorSet(sources: Iterable<DescriptorSource>): Uint8Array {
  const seen = new Set<string>();
  const files: Uint8Array[] = [];
  const add = (name: string, bytes: Uint8Array): void => {
    if (seen.has(name)) return;
    seen.add(name);
    files.push(bytes);
  };
  const visit = (file: EmbeddedFile): void => {
    if (seen.has(file.name)) return;
    for (const imported of file.imports) visit(imported);
    add(file.name, file.bytes);
  };
  for (const source of sources) {
    if (source instanceof Uint8Array) for (const file of splitDescriptorSet(source)) add(file.name, file.bytes);
    else visit(source);
  }
  return descriptorSetOf(files);
}

/**
 * The descriptors of an entity's config: the file generated code embeds (`descriptor`) or a serialized
 * FileDescriptorSet written by hand (`descriptorSet`), exactly one of them.
 */
export type EntityDescriptors =
  | {
      /** The entity's proto file as generated code embeds it, its imports referenced. */
      readonly descriptor: EmbeddedFile;
      /** Not given with `descriptor`. */
      readonly descriptorSet?: undefined;
    }
  | {
      /** A serialized FileDescriptorSet holding the entity's service and everything it imports. */
      readonly descriptorSet: Uint8Array;
      /** Not given with `descriptorSet`. */
      readonly descriptor?: undefined;
    };

/**
 * The FileDescriptorSet of an entity's config, assembled on first use and then kept (the testkit's descriptor
 * check caches by the set's identity; discovery joins the sets of all entities).
 * @throws Error naming the service when the config gives neither or both (possible only without the types).
 */
export function configDescriptors(
  serviceName: string,
  config: { readonly descriptor?: EmbeddedFile | undefined; readonly descriptorSet?: Uint8Array | undefined },
): () => Uint8Array {
  const { descriptor, descriptorSet } = config;
  if (descriptor !== undefined && descriptorSet === undefined) {
    let assembled: Uint8Array | undefined;
    return () => (assembled ??= assembleDescriptorSet([descriptor]));
  }
  if (descriptorSet !== undefined && descriptor === undefined) return () => descriptorSet;
  const got = descriptor === undefined ? "neither" : "both";
  throw new Error(
    `${serviceName}: give exactly one of descriptor (the file generated code embeds) or descriptorSet (a serialized FileDescriptorSet); got ${got}`,
  );
}
