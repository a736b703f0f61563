/**
 * The `cloudstate-ts` command's refusals: unknown commands and flags, bad ports and URLs, `dev` outside a project
 * are usage errors (exit code 2) that start nothing; and `--postgres` URLs as the proxy's settings.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parsePostgresUrl } from "../../devkit/cli/postgres-url.js";
import { UsageError } from "../../devkit/cli/usage.js";
import { ROOT } from "../support/root.js";

const empty = mkdtempSync(join(tmpdir(), "cloudstate-cli-"));
after(() => rmSync(empty, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return cliIn(empty, ...args);
}

function cliIn(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // tsx by its path: the command runs in an empty folder, where `--import tsx` would not resolve.
  const tsx = fileURLToPath(import.meta.resolve("tsx"));
  // The repository's node_modules/.bin first, as `npm run` puts it: buf.gen.yaml names protoc-gen-cloudstate.
  const env = { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env["PATH"] ?? ""}` };
  const run = spawnSync("node", ["--import", tsx, join(ROOT, "devkit/cli/main.ts"), ...args], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("cloudstate-ts command line", () => {
  it("refuses unknown commands and flags with the usage, exit code 2, starting nothing", () => {
    for (const [args, message] of [
      [["deploy"], /unknown command "deploy"/],
      [[], /missing command/],
      [["proxy", "--prot", "9000"], /Unknown option '--prot'/],
      [["dev", "--watch"], /Unknown option '--watch'/],
      [["proxy", "--port", "ninety"], /--port must be a port number \(1 to 65535\), got "ninety"/],
      [["proxy", "--user-function-port", "70000"], /--user-function-port must be a port number/],
      [["proxy", "--postgres", "localhost:5432"], /--postgres must be a postgres:\/\/ URL/],
      [["gen", "--chek"], /Unknown option '--chek'/],
      [["dev"], /run `cloudstate-ts dev` in a project folder/],
    ] as const) {
      const run = cli(...args);
      assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Usage: cloudstate-ts <command>/);
      assert.doesNotMatch(run.stdout, /starting/);
    }
  });

  it("prints its usage on help", () => {
    const run = cli("help");
    assert.equal(run.status, 0);
    assert.match(run.stdout, /dev {6}regenerate, build/);
  });

  it("fails gen and gen --check outside a project, saying why", () => {
    for (const args of [["gen", "--check"], ["gen"]]) {
      const run = cli(...args);
      assert.equal(run.status, 1, args.join(" "));
      assert.match(run.stderr, /no buf\.gen\.yaml/);
    }
  });

  it("gen --check works in an example inside the repository, where npm hoisted cloudstate-ts to the root", () => {
    const example = join(ROOT, "examples/shopping-cart");
    assert.ok(!existsSync(join(example, "node_modules/cloudstate-ts")), "buf.yaml's path does not exist there");
    const run = cliIn(example, "gen", "--check");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /generated code is up to date/);
  });

  it("reads --postgres URLs", () => {
    assert.deepEqual(parsePostgresUrl("postgres://cloudstate:s%40cret@db.local:6543/carts"), {
      host: "db.local",
      port: 6543,
      database: "carts",
      user: "cloudstate",
      password: "s@cret",
    });
    assert.deepEqual(parsePostgresUrl("postgresql://u@127.0.0.1"), {
      host: "127.0.0.1",
      port: 5432,
      database: "cloudstate",
      user: "u",
      password: "",
    });
    assert.throws(() => parsePostgresUrl("postgres://127.0.0.1/db"), UsageError);
    assert.throws(() => parsePostgresUrl("not a url"), /must be a URL/);
  });
});
