/**
 * Files embedded once each by generated code, assembled into the FileDescriptorSet the proxy takes: dependencies
 * first, every file once, bytes unchanged; entities assemble theirs once, and discovery one set for all.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import {
  assembleDescriptorSet,
  configDescriptors,
  descriptorSetOf,
  type EmbeddedFile,
  splitDescriptorSet,
} from "../../runtime/descriptor-set.js";
import { embeddedFile } from "../../runtime/codegen/v1/index.js";
import { buildEntitySpec } from "../../runtime/discovery.js";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { cartSummary } from "../../examples/shopping-cart/src/summary.js";
import { file_com_example_shoppingcart_shoppingcart as SHOPPING_CART_FILE } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";

function file(name: string, imports: readonly EmbeddedFile[] = []): EmbeddedFile {
  const proto = create(FileDescriptorProtoSchema, { name, dependency: imports.map((i) => i.name) });
  return embeddedFile(Buffer.from(toBinary(FileDescriptorProtoSchema, proto)).toString("base64"), imports);
}

const names = (set: Uint8Array): string[] => splitDescriptorSet(set).map((f) => f.name);

/** Whether every file of the set comes after each file it imports. */
function dependenciesFirst(set: Uint8Array): boolean {
  const seen = new Set<string>();
  for (const { name, bytes } of splitDescriptorSet(set)) {
    if (!fromBinary(FileDescriptorProtoSchema, bytes).dependency.every((d) => seen.has(d))) return false;
    seen.add(name);
  }
  return true;
}

describe("embedded files", () => {
  it("take their name from the bytes", () => {
    assert.equal(file("a/b.proto").name, "a/b.proto");
  });

  it("assemble dependencies first, each file once, across a diamond", () => {
    const base = file("base.proto");
    const left = file("left.proto", [base]);
    const right = file("right.proto", [base]);
    const top = file("top.proto", [left, right]);
    assert.deepEqual(names(assembleDescriptorSet([top])), ["base.proto", "left.proto", "right.proto", "top.proto"]);
    assert.ok(dependenciesFirst(assembleDescriptorSet([top])));
    assert.ok(!dependenciesFirst(descriptorSetOf([left.bytes, base.bytes])), "the check itself can fail");
    assert.deepEqual(names(assembleDescriptorSet([left, top, right])), [
      "base.proto",
      "left.proto",
      "right.proto",
      "top.proto",
    ]);
  });

  it("assemble with hand-written sets, the first file of a name kept", () => {
    const base = file("base.proto");
    const handWritten = assembleDescriptorSet([file("other.proto"), base]);
    const set = assembleDescriptorSet([handWritten, file("top.proto", [base])]);
    assert.deepEqual(names(set), ["other.proto", "base.proto", "top.proto"]);
  });

  it("copy every file's bytes unchanged", () => {
    const set = assembleDescriptorSet([SHOPPING_CART_FILE]);
    const byName = new Map(splitDescriptorSet(set).map((f) => [f.name, f.bytes]));
    const visit = (embedded: EmbeddedFile): void => {
      assert.deepEqual(Buffer.from(byName.get(embedded.name) ?? []), Buffer.from(embedded.bytes), embedded.name);
      embedded.imports.forEach(visit);
    };
    visit(SHOPPING_CART_FILE);
  });
});

describe("an entity's descriptors", () => {
  it("are its generated file and imports, assembled once", () => {
    const set = shoppingCart.descriptorSet;
    assert.equal(shoppingCart.descriptorSet, set, "assembled once and kept");
    assert.ok(names(set).includes("com/example/shoppingcart/shoppingcart.proto"));
    assert.ok(names(set).includes("google/protobuf/descriptor.proto"));
    assert.equal(new Set(names(set)).size, names(set).length);
    assert.ok(dependenciesFirst(set));
  });

  it("come from exactly one of descriptor and descriptorSet", () => {
    const set = shoppingCart.descriptorSet;
    assert.equal(configDescriptors("s.S", { descriptorSet: set })(), set);
    assert.throws(
      () => configDescriptors("s.S", {}),
      /^Error: s\.S: give exactly one of descriptor .* or descriptorSet .*; got neither$/,
    );
    assert.throws(
      () => configDescriptors("s.S", { descriptor: SHOPPING_CART_FILE, descriptorSet: set }),
      /s\.S: give exactly one of descriptor .*; got both$/,
    );
  });
});

describe("discovery", () => {
  it("sends one set of every served entity's files, each once, dependencies first", () => {
    const proto = new Uint8Array(buildEntitySpec([shoppingCart, cartSummary]).proto);
    const sent = names(proto);
    assert.equal(new Set(sent).size, sent.length);
    for (const name of [...names(shoppingCart.descriptorSet), ...names(cartSummary.descriptorSet)]) {
      assert.ok(sent.includes(name), name);
    }
    assert.ok(dependenciesFirst(proto));
  });

  it("sends the set an entity carries, even when it replaces the one its config gave", () => {
    const other = cartSummary.descriptorSet;
    const proto = new Uint8Array(buildEntitySpec([{ ...shoppingCart, descriptorSet: other }]).proto);
    assert.deepEqual(names(proto), names(other));
  });
});
