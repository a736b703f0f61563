/**
 * The descriptor sets the plugin embeds are what buf built, byte for byte and field by field, so protobuf-java in
 * the proxy can build them. The 0.6.0 proxy rejected a set re-encoded through generated types: proto2 fields equal
 * to their default (a field's `type` of TYPE_DOUBLE, say) had been dropped. Checked for every example, every golden
 * case, and the `descriptor_fidelity` case, which has double and float fields, enums whose first value is used,
 * proto2 optionals with defaults, a group, maps, oneofs, extensions and nested types.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { createFileRegistry, equals, fromBinary, isFieldSet } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type FieldDescriptorProto,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { descriptorSetOf, splitDescriptorSet, withoutField } from "../../runtime/descriptor-set.js";
import { embeddedDescriptorSets, ROOT } from "../support/embedded-descriptors.js";

const FIELD = FieldDescriptorProtoSchema.field;
/** FileDescriptorProto.source_code_info. */
const SOURCE_CODE_INFO = 9;
/** The extension buf adds to each file of an image it writes (module and import facts). */
const BUF_IMAGE_EXTENSION = 8042;

/** What `buf build` makes of the whole workspace, by file name, without source info. */
function bufImage(): Map<string, Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "cloudstate-fidelity-"));
  try {
    const out = join(dir, "image.binpb");
    const run = spawnSync(join(ROOT, "node_modules/.bin/buf"), ["build", "--exclude-source-info", "-o", out], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    return new Map(
      splitDescriptorSet(new Uint8Array(readFileSync(out))).map((file) => [
        file.name,
        withoutField(withoutField(file.bytes, SOURCE_CODE_INFO), BUF_IMAGE_EXTENSION),
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function allMessages(file: FileDescriptorProto): DescriptorProto[] {
  const out: DescriptorProto[] = [];
  const visit = (message: DescriptorProto): void => {
    out.push(message);
    message.nestedType.forEach(visit);
  };
  file.messageType.forEach(visit);
  return out;
}

function allFields(file: FileDescriptorProto): FieldDescriptorProto[] {
  return [...allMessages(file).flatMap((m) => [...m.field, ...m.extension]), ...file.extension];
}

const sets = embeddedDescriptorSets();

describe("embedded descriptor sets", () => {
  let image: Map<string, Uint8Array>;
  before(() => {
    image = bufImage();
  });

  it("are found in every example and golden case, the fidelity case included", () => {
    assert.ok(sets.length >= 6, `found only ${sets.length}`);
    assert.ok(sets.some((s) => s.proto === "com/example/shoppingcart/shoppingcart.proto"));
    assert.ok(sets.some((s) => s.proto === "descriptor_fidelity/scales.proto"));
  });

  for (const set of sets) {
    describe(`${set.module} (${set.constant})`, () => {
      it("holds each file exactly as buf built it", () => {
        const files = splitDescriptorSet(set.bytes);
        assert.ok(files.some((f) => f.name === set.proto));
        for (const file of files) {
          const built = image.get(file.name);
          assert.ok(built !== undefined, `${file.name} is not in buf's image`);
          assert.ok(Buffer.from(file.bytes).equals(Buffer.from(built)), `${file.name} differs from buf's bytes`);
        }
      });

      it("decodes field by field equal to buf's, with every field's type and label present", () => {
        for (const file of fromBinary(FileDescriptorSetSchema, set.bytes).file) {
          const reference = fromBinary(
            FileDescriptorSetSchema,
            descriptorSetOf([image.get(file.name) ?? new Uint8Array()]),
          ).file[0];
          assert.ok(reference !== undefined);
          assert.ok(equals(FileDescriptorProtoSchema, file, reference), `${file.name} differs from buf's`);
          for (const field of allFields(file)) {
            assert.ok(isFieldSet(field, FIELD.type), `${file.name}: field ${field.name} has no type`);
            assert.ok(isFieldSet(field, FIELD.label), `${file.name}: field ${field.name} has no label`);
          }
        }
      });

      it("builds into a registry where every referenced type resolves", () => {
        const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, set.bytes));
        assert.ok(registry.getFile(set.proto) !== undefined);
      });
    });
  }

  it("keeps the fidelity case's defaults and presence", () => {
    const set = sets.find((s) => s.proto === "descriptor_fidelity/scales.proto");
    assert.ok(set !== undefined);
    const legacy = fromBinary(FileDescriptorSetSchema, set.bytes).file.find(
      (f) => f.name === "descriptor_fidelity/legacy.proto",
    );
    assert.ok(legacy !== undefined);
    const measurement = legacy.messageType.find((m) => m.name === "Measurement");
    const field = (name: string): FieldDescriptorProto => {
      const found = measurement?.field.find((f) => f.name === name);
      assert.ok(found !== undefined, name);
      return found;
    };
    assert.equal(field("value").type, FieldDescriptorProto_Type.DOUBLE);
    assert.ok(isFieldSet(field("value"), FIELD.defaultValue));
    assert.equal(field("value").defaultValue, "0");
    assert.equal(field("precision").defaultValue, "1.5");
    assert.equal(field("unit").defaultValue, "GRAM");
    assert.ok(isFieldSet(field("label"), FIELD.defaultValue));
    assert.equal(field("channel").jsonName, "chan");
    assert.equal(field("history").options?.packed, true);
    assert.equal(legacy.extension[0]?.type, FieldDescriptorProto_Type.DOUBLE);
  });
});
