import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FirstCommands } from "./first-commands.js";

describe("FirstCommands", () => {
  it("parses lines split across chunks, per node, and ignores other output", () => {
    const firsts = new FirstCommands();
    firsts.add("node-1", "info user function listening\ncluster-first-command cart c1 st", 1);
    firsts.add("node-2", "cluster-first-command tally t1 state=0\n", 2);
    firsts.add("node-1", "ate=4\nnoise\n", 3);
    assert.deepEqual(
      firsts.all.map((f) => [f.node, f.service, f.entity, f.stateSize]),
      [
        ["node-2", "tally", "t1", 0],
        ["node-1", "cart", "c1", 4],
      ],
    );
  });

  it("knows an entity's latest home and counts entities per node", () => {
    const firsts = new FirstCommands();
    firsts.add("node-1", "cluster-first-command cart c1 state=0\ncluster-first-command cart c2 state=0\n", 1);
    firsts.add("node-2", "cluster-first-command cart c1 state=3\ncluster-first-command tally c1 state=0\n", 5);
    assert.deepEqual(
      [...firsts.homes("cart")],
      [
        ["c1", "node-2"],
        ["c2", "node-1"],
      ],
    );
    assert.deepEqual(
      [...firsts.countByNode(["cart", "tally"])],
      [
        ["node-1", 2],
        ["node-2", 2],
      ],
    );
    assert.deepEqual(
      firsts.since(2, (f) => f.stateSize > 0).map((f) => f.entity),
      ["c1"],
    );
  });

  it("waits for a line, and fails naming what it waited for", async () => {
    const firsts = new FirstCommands();
    const seen = firsts.waitUntil(() => firsts.all.length === 1, "one line", 5000);
    firsts.add("node-3", "cluster-first-command cart c9 state=0\n", 1);
    await seen;
    await assert.rejects(
      firsts.waitUntil(() => false, "never", 10),
      /never: not seen within 10 ms/,
    );
  });
});
