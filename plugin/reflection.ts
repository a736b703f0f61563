/**
 * What tools beside the plugin need to read a service the way the plugin does: which fields are entity keys and
 * the property names ts-proto gives them. `cloudstate-ts-devkit` uses it to tell entities apart by their requests.
 * @packageDocumentation
 */
export { fieldKey } from "./names.js";
export { isEntityKey } from "./proto-options.js";
