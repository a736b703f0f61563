/** The generated project's package.json. */
import { VERSIONS } from "./versions.js";
import type { TemplateName } from "./templates.js";

/** Where the project gets cloudstate-ts and its development packages: the registry, or tarballs in the project. */
export type LibrarySource =
  | { readonly kind: "registry" }
  | {
      readonly kind: "tarball";
      /** The tarballs' paths in the project (`vendor/…`). */
      readonly files: { readonly runtime: string; readonly plugin: string; readonly devkit: string };
    };

/** The OpenTelemetry packages a project depends on for src/telemetry.ts. */
export const TELEMETRY_PACKAGES = [
  "@opentelemetry/api",
  "@opentelemetry/context-async-hooks",
  "@opentelemetry/exporter-metrics-otlp-http",
  "@opentelemetry/exporter-prometheus",
  "@opentelemetry/exporter-trace-otlp-http",
  "@opentelemetry/resources",
  "@opentelemetry/sdk-metrics",
  "@opentelemetry/sdk-trace",
] as const;

/** The package.json object of a new project named `name`. */
export function projectPackage(name: string, template: TemplateName, library: LibrarySource): object {
  const source = (name: "cloudstate-ts" | "protoc-gen-cloudstate" | "cloudstate-ts-devkit", file: string): string =>
    library.kind === "registry" ? VERSIONS[name] : `file:${file}`;
  const files = library.kind === "registry" ? { runtime: "", plugin: "", devkit: "" } : library.files;
  return {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    description: `A Cloudstate ${template} service in TypeScript, made by create-cloudstate-ts.`,
    engines: { node: "^22 || ^24 || ^26" },
    scripts: {
      // npm install regenerates gen/ from proto/, so a fresh checkout builds at once.
      prepare: "cloudstate-ts gen",
      gen: "cloudstate-ts gen",
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
    // What the service runs; the plugin, the devkit and the compilers are for building and testing only, so a
    // production install (npm ci --omit=dev, the Dockerfile's) holds no code generator and nothing native.
    dependencies: {
      "cloudstate-ts": source("cloudstate-ts", files.runtime),
      "@bufbuild/protobuf": VERSIONS["@bufbuild/protobuf"],
      long: VERSIONS.long,
      "nice-grpc": VERSIONS["nice-grpc"],
      "nice-grpc-common": VERSIONS["nice-grpc-common"],
      // Telemetry (src/telemetry.ts), loaded only when an OpenTelemetry variable asks for it: the smallest set of
      // the SDK's packages that exports spans and metrics over OTLP/HTTP and serves a Prometheus endpoint (about
      // 14 MB, most of it @opentelemetry/semantic-conventions, which every SDK package depends on; the all-in-one
      // @opentelemetry/sdk-node would be about 19 MB).
      ...Object.fromEntries(TELEMETRY_PACKAGES.map((name) => [name, VERSIONS[name]])),
    },
    devDependencies: {
      "@bufbuild/buf": VERSIONS["@bufbuild/buf"],
      "@types/node": VERSIONS["@types/node"],
      "cloudstate-ts-devkit": source("cloudstate-ts-devkit", files.devkit),
      "protoc-gen-cloudstate": source("protoc-gen-cloudstate", files.plugin),
      tsx: VERSIONS.tsx,
      typescript: VERSIONS.typescript,
    },
  };
}
