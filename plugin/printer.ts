/**
 * An import-tracking printer in the style of protobuf-es's protoplugin: generated code names an imported symbol
 * through `use`, which records it and returns a placeholder; when the file is rendered, the import block is
 * written from what was used and every placeholder is replaced by the symbol's local name. Local names are chosen
 * at render time from the whole set of imports, so they do not depend on the order in which emitters asked for
 * them. Output is sorted, so it is byte-stable.
 */

/** One imported symbol. */
interface Imported {
  readonly module: string;
  readonly symbol: string;
  /** The local name tried first when `symbol` is taken. */
  readonly alias: string | undefined;
  /** Imported for types only, unless some use needs its value. */
  typeOnly: boolean;
  readonly placeholder: string;
}

/** Placeholders are private-use characters, which neither a proto nor the emitters' own text contains. */
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What decides local names when imports clash. */
export interface ImportNaming {
  /** Names the module declares itself: an import of the same name is aliased. */
  readonly reserved?: Iterable<string>;
  /**
   * Modules whose symbols keep their plain names on a clash with other modules' (the proto file's own messages):
   * they are named first, then other relative modules', then packages'; each group by module, then symbol.
   */
  readonly preferred?: Iterable<string>;
}

export class ImportTracker {
  readonly #imports = new Map<string, Imported>();
  readonly #reserved: ReadonlySet<string>;
  readonly #preferred: ReadonlySet<string>;

  constructor(naming: ImportNaming = {}) {
    this.#reserved = new Set(naming.reserved ?? []);
    this.#preferred = new Set(naming.preferred ?? []);
  }

  /**
   * A placeholder for `symbol` from `module`, replaced by its local name when the file is rendered. When the name
   * is taken, `alias` is tried before numbered names.
   */
  use(module: string, symbol: string, options: { typeOnly?: boolean; alias?: string } = {}): string {
    const key = `${module}\u0000${symbol}`;
    const existing = this.#imports.get(key);
    if (existing !== undefined) {
      if (!options.typeOnly) existing.typeOnly = false;
      return existing.placeholder;
    }
    const placeholder = `\uE000${this.#imports.size}\uE001`;
    this.#imports.set(key, {
      module,
      symbol,
      alias: options.alias,
      typeOnly: options.typeOnly ?? false,
      placeholder,
    });
    return placeholder;
  }

  #rank(module: string): number {
    if (this.#preferred.has(module)) return 0;
    return module.startsWith(".") ? 1 : 2;
  }

  /** The local name of every import, by placeholder. */
  #localNames(): Map<string, string> {
    const taken = new Set(this.#reserved);
    const names = new Map<string, string>();
    const ordered = [...this.#imports.values()].sort(
      (a, b) =>
        this.#rank(a.module) - this.#rank(b.module) || compare(a.module, b.module) || compare(a.symbol, b.symbol),
    );
    for (const imported of ordered) {
      let local = imported.symbol;
      if (taken.has(local) && imported.alias !== undefined) local = imported.alias;
      for (let n = 1; taken.has(local); n++) local = `${imported.symbol}${n}`;
      taken.add(local);
      names.set(imported.placeholder, local);
    }
    return names;
  }

  /**
   * The file's import statements (packages first, then relative modules, each sorted), a blank line, and `body`
   * with every placeholder replaced by its local name.
   */
  render(body: string): string {
    const names = this.#localNames();
    const byModule = new Map<string, Imported[]>();
    for (const imported of this.#imports.values()) {
      byModule.set(imported.module, [...(byModule.get(imported.module) ?? []), imported]);
    }
    const modules = [...byModule.keys()].sort((a, b) => {
      const rank = (m: string): number => (m.startsWith(".") ? 1 : 0);
      return rank(a) - rank(b) || compare(a, b);
    });
    const lines = modules.map((module) => {
      const symbols = (byModule.get(module) ?? [])
        .sort((a, b) => compare(a.symbol, b.symbol))
        .map((imported) => {
          const local = names.get(imported.placeholder) ?? imported.symbol;
          const name = local === imported.symbol ? local : `${imported.symbol} as ${local}`;
          return imported.typeOnly ? `type ${name}` : name;
        });
      return `import { ${symbols.join(", ")} } from "${module}";`;
    });
    const text = body.replace(PLACEHOLDER, (placeholder) => {
      const local = names.get(placeholder);
      if (local === undefined) throw new Error(`generated code names an import ${placeholder} of another file`);
      return local;
    });
    return `${lines.join("\n")}\n\n${text}`;
  }
}

/** Formats a comment from the proto as a TSDoc block at the given indentation. */
export function tsdoc(text: string | undefined, indent = ""): string {
  const lines = (text ?? "")
    .split("\n")
    .map((line) => line.replace(/^ /, "").trimEnd())
    .map((line) => line.replace(/\*\//g, "*\\/"));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  while (lines.length > 0 && lines[0] === "") lines.shift();
  if (lines.length === 0) return "";
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l === "" ? "" : ` ${l}`}`).join("\n")}\n${indent} */\n`;
}
