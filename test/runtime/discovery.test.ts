/** Discovery built from entities without a network, descriptor-set merging, and entity definition checks. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { FileDescriptorSet } from "ts-proto-descriptors";
import { defineEventSourcedEntity, LIBRARY_VERSION, type ServiceDefinition } from "../../runtime/index.js";
import { assembleDescriptorSet, splitDescriptorSet } from "../../runtime/descriptor-set.js";
import { buildEntitySpec, conflictingFiles, entityDiscoveryService } from "../../runtime/discovery.js";
import { memoryLogger } from "../../runtime/testkit/memory-logger.js";
import { shoppingCart, shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import { ShoppingCartDefinition } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { Cart } from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";

function setOf(...files: { name: string; dependency?: string[] }[]): Uint8Array {
  return FileDescriptorSet.encode({
    file: files.map((f) => ({
      ...FileDescriptorSet.fromPartial({ file: [{ name: f.name, dependency: f.dependency ?? [] }] }).file[0]!,
    })),
  }).finish();
}

describe("descriptor sets", () => {
  it("merges sets keeping each file once, first occurrence first", () => {
    const a = setOf({ name: "dep.proto" }, { name: "a.proto", dependency: ["dep.proto"] });
    const b = setOf(
      { name: "dep.proto" },
      { name: "other.proto" },
      { name: "b.proto", dependency: ["dep.proto", "other.proto"] },
    );
    const merged = splitDescriptorSet(assembleDescriptorSet([a, b]));
    assert.deepEqual(
      merged.map((f) => f.name),
      ["dep.proto", "a.proto", "other.proto", "b.proto"],
    );
  });

  it("copies files byte for byte", () => {
    const merged = assembleDescriptorSet([shoppingCart.descriptorSet]);
    assert.deepEqual(Buffer.from(merged), Buffer.from(shoppingCart.descriptorSet));
  });
});

describe("buildEntitySpec", () => {
  it("reports version 0.2, service info and no passivation unless configured", () => {
    const spec = buildEntitySpec([shoppingCart], { serviceName: "cart", serviceVersion: "1.2.3" });
    assert.equal(spec.serviceInfo?.protocolMajorVersion, 0);
    assert.equal(spec.serviceInfo?.protocolMinorVersion, 2);
    assert.equal(spec.serviceInfo?.serviceName, "cart");
    assert.equal(spec.serviceInfo?.serviceVersion, "1.2.3");
    assert.equal(spec.entities[0]?.passivationStrategy, undefined);
  });

  it("reports a passivation timeout in milliseconds when configured", () => {
    const spec = buildEntitySpec([shoppingCartEntity(shoppingCartHandlers, { passivationTimeoutMs: 1500 })]);
    const strategy = spec.entities[0]?.passivationStrategy?.strategy;
    assert.equal(strategy?.$case, "timeout");
    assert.equal(strategy?.value.timeout.toNumber(), 1500);
  });
});

describe("defineEventSourcedEntity", () => {
  // Known only as a ServiceDefinition (as from JavaScript), so that the run-time checks are what refuses these:
  // with the generated definition's own type, each mistake below is a compile error.
  const service: ServiceDefinition = ShoppingCartDefinition;
  const base = {
    service,
    descriptorSet: new Uint8Array(),
    state: Cart,
    initialState: () => Cart.create(),
    events: {},
  };
  const handle = () => ({});

  it("refuses an rpc without a handler, a handler without an rpc, and bad numbers", () => {
    const method = ShoppingCartDefinition.methods;
    const all = {
      AddItem: { method: method.addItem, handle },
      RemoveItem: { method: method.removeItem, handle },
      GetCart: { method: method.getCart, handle },
    };
    assert.throws(
      () => defineEventSourcedEntity({ ...base, commands: { AddItem: all.AddItem } }),
      /ShoppingCart\.RemoveItem has no command handler/,
    );
    assert.throws(
      () => defineEventSourcedEntity({ ...base, commands: { ...all, Checkout: { method: method.addItem, handle } } }),
      /has no rpc Checkout/,
    );
    assert.throws(() => defineEventSourcedEntity({ ...base, commands: all, snapshotEvery: -1 }), /snapshotEvery/);
    assert.throws(
      () => defineEventSourcedEntity({ ...base, commands: all, passivationTimeoutMs: 0 }),
      /passivationTimeoutMs/,
    );
    const entity = defineEventSourcedEntity({ ...base, commands: all });
    assert.equal(entity.persistenceId, "ShoppingCart");
    assert.equal(entity.snapshotEvery, 100);
  });
});

describe("version", () => {
  it("reports the version in package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    assert.equal(LIBRARY_VERSION, pkg.version);
  });
});

describe("files served under one name with different contents", () => {
  const entity = (serviceName: string, descriptorSet: Uint8Array) => ({ ...shoppingCart, serviceName, descriptorSet });
  const shared = setOf({ name: "dep.proto" }, { name: "a.proto", dependency: ["dep.proto"] });
  const sameName = setOf({ name: "other.proto" }, { name: "dep.proto", dependency: ["other.proto"] });

  it("finds none when every copy is the same, source info aside", () => {
    const comment = { location: [{ path: [4], leadingComments: " a comment" }] };
    const withComments = FileDescriptorSet.encode(
      FileDescriptorSet.fromPartial({
        file: [
          { name: "dep.proto", sourceCodeInfo: comment },
          { name: "a.proto", dependency: ["dep.proto"], sourceCodeInfo: comment },
        ],
      }),
    ).finish();
    assert.notDeepEqual(Buffer.from(withComments), Buffer.from(shared));
    assert.deepEqual(conflictingFiles([entity("a.A", shared), entity("b.B", shared), entity("c.C", withComments)]), []);
  });

  it("names the file, the service whose copy the proxy gets and the one it does not", () => {
    const entities = [entity("a.A", shared), entity("b.B", sameName), entity("c.C", sameName)];
    assert.deepEqual(conflictingFiles(entities), [{ name: "dep.proto", kept: "a.A", dropped: "b.B" }]);
    const log = memoryLogger();
    entityDiscoveryService(entities, {}, log);
    assert.deepEqual(
      log.lines.map((line) => `${line.level} ${line.message}`),
      [
        "warn two different files named dep.proto are served: the proxy gets a.A's, not b.B's (serve entities generated in one project, from one set of protos)",
      ],
    );
  });
});
