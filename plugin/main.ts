/**
 * protoc-gen-cloudstate's shell: reads a CodeGeneratorRequest on stdin, writes the response on stdout. Errors in
 * the user's protos travel in the response (protoc and buf print them); only a broken request exits 1.
 */
import { readFileSync } from "node:fs";
import { PLUGIN_VERSION, runBytes } from "./plugin.js";

function main(args: readonly string[]): number {
  if (args.includes("--version")) {
    process.stdout.write(`protoc-gen-cloudstate ${PLUGIN_VERSION}\n`);
    return 0;
  }
  try {
    // Through the stream, not writeSync(1): buf hands plugins a non-blocking pipe, where a response larger than
    // the pipe's buffer makes writeSync fail with EAGAIN. The stream finishes writing before the process exits.
    process.stdout.write(runBytes(readFileSync(0)));
    return 0;
  } catch (error) {
    process.stderr.write(`protoc-gen-cloudstate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
