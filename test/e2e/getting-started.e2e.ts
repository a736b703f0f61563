/**
 * Runs docs/getting-started.md, then docs/testing.md in the project it made, as a new user would: in an empty
 * folder outside this repository, against the tarballs `npm pack` makes, with exactly what the pages install.
 * Writes every `file=` block, runs every `sh` block in order, starts the `background` blocks (waiting for their
 * `ready` word in the output), checks `output` words, and runs a block marked `path=no-java` with a `java` on the
 * PATH that only fails (so a unit test that needed the JVM would fail). So it ends with the counter served by
 * plain `node` behind the real proxy and called through it, then its unit and integration tests passing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort, startProcess, stopAll, type Started } from "cloudstate-ts-devkit";
import { packAll, tarballEnv, userEnv } from "../support/packages.js";
import { ROOT } from "../support/root.js";

interface Block {
  readonly lang: string;
  readonly attributes: Map<string, string>;
  readonly body: string;
}

function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\S+)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? "",
    attributes: new Map(
      [...(m[2] ?? "").matchAll(/(\w[\w-]*)=(\S+)/g)].map((a) => [a[1] ?? "", a[2] ?? ""] as [string, string]),
    ),
    body: m[3] ?? "",
  }));
}

/** A folder holding a `java` that fails, to put first on the PATH. */
function withoutJava(base: string): string {
  const dir = join(base, "no-java");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "java"), '#!/bin/sh\necho "java is not available here" >&2\nexit 127\n', { mode: 0o755 });
  return dir;
}

describe("docs/getting-started.md and docs/testing.md, outside the repository", () => {
  const started: Started[] = [];
  const base = mkdtempSync(join(tmpdir(), "cloudstate-getting-started-"));
  after(async () => {
    await stopAll(...started);
    rmSync(base, { recursive: true, force: true });
  });

  it("goes from an empty folder to the counter called through the real proxy", { timeout: 900_000 }, async () => {
    const env = userEnv(tarballEnv(packAll(base)));
    const gettingStarted = blocks(readFileSync(join(ROOT, "docs/getting-started.md"), "utf8"));
    const testing = blocks(readFileSync(join(ROOT, "docs/testing.md"), "utf8"));
    assert.ok(gettingStarted.length >= 12 && testing.length >= 5, "the pages' blocks were found");
    const noJava = withoutJava(base);
    // The page's ports, moved to free ones so that runs never collide.
    const ports = new Map([
      ["8080", String(await freePort())],
      ["9000", String(await freePort())],
    ]);
    const withPorts = (text: string): string => text.replace(/\b(8080|9000)\b/g, (port) => ports.get(port) ?? port);
    let cwd = base;
    const project = join(base, "counter");
    const run = async (page: readonly Block[]): Promise<void> => {
      for (const block of page) {
        const body = withPorts(block.body);
        const file = block.attributes.get("file");
        if (file !== undefined) {
          mkdirSync(dirname(join(cwd, file)), { recursive: true });
          writeFileSync(join(cwd, file), body);
          continue;
        }
        if (block.lang !== "sh") continue;
        const background = block.attributes.get("background");
        if (background !== undefined) {
          const ready = block.attributes.get("ready") ?? "";
          const process = startProcess(background, "bash", ["-c", body.trim()], env, { cwd, inheritEnv: false });
          started.push(process);
          await process.waitFor(new RegExp(ready), 180_000);
          continue;
        }
        // The testkit streams the proxy's log to stderr, so that a failure shows it.
        const blockEnv: NodeJS.ProcessEnv = { ...env, CLOUDSTATE_TESTKIT_LOG: "proxy" };
        if (block.attributes.get("path") === "no-java") blockEnv.PATH = `${noJava}:${env["PATH"] ?? ""}`;
        const result = spawnSync("bash", ["-euo", "pipefail", "-c", body], { cwd, env: blockEnv, encoding: "utf8" });
        assert.equal(result.status, 0, `\`${body.trim()}\` failed:\n${result.stdout}\n${result.stderr}`);
        const output = block.attributes.get("output");
        if (output !== undefined) {
          assert.ok(
            result.stdout.includes(output.replaceAll("-", " ")),
            `\`${body.trim()}\` printed:\n${result.stdout}\n${result.stderr}`,
          );
        }
        if (cwd === base) cwd = project; // the first block makes the project folder and enters it
      }
    };
    await run(gettingStarted);
    assert.equal(started.length, 2, "the page starts the user function and the proxy");
    const [userFunction] = started;
    assert.match(userFunction?.output ?? "", /discovery from cloudstate-proxy-core 0\.6\.0 \(protocol 0\.2\)/);
    // The testing page starts its own proxy: this one's is done.
    await stopAll(...started);
    await run(testing);
  });
});
