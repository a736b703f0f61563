/** Type-checks TypeScript files with the project's strictest settings, resolving `cloudstate-ts` to runtime/. */
import { join } from "node:path";
import ts from "typescript";

import { ROOT } from "./root.js";

export const STRICT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2023.d.ts"],
  types: ["node"],
  typeRoots: [join(ROOT, "node_modules/@types")],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  verbatimModuleSyntax: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  esModuleInterop: true,
  skipLibCheck: true,
  baseUrl: ROOT,
  paths: {
    "cloudstate-ts": [join(ROOT, "runtime/index.ts")],
    "cloudstate-ts/codegen/v1": [join(ROOT, "runtime/codegen/v1/index.ts")],
  },
};

/** One diagnostic, as file (relative to `base`), line and message. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly code: number;
  readonly message: string;
}

export function typecheck(files: readonly string[], base: string): Problem[] {
  const program = ts.createProgram(files, STRICT_OPTIONS);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const file = d.file?.fileName ?? "";
    const line =
      d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return {
      file: file.startsWith(base) ? file.slice(base.length + 1) : file,
      line,
      code: d.code,
      message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    };
  });
}
