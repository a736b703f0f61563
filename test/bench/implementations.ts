/**
 * The user functions the benchmarks drive, each started fresh per scenario on a free loopback port: ours (the
 * shopping cart example), the Go support's shopping cart, the Java support's, and two bare echo servers as the
 * transport's ceiling, one on nice-grpc (ours's transport) and one on @grpc/grpc-js alone (what nice-grpc runs on).
 * The Node.js ones run compiled JavaScript (see compiled.ts), as a service does in production.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, startProcess, waitForPort, type Started } from "cloudstate-ts-devkit";
import { ROOT } from "../support/root.js";
import { compiledScript, compileNodeImplementations } from "./compiled.js";

const CACHE = join(ROOT, ".cache/bench");

export type ImplementationName = "ours" | "go" | "java" | "echo" | "echo-grpc-js";

export interface Implementation {
  readonly name: ImplementationName;
  readonly description: string;
  /** Builds what is needed, once; throws with the reason when it cannot. */
  prepare(): void;
  command(): { command: string; args: string[] };
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, GOFLAGS: "-mod=mod" } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
}

/** Runs the compiled JavaScript of one of the repository's TypeScript entry points (see compiled.ts). */
function node(source: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [...nodeOptions(), compiledScript(source)] };
}

/** Extra node options for the Node.js implementations, e.g. `--cpu-prof`, from BENCH_NODE_OPTIONS. */
function nodeOptions(): string[] {
  return (process.env["BENCH_NODE_OPTIONS"] ?? "").split(" ").filter((option) => option !== "");
}

export const IMPLEMENTATIONS: Record<ImplementationName, Implementation> = {
  ours: {
    name: "ours",
    description: "cloudstate-ts (Node.js)",
    prepare: compileNodeImplementations,
    command: () => node("examples/shopping-cart/src/main.ts"),
  },
  echo: {
    name: "echo",
    description: "bare nice-grpc echo (ceiling)",
    prepare: compileNodeImplementations,
    command: () => node("test/bench/peers/echo.ts"),
  },
  "echo-grpc-js": {
    name: "echo-grpc-js",
    description: "bare grpc-js echo (ceiling)",
    prepare: compileNodeImplementations,
    command: () => node("test/bench/peers/echo-grpc-js.ts"),
  },
  go: {
    name: "go",
    description: "Go support v0.3.0",
    prepare() {
      mkdirSync(CACHE, { recursive: true });
      if (!existsSync(join(CACHE, "go-cart")))
        run("go", ["build", "-o", join(CACHE, "go-cart"), "."], join(ROOT, "test/bench/peers/go"));
    },
    command: () => ({ command: join(CACHE, "go-cart"), args: [] }),
  },
  java: {
    name: "java",
    description: "Java support 0.5.2",
    prepare() {
      const peer = join(ROOT, "test/bench/peers/java");
      if (existsSync(join(peer, "target/shopping-cart-java.jar"))) return;
      // The Java build compiles the example's own protos, plus our options file they import.
      const protos = join(peer, "target/proto-src");
      // Not summary.proto: the example's eventing action, whose options the Java build's protoc (0.5.2's) rejects.
      cpSync(join(ROOT, "examples/shopping-cart/proto"), protos, {
        recursive: true,
        filter: (source) => !source.endsWith("summary.proto"),
      });
      cpSync(join(ROOT, "protocols/cloudstate/typescript"), join(protos, "cloudstate/typescript"), { recursive: true });
      run("mvn", ["-B", "-q", "package", "-DskipTests"], peer);
    },
    command: () => ({
      command: "java",
      args: ["-jar", join(ROOT, "test/bench/peers/java/target/shopping-cart-java.jar")],
    }),
  },
};

/** Starts an implementation and resolves once its port accepts connections. */
export async function startImplementation(impl: Implementation): Promise<{ process: Started; port: number }> {
  const port = await freePort();
  const { command, args } = impl.command();
  const process = startProcess(impl.name, command, args, { HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn" });
  await waitForPort(port, process, 60_000);
  return { process, port };
}
