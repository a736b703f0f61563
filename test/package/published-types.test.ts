/**
 * The published types, as a user's compiler sees them: the tarballs `npm pack` makes of every published package
 * (built first) unpacked into a project outside the repository, compiled with `tsc` under strict flags and without skipLibCheck, so a declaration that
 * names something stripped as @internal fails here. No .d.ts in the package may mention `@internal`, and every
 * source map it ships carries its sources (the .ts files are not in the package).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { packAll } from "../support/packages.js";
import { ROOT } from "../support/root.js";

/** Every file under `dir` whose name ends with `suffix`. */
function filesEndingWith(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(suffix))
    .map((file) => join(dir, file));
}

/** A consumer of every public subpath; the lines marked @ts-expect-error must stay errors. */
const CONSUMER = `
import { CommandFailure, ProtocolError, defineValueEntity, serve, type ValueEntity, type StateInit } from "cloudstate-ts";
import { embeddedFile } from "cloudstate-ts/codegen/v1";
import { memoryLogger, EventSourcedTestKit } from "cloudstate-ts/testkit";
import { CloudstateTestEnvironment, startProxy } from "cloudstate-ts-devkit";
import { fieldKey } from "protoc-gen-cloudstate/reflection";
// @ts-expect-error the protocol-level harness is this repository's, not published
import type {} from "cloudstate-ts/testing";
// @ts-expect-error the old alias of codegen/v1 is gone
import type {} from "cloudstate-ts/codegen";
// @ts-expect-error the dev loop is the command's, not an export
import { DevSession } from "cloudstate-ts-devkit";

export const names = [CommandFailure.name, ProtocolError.name, typeof defineValueEntity, typeof serve, typeof embeddedFile];
export const logger = memoryLogger();
export type Environment = CloudstateTestEnvironment;
export const kit = EventSourcedTestKit.name;
export const launch = [typeof startProxy, fieldKey("cart_id"), typeof DevSession];
export type Plain = StateInit<{ readonly $type: "a.B"; readonly n: number }>;

export function internals(entity: ValueEntity): void {
  // @ts-expect-error the configuration the runtime reads is internal
  void entity.config;
}
`;

describe("the published package's types", () => {
  const base = mkdtempSync(join(tmpdir(), "cloudstate-published-types-"));
  after(() => rmSync(base, { recursive: true, force: true }));

  it("compile in a strict project outside the repository and mention no @internal name", () => {
    const tarballs = packAll(base);
    const project = join(base, "consumer");
    const modules = join(project, "node_modules");
    const published = new Map([
      ["cloudstate-ts", tarballs.runtime],
      ["protoc-gen-cloudstate", tarballs.plugin],
      ["cloudstate-ts-devkit", tarballs.devkit],
    ]);
    for (const [name, tarball] of published) {
      const packageDir = join(modules, name);
      mkdirSync(packageDir, { recursive: true });
      const untar = spawnSync("tar", ["-xzf", tarball, "-C", packageDir, "--strip-components=1"]);
      assert.equal(untar.status, 0, String(untar.stderr));

      const withInternal = filesEndingWith(join(packageDir, "dist"), ".d.ts").filter((file) =>
        readFileSync(file, "utf8").includes("@internal"),
      );
      assert.deepEqual(withInternal, [], `no declaration ${name} publishes mentions @internal`);

      // A map that names a source the package does not ship only misleads a debugger or an editor.
      const mapsWithoutSources = filesEndingWith(join(packageDir, "dist"), ".map").filter((file) => {
        const map = JSON.parse(readFileSync(file, "utf8")) as { sources: string[]; sourcesContent?: (string | null)[] };
        return map.sources.some((_, i) => typeof map.sourcesContent?.[i] !== "string");
      });
      assert.deepEqual(mapsWithoutSources, [], `every source map ${name} publishes carries its sources`);
    }
    // The packages' own dependencies, from this repository's install (the test makes no network calls).
    for (const name of readdirSync(join(ROOT, "node_modules"))) {
      if (published.has(name) || name.startsWith(".")) continue;
      symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
    }

    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          noEmit: true,
          types: ["node"],
        },
        include: ["index.ts"],
      }),
    );
    writeFileSync(join(project, "index.ts"), CONSUMER);
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", project], {
      cwd: project,
      encoding: "utf8",
    });
    assert.equal(tsc.status, 0, `tsc found problems:\n${tsc.stdout}${tsc.stderr}`);
  });
});
