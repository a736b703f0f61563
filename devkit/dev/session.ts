/**
 * The development loop behind `cloudstate-ts dev`: regenerates the code, builds, starts the user function and the
 * development-mode proxy in front of it, then follows edits. An edit under `src/` rebuilds and restarts only the
 * user function (the proxy keeps the entities' state); an edit under `proto/` regenerates, rebuilds and restarts
 * both (the proxy discovers the services only when it starts). Code that does not compile is reported and the
 * running function keeps serving its last good build.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { generateWithLock } from "../cli/gen-lock.js";
import { freePort, type Started } from "../launch/processes.js";
import { startProxy, type ProxyProcess } from "../launch/proxy.js";
import type { ProxySource } from "../launch/proxy-source.js";
import { startUserFunctionProcess } from "../launch/user-function.js";
import { InspectorServer } from "../inspector/server.js";
import { InspectorStore } from "../inspector/store.js";

/** The variable that tells the user function where its inspector feed goes (the runtime's `inspector/feed.ts`). */
const INSPECTOR_FEED_ENV = "CLOUDSTATE_TS_INSPECTOR_FEED";
/** How long a started user function has to say hello to the inspector before the session says it did not. */
const FEED_HELLO_MS = 15_000;

/** How to run the loop. */
export interface DevOptions {
  /** The project folder: buf.gen.yaml, tsconfig.build.json, proto/, src/. Default the working directory. */
  readonly cwd?: string;
  /** The proxy's public port (gRPC, HTTP/JSON). Default 9000. */
  readonly port?: number;
  /** The user function's port. Default a free one. */
  readonly userFunctionPort?: number;
  /** Run the proxy with the fixes artifact (not upstream) first on its classpath. Default false. */
  readonly fixes?: boolean;
  /** Where the proxy comes from: see `ProxyOptions.source`. Default `auto` (Maven, else the image). */
  readonly source?: ProxySource;
  /** The proxy's image when it runs from one: see `ProxyOptions.image`. */
  readonly image?: string;
  /** The built script to run. Default `dist/src/main.js`. */
  readonly entry?: string;
  /** Where progress lines go. Default stdout. */
  readonly log?: (line: string) => void;
  /** How long to wait after an edit for more edits before acting. Default 200 ms. */
  readonly settleMs?: number;
  /** The inspector's port on 127.0.0.1 (0: a free one), or false for no inspector. Default 9001. */
  readonly inspectorPort?: number | false;
}

/** The result of one step (generate, build). */
interface StepResult {
  readonly ok: boolean;
  readonly output: string;
}

function run(cwd: string, command: string, args: readonly string[]): Promise<StepResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => resolve({ ok: false, output: `${output}${error.message}` }));
    child.on("close", (code) => resolve({ ok: code === 0, output }));
  });
}

/** A tool from the project's node_modules/.bin, or from the PATH. */
function tool(cwd: string, name: string): string {
  const local = join(cwd, "node_modules", ".bin", name);
  return existsSync(local) ? local : name;
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
}

function protoFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".proto"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Whether the project's protos declare a value entity (see {@link DevSession} on the released proxy's defect). */
export function declaresValueEntity(protoDir: string): boolean {
  return protoFiles(protoDir).some((file) => /kind\s*:\s*VALUE_ENTITY/.test(readFileSync(file, "utf8")));
}

/** Output lines worth showing from the proxy: its warnings and errors, not its startup chatter. */
function proxyLines(chunk: string): string[] {
  return chunk.split("\n").filter((line) => /\b(WARN|ERROR)\b/.test(line) && !/UNAVAILABLE/.test(line));
}

/**
 * A running development loop. On the released 0.6.0 proxy a value entity never answers again after its user
 * function restarts, until the proxy restarts (docs/reliability.md): without `fixes`, a project that declares a
 * value entity gets the proxy restarted with every user-function restart, which loses the development-mode
 * proxy's in-memory state; with `fixes`, only the user function restarts and the state is kept.
 */
export class DevSession {
  readonly #cwd: string;
  readonly #options: DevOptions;
  readonly #log: (line: string) => void;
  readonly #watchers: FSWatcher[] = [];
  #function: Started | undefined;
  #proxy: ProxyProcess | undefined;
  #userFunctionPort = 0;
  #pending: { src: boolean; proto: boolean } = { src: false, proto: false };
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #store = new InspectorStore();
  #inspector: InspectorServer | undefined;

