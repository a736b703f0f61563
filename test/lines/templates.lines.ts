/**
 * The templates' own unit tests on whichever Node.js runs this (CI runs it on each supported line besides the
 * Active LTS, where the full e2e suite covers the templates): every template made from the packed tarballs outside
 * the repository, installed, and its `npm test` (type check and unit tests) passed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createProject, packAll, run, userEnv, type Tarballs } from "../support/packages.js";

const TEMPLATES = ["event-sourced", "value-entity", "crdt", "action"] as const;

describe(`the templates' unit tests on Node.js ${process.version}`, { timeout: 900_000 }, () => {
  const base = mkdtempSync(join(tmpdir(), "cloudstate-lines-"));
  const env = userEnv();
  let tarballs: Tarballs | undefined;
  before(() => {
    tarballs = packAll(base);
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  for (const template of TEMPLATES) {
    it(`${template}: create, npm install, npm test`, () => {
      assert.ok(tarballs !== undefined, "the packages were packed");
      const dir = createProject(base, env, tarballs, template, `my-${template}`);
      assert.match(run(dir, env, "node", "--version"), new RegExp(`^${process.version.replace(/\./g, "\\.")}`));
      const unit = run(dir, env, "npm", "test");
      assert.match(unit, /ℹ fail 0/);
      assert.match(unit, /ℹ pass [1-9]/);
    });
  }
});
