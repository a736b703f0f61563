/**
 * protoc-gen-cloudstate's shell: reads a CodeGeneratorRequest on stdin, writes the response on stdout. Errors in
 * the user's protos travel in the response (protoc and buf print them); only a broken request exits 1.
 */
import { readFileSync, writeSync } from "node:fs";
import { PLUGIN_VERSION, runBytes } from "./plugin.js";

/**
 * Writes all of `output` to stdout. buf hands plugins a non-blocking pipe, so a response larger than the pipe's
 * buffer meets EAGAIN until buf reads: wait a little and go on.
 */
function writeAll(output: Uint8Array): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let written = 0;
  while (written < output.length) {
    try {
      written += writeSync(1, output, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

function main(args: readonly string[]): number {
  if (args.includes("--version")) {
    process.stdout.write(`protoc-gen-cloudstate ${PLUGIN_VERSION}\n`);
    return 0;
  }
  try {
    const output = runBytes(readFileSync(0));
    writeAll(output);
    return 0;
  } catch (error) {
    process.stderr.write(`protoc-gen-cloudstate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
