/**
 * Memory returns to its baseline after streams end: rounds of 300 entity streams (a third of them broken by a
 * second init) are opened and closed, and the heap after the last rounds must not keep growing past the first.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { ROOT } from "../tools/plugin-cases.js";

describe("memory after streams end", () => {
  it("the heap returns to its baseline round after round", (t) => {
    const run = spawnSync("node", ["--expose-gc", "--import", "tsx", "test/fuzz/heap-probe.ts", "6"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const { heaps } = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as { heaps: number[] };
    const mib = heaps.map((h) => (h / 2 ** 20).toFixed(1));
    t.diagnostic(`heap after each round of 300 streams (MiB): ${mib.join(", ")}`);
    const baseline = heaps[1] ?? 0; // after the first round, once code and caches are warm
    const last = heaps.at(-1) ?? 0;
    // 1,500 streams later the heap may wobble by a few hundred KiB; a leak of 1 KiB a stream would show.
    assert.ok(last - baseline < 2 ** 20, `heap grew from ${mib[1]} to ${mib.at(-1)} MiB`);
  });
});
