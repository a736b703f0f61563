/** The generated project's package.json. */
import { VERSIONS } from "./versions.js";
import type { TemplateName } from "./templates.js";

/** Where the project gets cloudstate-ts from: the registry, or a tarball copied into the project. */
export type LibrarySource = { readonly kind: "registry" } | { readonly kind: "tarball"; readonly file: string };

/** The package.json object of a new project named `name`. */
export function projectPackage(name: string, template: TemplateName, library: LibrarySource): object {
  const cloudstateTs = library.kind === "registry" ? VERSIONS["cloudstate-ts"] : `file:${library.file}`;
  return {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    description: `A Cloudstate ${template} service in TypeScript, made by create-cloudstate-ts.`,
    engines: { node: ">=20" },
    scripts: {
      // npm install regenerates gen/ from proto/, so a fresh checkout builds at once.
      prepare: "buf generate",
      gen: "buf generate",
      "gen:check": "cloudstate-ts gen --check",
      build: "tsc -p tsconfig.build.json",
      prestart: "npm run build",
      start: "node dist/src/main.js",
      dev: "cloudstate-ts dev",
      proxy: "cloudstate-ts proxy",
      typecheck: "tsc -p tsconfig.json",
      test: "npm run typecheck && node --import tsx --test --test-reporter=spec test/unit/*.test.ts",
      "test:integration":
        "node --import tsx --test --test-reporter=spec --test-concurrency=1 test/integration/*.test.ts",
    },
    dependencies: {
      "cloudstate-ts": cloudstateTs,
      "@bufbuild/protobuf": VERSIONS["@bufbuild/protobuf"],
      long: VERSIONS.long,
      "nice-grpc": VERSIONS["nice-grpc"],
      "nice-grpc-common": VERSIONS["nice-grpc-common"],
    },
    devDependencies: {
      "@bufbuild/buf": VERSIONS["@bufbuild/buf"],
      "@types/node": VERSIONS["@types/node"],
      tsx: VERSIONS.tsx,
      typescript: VERSIONS.typescript,
    },
  };
}
