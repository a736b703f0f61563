/**
 * Google's in-memory Pub/Sub server (`pstest`, from the official Go client library, pinned in
 * pubsub-fake/go.mod) as a process the tests start and stop: built once with Go (modules from the Go module
 * proxy), cached under .cache/eventing/ by a hash of its sources, listening on a free loopback port.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess, type Started } from "cloudstate-ts-devkit";
import { ROOT } from "../support/root.js";

const SOURCE = join(ROOT, "test/eventing/pubsub-fake");
const CACHE = join(ROOT, ".cache/eventing");
const READY = /pubsub-fake listening on (\S+)/;

/**
 * Builds the fake if its cached binary is missing or older than its sources; returns the binary's path.
 * @throws Error with Go's output when the build fails.
 */
export function buildPubsubFake(log: (line: string) => void = () => undefined): string {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum", "main.go"]) hash.update(readFileSync(join(SOURCE, file)));
  const binary = join(CACHE, `pubsub-fake-${hash.digest("hex").slice(0, 12)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  log(`building the Pub/Sub fake (go build in ${SOURCE}) into ${binary}`);
  const run = spawnSync("go", ["build", "-o", binary, "."], {
    cwd: SOURCE,
    encoding: "utf8",
    env: { ...process.env, GOFLAGS: "-mod=mod" },
  });
  if (run.status !== 0) {
    throw new Error(`building the Pub/Sub fake failed (go build in ${SOURCE}):\n${run.stdout}\n${run.stderr}`);
  }
  return binary;
}

/** A running fake and where it listens. */
export interface PubsubFake {
  readonly process: Started;
  readonly host: string;
  readonly port: number;
  /** host:port */
  readonly address: string;
  stop(): Promise<void>;
}

/** Builds (if needed) and starts the fake on a free loopback port; resolves once it accepts connections. */
export async function startPubsubFake(log?: (line: string) => void): Promise<PubsubFake> {
  const binary = buildPubsubFake(log);
  const fake = startProcess("pubsub-fake", binary, ["-address", "127.0.0.1:0"], {});
  let match: RegExpMatchArray;
  try {
    match = await fake.waitFor(READY, 30_000);
  } catch (error) {
    await fake.stop();
    throw error;
  }
  const address = match[1] ?? "";
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  return { process: fake, host: "127.0.0.1", port, address, stop: () => fake.stop("SIGTERM", 5000) };
}
