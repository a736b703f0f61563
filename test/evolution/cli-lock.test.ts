/**
 * The lock through the `cloudstate-ts` command, in a project folder as a user has one: v1's lock with v2's protos.
 * Without the declarations `gen --check` fails naming each stranded type, and `gen` refuses, writing nothing;
 * with them `gen` generates and records the new types, and `gen --check` passes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ROOT } from "../support/root.js";

const EVOLUTION = join(ROOT, "test/evolution");
const project = mkdtempSync(join(tmpdir(), "cloudstate-lock-cli-"));
after(() => rmSync(project, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const tsx = fileURLToPath(import.meta.resolve("tsx"));
  const run = spawnSync("node", ["--import", tsx, join(ROOT, "devkit/cli/main.ts"), ...args], {
    cwd: project,
    encoding: "utf8",
    timeout: 120_000,
    // buf finds protoc-gen-cloudstate (the package's bin) on the PATH, as in an installed project.
    env: { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}${delimiter}${process.env["PATH"] ?? ""}` },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function useProtos(version: string): void {
  rmSync(join(project, "proto"), { recursive: true, force: true });
  cpSync(join(EVOLUTION, version, "proto"), join(project, "proto"), { recursive: true });
}

describe("cloudstate-ts gen and the lock", () => {
  it("fails before anything runs without the declarations, then locks the declared change", () => {
    cpSync(join(EVOLUTION, "v2/buf.yaml"), join(project, "buf.yaml"));
    cpSync(join(EVOLUTION, "v2/buf.gen.yaml"), join(project, "buf.gen.yaml"));
    mkdirSync(join(project, "node_modules"));
    symlinkSync(ROOT, join(project, "node_modules/cloudstate-ts"));
    const v1Lock = readFileSync(join(EVOLUTION, "v1/cloudstate.lock.json"), "utf8");
    writeFileSync(join(project, "cloudstate.lock.json"), v1Lock);

    useProtos("v2-undeclared");
    const check = cli("gen", "--check");
    assert.equal(check.status, 1, check.stderr);
    const stranded = [
      "stored event type shop.ItemAdded (type.googleapis.com/shop.ItemAdded) is no longer readable",
      "stored event type shop.ItemPicked (type.googleapis.com/shop.ItemPicked) is no longer readable",
      "stored state type shop.Cart (type.googleapis.com/shop.Cart) is no longer readable",
      "stored state type shop.Profile (type.googleapis.com/shop.Profile) is no longer readable: it moved to " +
        'shop.profiles.Profile; add `option (cloudstate.typescript.previous_names) = "shop.Profile";` to message ' +
        "shop.profiles.Profile",
    ];
    for (const line of stranded) assert.ok(check.stderr.includes(line), `${line}\nnot in:\n${check.stderr}`);
    const refused = cli("gen");
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /cloudstate-ts gen: nothing written; stored data would be unreadable/);
    assert.equal(existsSync(join(project, "gen")), false);
    assert.equal(readFileSync(join(project, "cloudstate.lock.json"), "utf8"), v1Lock);

    useProtos("v2");
    const generated = cli("gen");
    assert.equal(generated.status, 0, generated.stderr);
    assert.ok(existsSync(join(project, "gen/shop/cart_cloudstate.ts")));
    // The same lock as v2's committed one: v1's types kept, v2's added.
    assert.equal(
      readFileSync(join(project, "cloudstate.lock.json"), "utf8"),
      readFileSync(join(EVOLUTION, "v2/cloudstate.lock.json"), "utf8"),
    );
    const passed = cli("gen", "--check");
    assert.equal(passed.status, 0, passed.stderr);
    assert.match(passed.stdout, /every stored type is readable/);

    // A lock edited by hand into nonsense: refused with what to do, nothing written.
    writeFileSync(join(project, "cloudstate.lock.json"), '{"lockVersion": 1, "entities": [{"kind": "value"}]}');
    const nonsense = cli("gen");
    assert.equal(nonsense.status, 1);
    assert.match(
      nonsense.stderr,
      /entities\[0\]: "persistenceId" must be a non-empty string; restore it from version control/,
    );
  });
});
