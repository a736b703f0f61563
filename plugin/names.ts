/** The names ts-proto gives things, which generated code must import by. */

/** The module ts-proto writes a proto file to, relative to the output root, without suffix. */
export function moduleOf(protoFile: string): string {
  return protoFile.replace(/\.proto$/, "");
}

/** The import specifier of `target` as seen from `from` (both module paths without suffix). */
export function relativeImport(from: string, target: string): string {
  const fromParts = from.split("/").slice(0, -1);
  const targetParts = target.split("/");
  let common = 0;
  while (common < fromParts.length && common < targetParts.length - 1 && fromParts[common] === targetParts[common]) {
    common++;
  }
  const up = fromParts.length - common;
  const rest = targetParts.slice(common).join("/");
  return `${up === 0 ? "./" : "../".repeat(up)}${rest}.js`;
}

/** Names ts-proto suffixes with `Message`, as they would hide JavaScript's own. */
const TS_PROTO_BUILT_IN_NAMES = ["Date", "Function"];

/**
 * ts-proto's exported name of a message: each name with underscores camel-cased (ts-proto's default
 * `snakeToCamel=keys`; an all-capitals name is lower-cased first), nested names joined with `_`, and `Date` or
 * `Function` suffixed with `Message`.
 */
export function messageSymbol(nestedPath: readonly string[]): string {
  const joined = nestedPath.map(tsProtoTypeName).join("_");
  return TS_PROTO_BUILT_IN_NAMES.includes(joined) ? `${joined}Message` : joined;
}

function tsProtoTypeName(name: string): string {
  if (!name.includes("_")) return name;
  const mixedCase = /[a-z]/.test(name);
  return name
    .split("_")
    .map((word, i) => {
      const cased = mixedCase ? word : word.toLowerCase();
      return i === 0 ? cased : cased.charAt(0).toUpperCase() + cased.slice(1);
    })
    .join("");
}

/** The property ts-proto gives a message field (snakeToCamel=keys: `cart_id` is `cartId`, `CART_ID` is `cartId`). */
export function fieldKey(protoName: string): string {
  return tsProtoTypeName(protoName);
}

/** The key of an rpc in ts-proto's generic service definition: the rpc name with a lower-case first letter. */
export function methodKey(rpcName: string): string {
  return rpcName.charAt(0).toLowerCase() + rpcName.slice(1);
}

/** A name with a lower-case first letter, for functions made from type names. */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
