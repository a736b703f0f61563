/**
 * A small import-tracking printer: generated code names imported symbols through `use`, and the file's import
 * block is written from what was used, with aliases where two modules export the same name. Output is sorted,
 * so it is byte-stable.
 */
export class ImportTracker {
  readonly #byModule = new Map<string, Map<string, { local: string; typeOnly: boolean }>>();
  readonly #taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.#taken.add(name);
  }

  /**
   * The local name under which `symbol` from `module` can be used. When the name is taken, `alias` is tried
   * before numbered names.
   */
  use(module: string, symbol: string, options: { typeOnly?: boolean; alias?: string } = {}): string {
    let symbols = this.#byModule.get(module);
    if (symbols === undefined) {
      symbols = new Map();
      this.#byModule.set(module, symbols);
    }
    const existing = symbols.get(symbol);
    if (existing !== undefined) {
      if (!options.typeOnly) existing.typeOnly = false;
      return existing.local;
    }
    let local = symbol;
    if (this.#taken.has(local) && options.alias !== undefined) local = options.alias;
    for (let n = 1; this.#taken.has(local); n++) local = `${symbol}${n}`;
    this.#taken.add(local);
    symbols.set(symbol, { local, typeOnly: options.typeOnly ?? false });
    return local;
  }

  /** The import statements, packages first, then relative modules, each sorted. */
  render(): string {
    const modules = [...this.#byModule.keys()].sort((a, b) => {
      const rank = (m: string): number => (m.startsWith(".") ? 1 : 0);
      return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
    });
    const lines: string[] = [];
    for (const module of modules) {
      const symbols = [...(this.#byModule.get(module) ?? new Map<string, { local: string; typeOnly: boolean }>())]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([symbol, { local, typeOnly }]) => {
          const name = local === symbol ? symbol : `${symbol} as ${local}`;
          return typeOnly ? `type ${name}` : name;
        });
      lines.push(`import { ${symbols.join(", ")} } from "${module}";`);
    }
    return lines.join("\n");
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
