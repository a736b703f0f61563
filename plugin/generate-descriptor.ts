/**
 * Emits a file's embedded descriptor: the `file_…` constant of its `<file>_cloudstate` module, the file
 * alone, referring to its imports' constants in their modules, as protobuf-es embeds files. Each file is thus
 * embedded once per output folder; the runtime assembles the set the proxy needs at discovery.
 */
import type { EmbeddedFileModel } from "./embedding.js";
import { codegenRef, fileDescriptorName, type EmitContext } from "./generate-common.js";
import { moduleOf, relativeImport } from "./names.js";

/** The module that embeds a proto file (and holds its entities' wiring, if it has any), without suffix. */
export function descriptorModuleOf(protoFile: string): string {
  return `${moduleOf(protoFile)}_cloudstate`;
}

/** An import's constant, from its own module. */
function importRef(ctx: EmitContext, protoFile: string): string {
  return ctx.imports.use(relativeImport(ctx.fromModule, descriptorModuleOf(protoFile)), fileDescriptorName(protoFile));
}

/** The exported constant embedding `file`, its bytes in base64 lines of 100 characters. */
export function fileDescriptorConstant(ctx: EmitContext, file: EmbeddedFileModel): string {
  const base64 = Buffer.from(file.bytes).toString("base64");
  const chunks = (base64.match(/.{1,100}/g) ?? [""]).map((chunk) => JSON.stringify(chunk));
  const imports = file.imports.map((name) => importRef(ctx, name));
  return (
    `/** ${file.name}, serialized by the compiler (source info left out), and its imports: for discovery. */\n` +
    `export const ${fileDescriptorName(file.name)} = ${codegenRef(ctx, "embeddedFile")}(\n` +
    `  ${chunks.join(" +\n    ")},\n` +
    `  [${imports.join(", ")}],\n` +
    `);\n`
  );
}
