/**
 * protocols/google/api is our own text of Google's HTTP annotations. The proxy reads `google.api.http` by
 * extension number and field numbers, so the compiled descriptors (source comments left out) must be byte for
 * byte Google's: this compares them with the google-proto-files package's copy, a development dependency only.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ROOT } from "../support/root.js";

const BUF = join(ROOT, "node_modules/.bin/buf");

function build(module: string, files: readonly string[], out: string): Buffer {
  const args = ["build", module, ...files.flatMap((f) => ["--path", join(module, f)]), "--exclude-source-info"];
  const run = spawnSync(BUF, [...args, "-o", out], { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return readFileSync(out);
}

describe("protocols/google/api", () => {
  const work = mkdtempSync(join(tmpdir(), "cloudstate-google-api-"));
  after(() => rmSync(work, { recursive: true, force: true }));
  const files = ["google/api/annotations.proto", "google/api/http.proto"];

  it("compiles to exactly Google's descriptors for annotations.proto and http.proto", () => {
    const ours = build("protocols", files, join(work, "ours.binpb"));
    const google = build("node_modules/google-proto-files", files, join(work, "google.binpb"));
    assert.ok(ours.length > 1000, "a descriptor set was built");
    assert.ok(ours.equals(google), "the descriptor sets differ: a name, number, type or option is not Google's");
  });

  it("declares google.api.http as extension 72295728 of MethodOptions", () => {
    const text = readFileSync(join(ROOT, "protocols/google/api/annotations.proto"), "utf8");
    assert.match(text, /extend google\.protobuf\.MethodOptions \{\s*HttpRule http = 72295728;\s*\}/);
  });
});
