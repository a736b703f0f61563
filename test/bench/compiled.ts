/**
 * The Node.js implementations the benchmarks run, compiled to JavaScript with tsc once per run, into the
 * repository's ignored `.cache/bench/js` (incremental: an unchanged tree compiles in seconds). A figure measured
 * under tsx would include its loader and source maps; a service in production runs JavaScript.
 *
 * The compiled runtime is reached the way a service reaches it: as the package `cloudstate-ts`. The output folder
 * gets a package.json of that name whose exports point at the compiled runtime, so `import "cloudstate-ts"` in
 * the compiled example resolves to it (a package may import itself by its name), while its other dependencies
 * (nice-grpc, long, @bufbuild/protobuf) resolve from the repository's node_modules, above the folder.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/root.js";

/** Where the compiled tree lives; its layout mirrors the repository's. */
export const COMPILED = join(ROOT, ".cache/bench/js");

let compiled = false;

/** Compiles the runtime, the shopping cart example and the echo peers (once per process). */
export function compileNodeImplementations(): void {
  if (compiled) return;
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "test/bench/tsconfig.compiled.json")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`tsc failed:\n${result.stdout}\n${result.stderr}`);
  const runtime = (path: string): string => `./runtime/${path}`;
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  writeFileSync(
    join(COMPILED, "package.json"),
    JSON.stringify(
      {
        name: "cloudstate-ts",
        version,
        private: true,
        type: "module",
        exports: {
          ".": runtime("index.js"),
          "./codegen/v1": runtime("codegen/v1/index.js"),
          "./package.json": "./package.json",
        },
      },
      null,
      2,
    ) + "\n",
  );
  compiled = true;
}

/** The compiled JavaScript of a TypeScript file of the repository, e.g. `examples/shopping-cart/src/main.ts`. */
export function compiledScript(source: string): string {
  return join(COMPILED, source.replace(/\.ts$/, ".js"));
}
