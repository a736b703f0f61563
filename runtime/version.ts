import { createRequire } from "node:module";

/** This library's name, reported to the proxy at discovery. */
export const LIBRARY_NAME = "cloudstate-ts";

/** This library's version, reported to the proxy at discovery: package.json's, found by the package's own name. */
export const LIBRARY_VERSION = (createRequire(import.meta.url)(`${LIBRARY_NAME}/package.json`) as { version: string })
  .version;

/**
 * The Cloudstate protocol version this library speaks. The 0.6.0 proxy refuses a user function that reports
 * anything but 0.2.
 */
export const PROTOCOL_VERSION: {
  /** The protocol's major version. */
  readonly major: 0;
  /** The protocol's minor version. */
  readonly minor: 2;
} = { major: 0, minor: 2 };
