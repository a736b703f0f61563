/** This library's name, reported to the proxy at discovery. */
export const LIBRARY_NAME = "cloudstate-ts";

/** This library's version, reported to the proxy at discovery. Kept equal to package.json by a test. */
export const LIBRARY_VERSION = "0.1.0";

/**
 * The Cloudstate protocol version this library speaks. The 0.6.0 proxy refuses a user function that reports
 * anything but 0.2.
 */
export const PROTOCOL_VERSION = { major: 0, minor: 2 } as const;
