/**
 * An alias of `cloudstate-ts/codegen/v1`, for modules generated before the codegen helpers were versioned.
 * @packageDocumentation
 */
export * from "./v1/index.js";
