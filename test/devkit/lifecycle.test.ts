/**
 * devkit/launch/lifecycle.ts, the one owner of signals and cleanup, in real child processes: a command waiting in
 * `untilInterrupted` gets the first signal and its started processes keep running until it stops them; a second
 * signal, or a signal when no command waits, stops every started process and exits 130 or 143.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../support/root.js";

const SCRIPT = (waits: boolean): string => `
import { startProcess } from ${JSON.stringify(join(ROOT, "devkit/launch/processes.ts"))};
import { untilInterrupted } from ${JSON.stringify(join(ROOT, "devkit/launch/lifecycle.ts"))};
const sleeper = startProcess("sleeper", "sleep", ["300"], {});
console.log("sleeper " + sleeper.child.pid);
${waits ? 'untilInterrupted().then((signal) => console.log("interrupted " + signal));' : ""}
setInterval(() => undefined, 1000);
`;

/** Resolves with the first match of `pattern` in what the child prints. */
function printed(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("utf8");
      const match = pattern.exec(text);
      if (match !== null) {
        child.stdout?.off("data", onData);
        resolve(match);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited (${String(code)}) before printing ${pattern}: ${text}`)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function start(waits: boolean): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT(waits)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => child.once("exit", (code) => resolve(code)));

describe("devkit lifecycle: one owner of signals and cleanup", () => {
  it("hands the first signal to a waiting command, and stops everything on the second", async () => {
    const child = start(true);
    const sleeper = Number((await printed(child, /sleeper (\d+)/))[1]);
    const interrupted = printed(child, /interrupted (SIG\w+)/);
    child.kill("SIGINT");
    assert.equal((await interrupted)[1], "SIGINT");
    assert.ok(alive(sleeper), "the command stops its own things; nothing was killed behind its back");
    const done = exited(child);
    child.kill("SIGINT");
    assert.equal(await done, 130);
    assert.ok(!alive(sleeper), "the second signal stopped every started process");
  });

  it("stops every started process and exits 143 on SIGTERM when no command waits", async () => {
    const child = start(false);
    const sleeper = Number((await printed(child, /sleeper (\d+)/))[1]);
    const done = exited(child);
    child.kill("SIGTERM");
    assert.equal(await done, 143);
    assert.ok(!alive(sleeper), "the started process was stopped");
  });
});
