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
  const files: SerializedFile[] = [];
  const reader = new BinaryReader(set);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === FILE_FIELD && wireType === WireType.LengthDelimited) {
      const bytes = reader.bytes();
      files.push({ name: fileName(bytes), bytes });
    } else {
      reader.skip(wireType, field);
    }
  }
  return files;
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
 * Joins descriptor sets into one, each file once (first occurrence wins), keeping every set's order so that
 * files still follow their imports.
 */
export function mergeDescriptorSets(sets: Iterable<Uint8Array>): Uint8Array {
  const seen = new Set<string>();
  const writer = new BinaryWriter();
  for (const set of sets) {
    for (const file of splitDescriptorSet(set)) {
      if (seen.has(file.name)) continue;
      seen.add(file.name);
      writer.tag(FILE_FIELD, WireType.LengthDelimited).bytes(file.bytes);
    }
  }
  return writer.finish();
}
