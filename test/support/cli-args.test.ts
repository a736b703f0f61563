/** The suites' command lines refuse an unknown or incomplete flag at once, naming it, with exit code 2. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "./root.js";

function run(script: string, ...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe("the suites' command lines", () => {
  for (const [script, command, usage] of [
    ["test/soak/main.ts", "soak", "npm run soak -- [--short]"],
    ["test/bench/main.ts", "bench", "npm run bench -- [--quick]"],
    ["test/cluster/main.ts", "cluster", "npm run cluster -- [--short]"],
    ["test/tck/run.ts", "tck", "npm run tck -- [--proxy=dev|postgres]"],
  ] as const) {
    it(`${command} refuses a misspelt flag before starting anything`, () => {
      const { status, stderr } = run(script, "--shrot");
      assert.equal(status, 2, stderr);
      assert.match(stderr, new RegExp(`^${command}: Unknown option '--shrot'`));
      assert.ok(stderr.includes(usage), stderr);
    });
  }

  it("soak refuses a flag given without its value", () => {
    const { status, stderr } = run("test/soak/main.ts", "--cycles");
    assert.equal(status, 2, stderr);
    assert.match(stderr, /^soak: Option '--cycles <value>' argument missing/);
  });

  it("bench refuses an implementation it does not know", () => {
    const { status, stderr } = run("test/bench/main.ts", "--only=ours,rust");
    assert.equal(status, 2, stderr);
    assert.match(stderr, /^bench: --only names rust; known: ours, echo, echo-grpc-js, go, java/);
  });

  it("bench --e2e refuses an implementation that cannot sit behind the proxy", () => {
    const { status, stderr } = run("test/bench/main.ts", "--e2e", "--only=ours,echo");
    assert.equal(status, 2, stderr);
    assert.match(stderr, /^bench: --e2e --only names echo; known: ours, go/);
  });
});
