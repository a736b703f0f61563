/**
 * create-cloudstate-ts: what it writes for each template, the versions it pins, and the bad requests it refuses
 * without writing anything (an existing non-empty folder, an unknown template, an invalid service name, a bad
 * tarball, unknown flags).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { create, CreateError } from "../../create/src/create.js";
import { main, parseCommandLine, UsageError } from "../../create/src/cli.js";
import { serviceNameProblem, TEMPLATE_NAMES } from "../../create/src/templates.js";
import { VERSIONS } from "../../create/src/versions.js";

const OWN_PACKAGES = new Set(["cloudstate-ts", "protoc-gen-cloudstate", "cloudstate-ts-devkit"]);
import { ROOT } from "../support/root.js";

const base = mkdtempSync(join(tmpdir(), "cloudstate-create-"));
after(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;
const fresh = (name = "my-service"): string => join(base, String(++counter), name);

interface ProjectPackage {
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

describe("create-cloudstate-ts", () => {
  for (const template of TEMPLATE_NAMES) {
    it(`writes the ${template} project: proto, buf files naming one plugin, src, tests, README, deploy`, () => {
      const dir = fresh();
      const created = create({ dir, template });
      assert.equal(created.name, "my-service");
      const files = created.files;
      for (const expected of [
        "package.json",
        "buf.yaml",
        "buf.gen.yaml",
        "tsconfig.json",
        "tsconfig.build.json",
        "README.md",
        "Dockerfile",
        ".gitignore",
        ".dockerignore",
        "src/main.ts",
        "deploy/statefulservice.yaml",
        "deploy/plain/deployment.yaml",
        "deploy/plain/service.yaml",
        "deploy/plain/rbac.yaml",
      ]) {
        assert.ok(files.includes(expected), `${expected} is written (got ${files.join(", ")})`);
      }
      for (const folder of ["proto/", "test/unit/", "test/integration/"]) {
        assert.ok(
          files.some((file) => file.startsWith(folder) && /\.(proto|test\.ts)$/.test(file)),
          folder,
        );
      }
      assert.deepEqual(readdirSync(dir).sort(), [...new Set(files.map((f) => f.split("/")[0]))].sort());
      const gen = readFileSync(join(dir, "buf.gen.yaml"), "utf8");
      assert.equal([...gen.matchAll(/^\s*- local:/gm)].length, 1, "one plugin");
      assert.match(gen, /- local: protoc-gen-cloudstate$/m);
      assert.match(readFileSync(join(dir, "buf.yaml"), "utf8"), /- path: node_modules\/cloudstate-ts\/protocols$/m);
      assert.match(readFileSync(join(dir, "src/main.ts"), "utf8"), /serviceName: "my-service"/);
      const everything = files.map((file) => readFileSync(join(dir, file), "utf8")).join("\n");
      // (\*\* too: a formatter once turned markdown's __TOKEN__ into **TOKEN**.)
      assert.doesNotMatch(everything, /(__|\*\*)[A-Z][A-Z_]+(__|\*\*)/, "every placeholder is filled in");
      assert.match(readFileSync(join(dir, "README.md"), "utf8"), /^# my-service\n/);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as ProjectPackage;
      for (const script of ["gen", "gen:check", "build", "start", "dev", "test", "test:integration"]) {
        assert.ok(pkg.scripts[script] !== undefined, `script ${script}`);
      }
      assert.equal(pkg.dependencies["cloudstate-ts"], VERSIONS["cloudstate-ts"]);
    });
  }

  it("pins every dependency to the version this repository installs and tests with", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string }>;
    };
    const own = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const [name, version] of Object.entries(VERSIONS)) {
      // This repository's own packages are released together, under its version.
      const tested = OWN_PACKAGES.has(name) ? own.version : lock.packages[`node_modules/${name}`]?.version;
      assert.equal(version, tested, `${name}: create pins ${version}, the repository tests with ${tested}`);
    }
    const made = create({ dir: fresh(), template: "crdt" });
    const pkg = JSON.parse(readFileSync(join(made.dir, "package.json"), "utf8")) as ProjectPackage;
    const pinned = { ...pkg.dependencies, ...pkg.devDependencies };
    for (const [name, version] of Object.entries(pinned)) assert.match(version, /^\d+\.\d+\.\d+$/, name);
  });

  it("depends on tarballs copied into the project when given them (CLOUDSTATE_TS, the others beside it)", () => {
    const packed = join(base, "packed");
    mkdirSync(packed, { recursive: true });
    for (const name of ["cloudstate-ts", "protoc-gen-cloudstate", "cloudstate-ts-devkit"]) {
      writeFileSync(join(packed, `${name}-0.1.0.tgz`), `not really ${name}'s tarball, but a file`);
    }
    const dir = fresh();
    create({ dir, template: "action", libraryTarball: join(packed, "cloudstate-ts-0.1.0.tgz") });
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as ProjectPackage;
    assert.equal(pkg.dependencies["cloudstate-ts"], "file:vendor/cloudstate-ts-0.1.0.tgz");
    assert.equal(pkg.devDependencies["protoc-gen-cloudstate"], "file:vendor/protoc-gen-cloudstate-0.1.0.tgz");
    assert.equal(pkg.devDependencies["cloudstate-ts-devkit"], "file:vendor/cloudstate-ts-devkit-0.1.0.tgz");
    assert.equal(pkg.dependencies["protoc-gen-cloudstate"], undefined, "the plugin is no production dependency");
    assert.equal(pkg.dependencies["cloudstate-ts-devkit"], undefined, "nor is the devkit");
    assert.equal(
      readFileSync(join(dir, "vendor/cloudstate-ts-0.1.0.tgz"), "utf8"),
      "not really cloudstate-ts's tarball, but a file",
    );
    assert.match(readFileSync(join(dir, "vendor/cloudstate-ts-devkit-0.1.0.tgz"), "utf8"), /cloudstate-ts-devkit/);
  });

  it("refuses a CLOUDSTATE_TS whose plugin and devkit tarballs are not beside it, naming them", () => {
    const alone = join(base, "alone");
    mkdirSync(alone, { recursive: true });
    writeFileSync(join(alone, "cloudstate-ts-0.1.0.tgz"), "a file");
    writeFileSync(join(alone, "protoc-gen-cloudstate-0.1.0.tgz"), "a file");
    const dir = fresh();
    assert.throws(
      () => create({ dir, template: "action", libraryTarball: join(alone, "cloudstate-ts-0.1.0.tgz") }),
      /but cloudstate-ts-devkit-0\.1\.0\.tgz is not beside it.*nothing was written/,
    );
    assert.throws(() => readdirSync(dir), /ENOENT/);
  });

  it("refuses an existing non-empty folder and leaves it as it was", () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "notes.txt"), "mine");
    assert.throws(
      () => create({ dir, template: "event-sourced" }),
      (e) => {
        assert.ok(e instanceof CreateError);
        assert.match(e.message, /is not empty \(notes\.txt\).*Nothing was written/);
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), ["notes.txt"]);
    assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "mine");
  });

  it("uses an existing empty folder", () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    assert.ok(create({ dir, template: "value-entity" }).files.includes("proto/counter/counter.proto"));
  });

  it("refuses an unknown template, naming the templates, and writes nothing", () => {
    const dir = fresh();
    assert.throws(
      () => create({ dir, template: "event-sorced" }),
      /unknown template "event-sorced"; the templates are event-sourced, value-entity, crdt, action/,
    );
    assert.throws(() => readdirSync(dir), /ENOENT/);
  });

  it("refuses invalid service names and writes nothing", () => {
    for (const name of ["My-Service", "1service", "my_service", "-x", "x-", "a--b", "a".repeat(41), "caf\u00e9"]) {
      const dir = fresh(name);
      assert.throws(() => create({ dir, template: "crdt" }), /is not a valid service name/, name);
      assert.throws(() => readdirSync(dir), /ENOENT/, name);
    }
    for (const name of ["a", "my-service", "svc2", "a".repeat(40)]) assert.equal(serviceNameProblem(name), undefined);
    const dir = fresh("Not_Valid");
    assert.equal(create({ dir, template: "crdt", name: "valid-name" }).name, "valid-name");
  });

  it("refuses a CLOUDSTATE_TS that is not a tarball and writes nothing", () => {
    const dir = fresh();
    assert.throws(
      () => create({ dir, template: "action", libraryTarball: join(base, "missing.tgz") }),
      /CLOUDSTATE_TS must name a cloudstate-ts package tarball/,
    );
    assert.throws(() => readdirSync(dir), /ENOENT/);
  });

  it("refuses unknown flags and a missing or second folder on the command line", () => {
    assert.throws(
      () => parseCommandLine(["x", "--templte", "crdt"]),
      (e) => e instanceof UsageError && /--templte/.test(e.message),
    );
    assert.throws(() => parseCommandLine([]), /missing DIR/);
    assert.throws(() => parseCommandLine(["a", "b"]), /one DIR only/);
    assert.deepEqual(parseCommandLine(["x", "-t", "crdt"]), { help: false, dir: "x", template: "crdt" });
    assert.deepEqual(parseCommandLine(["x"]), { help: false, dir: "x", template: "event-sourced" });
  });

  it("exits 2 on a wrong command line and 1 on a refused request, writing nothing either way", () => {
    const dir = fresh();
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      assert.equal(main([dir, "--tempate", "crdt"], {}), 2);
      assert.equal(main([dir, "--template", "nope"], {}), 1);
      assert.equal(main([dir], { CLOUDSTATE_TS: join(base, "nothing.tgz") }), 1);
    } finally {
      console.error = original;
    }
    assert.match(errors[0] ?? "", /create-cloudstate-ts: Unknown option '--tempate'[\s\S]*Usage:/);
    assert.match(errors[1] ?? "", /unknown template "nope"/);
    assert.match(errors[2] ?? "", /CLOUDSTATE_TS must name/);
    assert.throws(() => readdirSync(dir), /ENOENT/);
  });
});
