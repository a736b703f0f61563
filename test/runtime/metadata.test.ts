/** The Metadata multimap: case-insensitive keys, repeated values, string and bytes, the CloudEvent view, wire form. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metadata } from "../../runtime/index.js";
import { metadataFromWire, metadataToWire } from "../../runtime/metadata.js";

describe("Metadata", () => {
  it("finds keys without regard to case and keeps every value in order", () => {
    const metadata = new Metadata().add("X-Id", "1").add("x-id", "2").add("other", "3");
    assert.equal(metadata.get("X-ID"), "1");
    assert.deepEqual(metadata.getAll("x-Id"), ["1", "2"]);
    assert.equal(metadata.has("OTHER"), true);
    assert.equal(metadata.size, 3);
    metadata.set("x-ID", "9");
    assert.deepEqual(
      metadata.entries().map((e) => [e.key, e.value]),
      [
        ["other", "3"],
        ["x-ID", "9"],
      ],
    );
    metadata.delete("OTHER");
    assert.equal(metadata.has("other"), false);
  });

  it("keeps string and bytes values apart", () => {
    const metadata = new Metadata({ "trace-bin": new Uint8Array([7]), trace: "t" });
    assert.deepEqual([...(metadata.getBytes("TRACE-BIN") ?? [])], [7]);
    assert.equal(metadata.get("trace-bin"), undefined);
    assert.equal(metadata.getBytes("trace"), undefined);
  });

  it("builds from entries, records with repeated values, and other metadata", () => {
    const fromRecord = new Metadata({ a: ["1", "2"], b: "3" });
    assert.deepEqual(fromRecord.getAll("A"), ["1", "2"]);
    const copy = new Metadata(fromRecord);
    copy.add("c", "4");
    assert.equal(fromRecord.has("c"), false);
    assert.deepEqual(
      [...new Metadata([{ key: "k", value: "v" }])].map((e) => e.key),
      ["k"],
    );
    assert.throws(() => new Metadata().add("", "x"), /must not be empty/);
  });

  it("reads and writes the CloudEvent attributes as ce-* entries", () => {
    const metadata = new Metadata({
      "Ce-Subject": "cart-1",
      "ce-type": "ItemAdded",
      "ce-time": "2026-01-01T00:00:00Z",
    });
    assert.deepEqual(metadata.cloudEvent, {
      specversion: undefined,
      id: undefined,
      source: undefined,
      type: "ItemAdded",
      subject: "cart-1",
      datacontenttype: undefined,
      dataschema: undefined,
      time: "2026-01-01T00:00:00Z",
    });
    metadata.setCloudEvent({ source: "shopping-cart", subject: "cart-2" });
    assert.equal(metadata.get("ce-source"), "shopping-cart");
    assert.deepEqual(metadata.getAll("ce-subject"), ["cart-2"]);
  });

  it("round-trips the wire form, and sends nothing for no metadata", () => {
    const wire = metadataToWire({ a: "1", "b-bin": new Uint8Array([1, 2]) });
    const back = metadataFromWire(wire);
    assert.equal(back.get("A"), "1");
    assert.deepEqual([...(back.getBytes("b-bin") ?? [])], [1, 2]);
    assert.equal(metadataToWire(undefined), undefined);
    assert.equal(metadataToWire({}), undefined);
    assert.equal(metadataFromWire(undefined).size, 0);
  });
});
