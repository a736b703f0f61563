/**
 * The descriptors that generated `_cloudstate` modules embed, read back from the committed generated files of
 * every example, the soak and every golden case, to check them against what buf itself builds. Each module
 * embeds one file and imports its imports' constants; the set of a module is assembled by following those imports
 * as written in the generated code, with the runtime's own assembly.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

import { assembleDescriptorSet, embeddedFileOf, type EmbeddedFile } from "../../runtime/descriptor-set.js";
import { ROOT } from "./root.js";

export { ROOT };

/** One embedded file with its imports, assembled: where it is, which proto it embeds, and the set's bytes. */
export interface EmbeddedSet {
  /** The generated file, relative to the repository. */
  readonly module: string;
  readonly constant: string;
  /** The proto file the module embeds. */
  readonly proto: string;
  /** The FileDescriptorSet of that file and its imports, assembled from the modules it imports. */
  readonly bytes: Uint8Array;
}

function generatedModules(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at)) {
      if (entry === "node_modules") continue;
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith("_cloudstate.ts")) found.push(path);
    }
  };
  walk(dir);
  return found.sort();
}

const CONSTANT = /\nexport const (file_\w+) = \w+\(\n((?:\s*"[^"]*"(?: \+|,)\n)+)\s*\[([^\]]*)\],\n\);/;
/** An import of another module's constant, possibly aliased: `import { file_a_b } from "./b_cloudstate.js";`. */
const IMPORT = /^import \{ (file_\w+)(?: as (\w+))? \} from "([^"]+)";$/gm;

/** A generated module's embedded file and the name of the constant holding it. */
interface Embedded {
  readonly file: EmbeddedFile;
  readonly constant: string;
}

/** The embedded file of a generated module, its imports read from their modules (memoized by path). */
function embeddedFileIn(path: string, cache: Map<string, Embedded>): Embedded {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  const text = readFileSync(path, "utf8");
  const match = CONSTANT.exec(text);
  if (match === null) throw new Error(`${relative(ROOT, path)} embeds no file descriptor constant`);
  const modules = new Map(
    [...text.matchAll(IMPORT)].map((m) => [
      m[2] ?? m[1] ?? "",
      resolve(dirname(path), (m[3] ?? "").replace(/\.js$/, ".ts")),
    ]),
  );
  const imports = (match[3] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "")
    .map((name) => {
      const module = modules.get(name);
      if (module === undefined) throw new Error(`${relative(ROOT, path)}: ${name} is not imported`);
      return embeddedFileIn(module, cache).file;
    });
  const base64 = [...(match[2] ?? "").matchAll(/"([^"]*)"/g)].map((m) => m[1]).join("");
  const embedded = {
    file: embeddedFileOf(new Uint8Array(Buffer.from(base64, "base64")), imports),
    constant: match[1] ?? "",
  };
  cache.set(path, embedded);
  return embedded;
}

/** Every file embedded in the generated code of the examples, the soak and the plugin's golden cases. */
export function embeddedDescriptorSets(): EmbeddedSet[] {
  const dirs = [
    ...readdirSync(join(ROOT, "examples")).map((example) => join(ROOT, "examples", example, "gen")),
    join(ROOT, "test/soak/gen"),
    ...readdirSync(join(ROOT, "test/plugin/golden")).map((name) => join(ROOT, "test/plugin/golden", name, "out")),
  ].filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true);
  const cache = new Map<string, Embedded>();
  return dirs.flatMap(generatedModules).map((path) => {
    const { file, constant } = embeddedFileIn(path, cache);
    return {
      module: relative(ROOT, path),
      constant,
      proto: file.name,
      bytes: assembleDescriptorSet([file]),
    };
  });
}
