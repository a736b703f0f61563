/**
 * The descriptor sets that generated wiring modules embed, read back from the committed generated files of every
 * example and every golden case, to check them against what buf itself builds.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

import { ROOT } from "./root.js";

export { ROOT };

/** One embedded set: where it is, which proto it describes, and its bytes. */
export interface EmbeddedSet {
  /** The generated file, relative to the repository. */
  readonly module: string;
  readonly constant: string;
  /** The proto file the set was built for. */
  readonly proto: string;
  readonly bytes: Uint8Array;
}

function generatedWiringFiles(dir: string): string[] {
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

const CONSTANT =
  /\/\*\* FileDescriptorSet of (\S+) and its imports[^\n]*\n(?:export )?const (\w+) =\n((?:\s*"[^"]*"(?: \+)?\n?)+);/g;

/** Every set embedded in the generated code of the examples and of the plugin's golden cases. */
export function embeddedDescriptorSets(): EmbeddedSet[] {
  const files = [
    ...readdirSync(join(ROOT, "examples")).flatMap((example) => {
      const gen = join(ROOT, "examples", example, "gen");
      return statSync(gen, { throwIfNoEntry: false })?.isDirectory() === true ? generatedWiringFiles(gen) : [];
    }),
    ...generatedWiringFiles(join(ROOT, "test/plugin/golden")),
  ];
  return files.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(CONSTANT)].map((match) => ({
      module: relative(ROOT, file),
      proto: match[1] ?? "",
      constant: match[2] ?? "",
      bytes: new Uint8Array(
        Buffer.from([...(match[3] ?? "").matchAll(/"([^"]*)"/g)].map((m) => m[1]).join(""), "base64"),
      ),
    })),
  );
}
