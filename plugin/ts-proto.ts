/**
 * ts-proto, run by protoc-gen-cloudstate with the one option set the runtime and the generated wiring rely on, so
 * a user's `buf.gen.yaml` names a single plugin and cannot get an option wrong. ts-proto runs as its own
 * executable (the version this package depends on) on the same request with only the parameter replaced.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { fromBinary } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  type CodeGeneratorResponse_File,
  CodeGeneratorResponseSchema,
} from "@bufbuild/protobuf/wkt";
import { withoutField } from "../runtime/descriptor-set.js";

/**
 * The ts-proto options: nice-grpc service definitions (the runtime and wiring take rpcs from them), `$type` on
 * every message (`emit` dispatches on it), `Long` for 64-bit integers and `{ $case, value }` oneofs (the protocol
 * code expects both), optional message fields, and ESM for Node.js. See docs/ts-proto-options.md.
 */
export const TS_PROTO_OPTIONS: readonly string[] = [
  "esModuleInterop=true",
  "forceLong=long",
  "oneof=unions-value",
  "outputServices=nice-grpc",
  "outputServices=generic-definitions",
  "outputTypeRegistry=true",
  "useOptionals=messages",
  "importSuffix=.js",
  "env=node",
  "useExactTypes=false",
];

/** CodeGeneratorRequest.parameter. */
const PARAMETER_FIELD = CodeGeneratorRequestSchema.field.parameter.number;

/** The request as ts-proto should see it: the same bytes, with our option set as its parameter. */
export function requestForTsProto(serializedRequest: Uint8Array): Uint8Array {
  const parameter = new BinaryWriter()
    .tag(PARAMETER_FIELD, WireType.LengthDelimited)
    .string(TS_PROTO_OPTIONS.join(","))
    .finish();
  const rest = withoutField(serializedRequest, PARAMETER_FIELD);
  const out = new Uint8Array(rest.length + parameter.length);
  out.set(rest);
  out.set(parameter, rest.length);
  return out;
}

/**
 * Runs ts-proto on the request and returns the files it generated.
 * @throws Error with ts-proto's own message when it reports a problem or cannot run.
 */
export function runTsProto(serializedRequest: Uint8Array): CodeGeneratorResponse_File[] {
  const executable = createRequire(import.meta.url).resolve("ts-proto/protoc-gen-ts_proto");
  const run = spawnSync(process.execPath, [executable], {
    input: requestForTsProto(serializedRequest),
    maxBuffer: 512 * 1024 * 1024,
  });
  if (run.error !== undefined) throw new Error(`ts-proto could not run: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`ts-proto failed (exit ${run.status}): ${run.stderr.toString("utf8").trim()}`);
  const response = fromBinary(CodeGeneratorResponseSchema, run.stdout);
  if (response.error !== undefined && response.error !== "") throw new Error(`ts-proto: ${response.error}`);
  return response.file;
}
