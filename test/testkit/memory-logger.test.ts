/** The in-memory logger the test environment keeps the user function's log in, and its event-driven wait. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { memoryLogger } from "cloudstate-ts/testkit";

describe("memoryLogger", () => {
  it("keeps each line with its level, and shows them as text", () => {
    const log = memoryLogger();
    log.info("one");
    log.error("two", new Error("detail"));
    assert.deepEqual(
      log.lines.map((line) => [line.level, line.message]),
      [
        ["info", "one"],
        ["error", "two"],
      ],
    );
    assert.equal(log.text(), "info one\nerror two\n");
  });

  it("waitFor resolves when a later line matches, not before", async () => {
    const log = memoryLogger();
    log.info("rejected: old");
    const since = log.text().length;
    let resolved = false;
    const waiting = log.waitFor(/^warn rejected: (\w+)/, 5_000, since).then((match) => {
      resolved = true;
      return match;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(resolved, false, "the line before `since` must not count");
    log.warn("rejected: new");
    const match = await waiting;
    assert.equal(match[1], "new");
  });

  it("waitFor rejects after its timeout, quoting what was logged since", async () => {
    const log = memoryLogger();
    log.info("before");
    const since = log.text().length;
    log.info("something else");
    await assert.rejects(
      log.waitFor(/never/, 20, since),
      /^Error: nothing logged matched \/never\/ within 20 ms; logged since:\ninfo something else\n$/,
    );
  });
});
