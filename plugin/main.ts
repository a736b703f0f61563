/**
 * protoc-gen-cloudstate's shell: reads a CodeGeneratorRequest on stdin, writes the response on stdout. Errors in
 * the user's protos travel in the response (protoc and buf print them); only a broken request exits 1.
 */
import { readFileSync, writeSync } from "node:fs";
import { PLUGIN_VERSION, runBytes } from "./plugin.js";

function main(args: readonly string[]): number {
  if (args.includes("--version")) {
    process.stdout.write(`protoc-gen-cloudstate ${PLUGIN_VERSION}\n`);
    return 0;
  }
  try {
    const output = runBytes(readFileSync(0));
    let written = 0;
    while (written < output.length) written += writeSync(1, output, written);
    return 0;
  } catch (error) {
    process.stderr.write(`protoc-gen-cloudstate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
