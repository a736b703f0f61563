#!/usr/bin/env node
/**
 * The `cloudstate-ts` command: `dev` (the development loop, with its inspector), `inspect` (what the inspector
 * shows, from a terminal), `proxy` (the Cloudstate proxy alone, so nobody types its `java` line) and `gen --check`. Unknown commands and flags are errors that change nothing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DevSession } from "../dev/session.js";
import { untilInterrupted } from "../launch/lifecycle.js";
import { startProxy } from "../launch/proxy.js";
import type { ProxySource } from "../launch/proxy-source.js";
import { genCheck } from "./gen-check.js";
import { inspect } from "./inspect.js";
import { checkProjectLock, describeLockCheck, generateWithLock, type ProjectLockCheck } from "./gen-lock.js";
import { LOCK_FILE } from "./stored-lock.js";
import { parsePostgresUrl } from "./postgres-url.js";
import { portOf, USAGE, UsageError } from "./usage.js";

type Flags = Record<string, { type: "string" | "boolean" }>;

function flags<T extends Flags>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `--proxy-image` (run the proxy from its image) and `--image NAME` (which image; implies `--proxy-image`). */
function proxySourceFlags(values: { "proxy-image"?: boolean; image?: string }): {
  source?: ProxySource;
  image?: string;
} {
  const source: ProxySource | undefined =
    values["proxy-image"] === true || values.image !== undefined ? "image" : undefined;
  return {
    ...(source === undefined ? {} : { source }),
    ...(values.image === undefined ? {} : { image: values.image }),
  };
}

async function proxyCommand(args: readonly string[]): Promise<number> {
  const values = flags(args, {
    port: { type: "string" },
    "user-function-port": { type: "string" },
    postgres: { type: "string" },
    fixes: { type: "boolean" },
    "proxy-image": { type: "boolean" },
    image: { type: "string" },
  });
  const port = portOf("port", values.port, 9000);
  const userFunctionPort = portOf("user-function-port", values["user-function-port"], 8080);
  const postgres = values.postgres === undefined ? undefined : parsePostgresUrl(values.postgres);
  const fixes = values.fixes === true;
  const flavour = postgres === undefined ? "dev" : "postgres";
  console.log(
    `cloudstate-ts proxy: starting the Cloudstate 0.6.0 proxy (${flavour === "dev" ? "development mode, in-memory state" : `PostgreSQL at ${postgres?.host}:${postgres?.port}/${postgres?.database}`}${fixes ? ", fixes" : ""}) on 127.0.0.1:${port}, for the user function on 127.0.0.1:${userFunctionPort}`,
  );
  // Nothing waits for a signal while the proxy starts: a Ctrl-C then stops what was started and exits at once
  // (the lifecycle owner does it); once online, the first one is this command's, to stop the proxy in order.
  const proxy = await startProxy({
    userFunctionPort,
    port,
    flavour,
    fixes,
    ...(postgres === undefined ? {} : { postgres }),
    ...proxySourceFlags(values),
    timeoutMs: 24 * 3600_000,
    onOutput: (chunk) => process.stdout.write(chunk),
  });
  const stopped = untilInterrupted();
  console.log(`cloudstate-ts proxy: running from ${proxy.origin}`);
  console.log(
    `cloudstate-ts proxy: online: gRPC on 127.0.0.1:${proxy.port}, HTTP/JSON on http://127.0.0.1:${proxy.port}; Ctrl-C stops it`,
  );
  const exited = proxy.process.exit().then((code) => `exited with ${String(code)}`);
  const why = await Promise.race([stopped, exited]);
  await proxy.stop();
  console.log(`cloudstate-ts proxy: ${why}; stopped`);
  return 0;
}

async function devCommand(args: readonly string[]): Promise<number> {
  const values = flags(args, {
    port: { type: "string" },
    "user-function-port": { type: "string" },
    fixes: { type: "boolean" },
    entry: { type: "string" },
    "proxy-image": { type: "boolean" },
    image: { type: "string" },
    "inspector-port": { type: "string" },
    "no-inspector": { type: "boolean" },
  });
  const port = portOf("port", values.port, 9000);
  const inspectorPort =
    values["no-inspector"] === true
      ? false
      : values["inspector-port"] === "0"
        ? 0
        : portOf("inspector-port", values["inspector-port"], 9001);
  const userFunctionPort =
    values["user-function-port"] === undefined
      ? undefined
      : portOf("user-function-port", values["user-function-port"], 0);
  if (!existsSync(join(process.cwd(), "buf.gen.yaml")) || !existsSync(join(process.cwd(), "tsconfig.build.json"))) {
    throw new UsageError(
      `run \`cloudstate-ts dev\` in a project folder (buf.gen.yaml and tsconfig.build.json), not ${process.cwd()}`,
    );
  }
  // As for `proxy`: a Ctrl-C during start-up stops what was started at once; once up, the session stops in order.
  const session = await DevSession.start({
    port,
    fixes: values.fixes === true,
    inspectorPort,
    ...proxySourceFlags(values),
    ...(userFunctionPort === undefined ? {} : { userFunctionPort }),
    ...(values.entry === undefined ? {} : { entry: values.entry }),
  });
  await untilInterrupted();
  await session.stop();
  return 0;
}

async function inspectCommand(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { "inspector-port": { type: "string" }, json: { type: "boolean" } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.positionals.length > 1) throw new UsageError("inspect takes at most one entity");
  const [entity] = parsed.positionals;
  console.log(
    await inspect({
      port: portOf("inspector-port", parsed.values["inspector-port"], 9001),
      json: parsed.values.json === true,
      ...(entity === undefined ? {} : { entity }),
    }),
  );
  return 0;
}

function genCommand(args: readonly string[]): number {
  const values = flags(args, { check: { type: "boolean" } });
  const indent = (lines: readonly string[]): string => lines.map((p) => `  ${p}`).join("\n");
  if (values.check === true) {
    let lock: ProjectLockCheck | undefined;
    const problems = genCheck(process.cwd(), (outDirs) => {
      lock = checkProjectLock(process.cwd(), outDirs);
    });
    const lockLines = lock === undefined ? [] : describeLockCheck(lock);
    if (lockLines.length > 0) console.error(`gen:check: stored types (${LOCK_FILE}):\n${indent(lockLines)}`);
    if (problems.length > 0) console.error(`gen:check failed; run \`npm run gen\`:\n${indent(problems)}`);
    if (problems.length > 0 || lockLines.length > 0) return 1;
    console.log("gen:check: generated code is up to date, and every stored type is readable");
    return 0;
  }
  const stopped = generateWithLock(process.cwd());
  if (stopped !== undefined) {
    console.error(
      `cloudstate-ts gen: nothing written; ${stopped.why}${stopped.problems.length > 0 ? `:\n${indent(stopped.problems)}` : ""}`,
    );
    return 1;
  }
  console.log(
    `cloudstate-ts gen: generated code written (buf.gen.yaml's outputs); stored types recorded in ${LOCK_FILE}`,
  );
  return 0;
}

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "dev":
      return devCommand(rest);
    case "proxy":
      return proxyCommand(rest);
    case "gen":
      return genCommand(rest);
    case "inspect":
      return inspectCommand(rest);
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    case undefined:
      throw new UsageError("missing command");
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`cloudstate-ts: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`cloudstate-ts: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