  private constructor(options: DevOptions) {
    this.#options = options;
    this.#cwd = options.cwd ?? process.cwd();
    this.#log = options.log ?? ((line) => console.log(line));
  }

  /** Generates, builds, starts both processes and begins watching; rejects if the first build fails. */
  static async start(options: DevOptions = {}): Promise<DevSession> {
    const session = new DevSession(options);
    try {
      await session.#first();
    } catch (error) {
      await session.stop();
      throw error;
    }
    return session;
  }

  /** The proxy's public port. */
  get port(): number {
    return this.#proxy?.port ?? this.#options.port ?? 9000;
  }

  /** The inspector's address, when it runs. */
  get inspectorUrl(): string | undefined {
    return this.#inspector?.url;
  }

  /** Waits until every edit seen so far has been acted on. */
  settled(): Promise<void> {
    return this.#busy;
  }

  /** Stops watching, then the user function and the proxy. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
    await this.#busy.catch(() => undefined);
    await Promise.allSettled([this.#function?.stop(), this.#proxy?.stop(), this.#inspector?.stop()]);
    this.#log("dev: stopped the user function and the proxy");
  }

  async #first(): Promise<void> {
    const generated = await this.#generate();
    if (!generated.ok) throw new Error(`buf generate failed:\n${generated.output}`);
    const built = await this.#build();
    if (!built.ok) throw new Error(`the code does not compile:\n${built.output}`);
    this.#userFunctionPort = this.#options.userFunctionPort ?? (await freePort());
    await this.#startInspector();
    await this.#startFunction();
    await this.#startProxy();
    this.#watch("src", "src");
    this.#watch("proto", "proto");
    this.#log(`dev: watching src/ (restarts the user function) and proto/ (regenerates, restarts both); Ctrl-C stops`);
  }

  /**
   * What `cloudstate-ts gen` does: buf generate also where npm hoisted cloudstate-ts to a parent folder, and the lock
   * of stored types checked first (nothing written when a locked type would become unreadable) and updated.
   */
  #generate(): Promise<StepResult> {
    this.#log("dev: cloudstate-ts gen (buf generate, the lock of stored types checked)");
    const refused = generateWithLock(this.#cwd);
    return Promise.resolve(
      refused === undefined
        ? { ok: true, output: "" }
        : { ok: false, output: [refused.why, ...refused.problems].join("\n") },
    );
  }

  #build(): Promise<StepResult> {
    this.#log("dev: tsc -p tsconfig.build.json");
    return run(this.#cwd, tool(this.#cwd, "tsc"), ["-p", "tsconfig.build.json"]);
  }

