/**
 * Every descriptor set the plugin embedded (every example, every golden case) builds with the protobuf-java the
 * real proxy runs on, the way the proxy builds it at discovery.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { embeddedDescriptorSets } from "../support/embedded-descriptors.js";
import { proxyClasspath } from "../../devkit/launch/maven.js";

describe("embedded descriptor sets in the proxy's protobuf-java", () => {
  it("all build, every field with its Java type", () => {
    const sets = embeddedDescriptorSets();
    assert.ok(sets.length > 0);
    const dir = mkdtempSync(join(tmpdir(), "cloudstate-java-descriptors-"));
    try {
      const paths = sets.map((set, i) => {
        const path = join(dir, `${i}-${set.constant}.binpb`);
        writeFileSync(path, set.bytes);
        return path;
      });
      const checker = new URL("java/BuildDescriptors.java", import.meta.url).pathname;
      const run = spawnSync("java", ["-cp", proxyClasspath(), checker, ...paths], { encoding: "utf8" });
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
      assert.equal(
        run.stdout
          .trim()
          .split("\n")
          .filter((line) => line.startsWith("built ")).length,
        sets.length,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
