/** The repository's root folder, for suites that read its files or start its examples. */
export const ROOT = new URL("../..", import.meta.url).pathname;