  /** The inspector's server; a port in use is reported and the loop runs on without it. */
  async #startInspector(): Promise<void> {
    const port = this.#options.inspectorPort ?? 9001;
    if (port === false) return;
    try {
      this.#inspector = await InspectorServer.start(port, {
        store: this.#store,
        cwd: this.#cwd,
        session: () => ({
          project: this.#cwd,
          ...(this.#proxy === undefined ? {} : { proxy: { port: this.#proxy.port, origin: this.#proxy.origin } }),
          userFunction: { port: this.#userFunctionPort },
        }),
      });
    } catch (error) {
      this.#log(
        `dev: the inspector is off: ${error instanceof Error ? error.message : String(error)} ` +
          "(choose another port with --inspector-port N, or 0 for a free one); the dev loop runs without it",
      );
    }
  }

  /** Says so when a started user function never reaches the inspector (a `main` that does not call `serve`). */
  #expectHello(): void {
    if (this.#inspector === undefined) return;
    const before = this.#store.processes.length;
    setTimeout(() => {
      if (!this.#stopped && this.#store.processes.length === before && this.#function?.exited !== true) {
        this.#log(
          `dev: the user function has sent the inspector nothing in ${FEED_HELLO_MS / 1000} s; it feeds the inspector ` +
            "only when it runs serve() from cloudstate-ts",
        );
      }
    }, FEED_HELLO_MS).unref();
  }

  async #startFunction(): Promise<void> {
    const started = Date.now();
    this.#function = await startUserFunctionProcess({
      script: this.#options.entry ?? join("dist", "src", "main.js"),
      port: this.#userFunctionPort,
      cwd: this.#cwd,
      ...(this.#inspector === undefined ? {} : { env: { [INSPECTOR_FEED_ENV]: this.#inspector.url } }),
      onOutput: (chunk) => {
        for (const line of chunk.split("\n")) if (line.trim() !== "") this.#log(`[function] ${line}`);
      },
    });
    this.#log(`dev: user function listening on 127.0.0.1:${this.#userFunctionPort} (${Date.now() - started} ms)`);
    this.#expectHello();
  }

  async #startProxy(): Promise<void> {
    const started = Date.now();
    this.#log(`dev: starting the Cloudstate proxy (development mode${this.#options.fixes === true ? ", fixes" : ""})`);
    const proxy = await startProxy({
      userFunctionPort: this.#userFunctionPort,
      port: this.#options.port ?? 9000,
      fixes: this.#options.fixes ?? false,
      ...(this.#options.source === undefined ? {} : { source: this.#options.source }),
      ...(this.#options.image === undefined ? {} : { image: this.#options.image }),
      name: "proxy",
      onOutput: (chunk) => {
        for (const line of proxyLines(chunk)) this.#log(`[proxy] ${line}`);
      },
    });
    this.#proxy = proxy;
    const discovery = /discovery from [^\n]*/.exec(this.#function?.output ?? "")?.[0] ?? "discovery answered";
    this.#log(`dev: proxy (${proxy.origin}) online after ${Date.now() - started} ms; ${discovery}`);
    this.#log(
      `dev: gRPC on 127.0.0.1:${proxy.port}, HTTP/JSON on http://127.0.0.1:${proxy.port}` +
        (this.#inspector === undefined ? "" : `, inspector on ${this.#inspector.url}`),
    );
  }

  /**
   * Watches every folder under `folder`, each on its own (not `recursive`): a folder's watch sees its files being
   * replaced (editors and `sed -i` write a new file and rename it over the old one), which a watch of the file
   * itself would miss from then on. Folders created later are watched when they appear.
   */
  #watch(folder: string, kind: "src" | "proto"): void {
    const watched = new Set<string>();
    const add = (dir: string): void => {
      if (watched.has(dir) || !existsSync(dir)) return;
      watched.add(dir);
      const watcher = watch(dir, () => {
        for (const sub of subfolders(dir)) add(sub);
        this.#changed(kind);
      });
      watcher.on("error", () => watched.delete(dir));
      this.#watchers.push(watcher);
      for (const sub of subfolders(dir)) add(sub);
    };
    add(join(this.#cwd, folder));
  }

  #changed(kind: "src" | "proto"): void {
    this.#pending[kind] = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#schedule(), this.#options.settleMs ?? 200);
  }

  #schedule(): void {
    this.#busy = this.#busy.then(() => this.#apply()).catch((error: unknown) => this.#log(`dev: ${String(error)}`));
  }

  /** What failed stays to do at the next edit: a proto change still needs the proxy restarted once it builds. */
  #keepPending(src: boolean, proto: boolean): void {
    this.#pending = { src: this.#pending.src || src, proto: this.#pending.proto || proto };
  }

  async #apply(): Promise<void> {
    if (this.#stopped) return;
    const { src, proto } = this.#pending;
    this.#pending = { src: false, proto: false };
    if (!src && !proto) return;
    if (proto) {
      const generated = await this.#generate();
      if (!generated.ok) {
        this.#log(`dev: buf generate failed; still serving the last build\n${generated.output.trimEnd()}`);
        this.#keepPending(src, proto);
        return;
      }
    }
    const built = await this.#build();
    if (!built.ok) {
      this.#log(`dev: the code does not compile; still serving the last build\n${built.output.trimEnd()}`);
      this.#keepPending(src, proto);
      return;
    }
    // A proxy that failed to start (say, it refused the last discovery) is started again with the next build.
    const proxyDown = this.#proxy === undefined || this.#proxy.process.exited;
    const valueEntityDefect = this.#options.fixes !== true && declaresValueEntity(join(this.#cwd, "proto"));
    const restartProxy = proto || proxyDown || valueEntityDefect;
    if (valueEntityDefect && !proto && !proxyDown) {
      this.#log(
        "dev: restarting the proxy too: on the released 0.6.0 proxy a value entity never answers again after a " +
          "user-function restart (its in-memory state is lost; `cloudstate-ts dev --fixes` keeps it)",
      );
    }
    if (restartProxy) {
      await this.#proxy?.stop();
      this.#proxy = undefined;
    }
    await this.#function?.stop();
    await this.#startFunction();
    if (restartProxy) await this.#startProxy();
    this.#log(`dev: restarted ${restartProxy ? "the user function and the proxy" : "the user function"}`);
  }
}
