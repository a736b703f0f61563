import { createRequire } from "node:module";

/**
 * The plugin's version, written into every generated file's header: its package.json's, found by the package's
 * own name. It is released with `cloudstate-ts` under the same version.
 */
export const PLUGIN_VERSION = (
  createRequire(import.meta.url)("protoc-gen-cloudstate/package.json") as { version: string }
).version;
