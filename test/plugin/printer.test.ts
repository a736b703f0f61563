/** The import printer: local names are chosen when the file is rendered, whatever order they were asked for in. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ImportTracker } from "../../plugin/printer.js";

type Use = readonly [module: string, symbol: string, options?: { typeOnly?: boolean; alias?: string }];

/** Renders `uses` (each followed in the body by its local name) in the given order. */
function render(uses: readonly Use[], reserved: string[] = []): string {
  const imports = new ImportTracker({ reserved, preferred: ["./cart.js"] });
  const refs = new Map(
    uses.map(([module, symbol, options]) => [`${module} ${symbol}`, imports.use(module, symbol, options)]),
  );
  const body = [...refs]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, ref]) => `${key} -> ${ref}\n`)
    .join("");
  return imports.render(body);
}

const USES: readonly Use[] = [
  ["cloudstate-ts", "CommandResult", { typeOnly: true }],
  ["./persistence/domain.js", "Cart", { typeOnly: true, alias: "PersistenceCart" }],
  ["./cart.js", "Cart", { typeOnly: true }],
  ["./cart.js", "CommandResult"],
  ["./other.js", "Cart"],
];

describe("ImportTracker", () => {
  it("names imports the same whatever the order of use", () => {
    const forward = render(USES);
    assert.equal(render([...USES].reverse()), forward);
    assert.equal(render([USES[4], USES[0], USES[2], USES[1], USES[3]].filter((u) => u !== undefined)), forward);
  });

  it("keeps plain names for the preferred module, then aliases, then numbers", () => {
    assert.equal(
      render(USES),
      [
        `import { type CommandResult as CommandResult1 } from "cloudstate-ts";`,
        `import { type Cart, CommandResult } from "./cart.js";`,
        `import { Cart as Cart1 } from "./other.js";`,
        `import { type Cart as PersistenceCart } from "./persistence/domain.js";`,
        "",
        "./cart.js Cart -> Cart",
        "./cart.js CommandResult -> CommandResult",
        "./other.js Cart -> Cart1",
        "./persistence/domain.js Cart -> PersistenceCart",
        "cloudstate-ts CommandResult -> CommandResult1",
        "",
      ].join("\n"),
    );
  });

  it("aliases an import whose name the module declares", () => {
    assert.match(render([["./cart.js", "CartState"]], ["CartState"]), /CartState as CartState1/);
  });

  it("imports a symbol for its value once any use needs it", () => {
    const imports = new ImportTracker();
    imports.use("./cart.js", "Cart", { typeOnly: true });
    imports.use("./cart.js", "Cart");
    assert.match(imports.render(""), /^import \{ Cart \} from "\.\/cart\.js";/);
  });

  it("refuses a placeholder it did not hand out", () => {
    const other = new ImportTracker();
    const foreign = other.use("./cart.js", "Cart");
    assert.throws(() => new ImportTracker().render(foreign), /names an import .* of another file/);
  });
});
