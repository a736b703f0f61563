/**
 * The `cloudstate-ts` command with the real proxy: a Ctrl-C while the proxy is still starting stops it at once
 * (exit 130, the JVM gone), rather than being held until the proxy is online.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort, retryUntil, startProcess, stopAll, type Started } from "cloudstate-ts-devkit";
import { ROOT } from "../support/root.js";

/** The fields of `/proc/<pid>/stat` after the command name: state, then the parent's pid. */
function stat(pid: string): { state: string; parent: number; command: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const [state = "", parent = ""] = text.slice(close + 2).split(" ");
    return { state, parent: Number(parent), command: text.slice(text.indexOf("(") + 1, close) };
  } catch {
    return undefined; // gone between the listing and the read
  }
}

/** The pid of a `java` child of `parent`, if one runs. */
function javaChildOf(parent: number): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const process = stat(entry);
    if (process?.parent === parent && process.command === "java") return Number(entry);
  }
  return undefined;
}

/** Whether `pid` runs (a zombie, dead but not yet reaped, counts as gone). */
function running(pid: number): boolean {
  const process = stat(String(pid));
  return process !== undefined && process.state !== "Z";
}

const started: Started[] = [];
after(() => stopAll(...started));

describe("cloudstate-ts proxy and Ctrl-C", () => {
  it(
    "stops a proxy that is still starting at the first Ctrl-C: exit 130, the JVM gone",
    { timeout: 180_000 },
    async () => {
      const args = ["--import", "tsx", join(ROOT, "devkit/cli/main.ts"), "proxy"];
      args.push("--port", String(await freePort()), "--user-function-port", String(await freePort()));
      const cli = startProcess("cloudstate-ts proxy", process.execPath, args, {}, { cwd: ROOT });
      started.push(cli);
      const pid = cli.child.pid;
      assert.ok(pid !== undefined, "the command started");
      const jvm = await retryUntil(
        "the proxy's JVM to start",
        () => Promise.resolve(javaChildOf(pid) ?? Promise.reject(new Error("no java child yet"))),
        120_000,
      );
      assert.doesNotMatch(cli.output, /online/, "the signal comes while the proxy is still starting");
      // A terminal's Ctrl-C reaches the command's process group; the proxy runs in a group of its own.
      process.kill(pid, "SIGINT");
      assert.equal(await cli.exit(), 130, `the command exits as interrupted; it printed:\n${cli.output}`);
      assert.ok(!running(jvm), "the proxy's JVM was stopped with the command");
      assert.doesNotMatch(cli.output, /online/, "the proxy was not waited for");
    },
  );
});
