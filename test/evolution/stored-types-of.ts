/**
 * Runs protoc-gen-cloudstate in-process on a folder of protos (built by the real buf, with the library's protocol
 * files importable) and returns the stored-types files it writes, parsed: what the lock is checked against.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { run } from "../../plugin/plugin.js";
import { readStoredTypes, STORED_TYPES_SUFFIX, type EntityStoredTypes } from "../../devkit/cli/stored-lock.js";
import { ROOT } from "../support/root.js";

/** The plugin's stored-types files for the protos in `dir`, parsed, or the plugin's error. */
export function storedTypesOf(dir: string): EntityStoredTypes[] {
  const work = mkdtempSync(join(tmpdir(), "cloudstate-lock-case-"));
  try {
    symlinkSync(join(ROOT, "protocols"), join(work, "protocols"));
    symlinkSync(dir, join(work, "case"));
    writeFileSync(join(work, "buf.yaml"), "version: v2\nmodules:\n  - path: protocols\n  - path: case\n");
    const image = join(work, "image.binpb");
    const build = spawnSync(join(ROOT, "node_modules/.bin/buf"), ["build", "case", "-o", image], {
      cwd: work,
      encoding: "utf8",
    });
    if (build.status !== 0) throw new Error(`buf build ${dir} failed:\n${build.stderr}`);
    const files = fromBinary(FileDescriptorSetSchema, readBytes(image)).file;
    const request = create(CodeGeneratorRequestSchema, {
      fileToGenerate: readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((name) => name.endsWith(".proto"))
        .sort(),
      parameter: "ts_proto=false",
      protoFile: files,
    });
    const response = run(toBinary(CodeGeneratorRequestSchema, request));
    if (response.error !== undefined && response.error !== "") throw new Error(response.error);
    const out = join(work, "out");
    for (const file of response.file.filter((f) => f.name.endsWith(STORED_TYPES_SUFFIX))) {
      mkdirSync(join(out, file.name, ".."), { recursive: true });
      writeFileSync(join(out, file.name), file.content);
    }
    return readStoredTypes([out]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
