/**
 * The project templates as a new user gets them: outside this repository, from the tarballs `npm pack` makes of
 * cloudstate-ts and create-cloudstate-ts. For every template: create a project (`npm exec` of the create package,
 * as `npm create` runs it), `npm install`, `npm test`, `npm run test:integration` and `npm run gen:check`, with no
 * edits. Then scripted `npm run dev` sessions: the event-sourced cart is called on its HTTP routes, its src/ is
 * edited (new behaviour, state kept), broken (the old build keeps serving) and its proto given a new rpc with a
 * route (served after the restart); the value-entity counter keeps answering after an edit on the released proxy
 * and keeps its state with --fixes. Prints the time from create to the first answer through the proxy. Last, each
 * example of examples/ copied out of the repository installs from the tarball, regenerates identically, passes its
 * tests and serves.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Long from "long";
import { createChannel, createClient, type CompatServiceDefinition } from "nice-grpc";
import { freePort, retryUntil, startPostgres, startProcess, stopAll, type Started } from "cloudstate-ts-devkit";
import {
  createProject,
  dependOnTarballs,
  packAll,
  productionInstall,
  run,
  tarballEnv,
  userEnv,
  type Tarballs,
} from "../support/packages.js";
import { ROOT } from "../support/root.js";
import { TELEMETRY_PACKAGES } from "../../create/src/project-package.js";

const TEMPLATES = ["event-sourced", "value-entity", "crdt", "action"] as const;

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, "utf8");
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `${String(from)} is in ${file}`);
  writeFileSync(file, changed);
}

async function json(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  const body = await response.text();
  assert.equal(response.status, 200, `${url}: ${body}`);
  return JSON.parse(body) as unknown;
}

/**
 * A read right after the user function restarted: the proxy restarts the entity on its next command, and one that
 * reaches it while it still sees the old stream ending fails (500, "Unexpected entity termination"), so read until
 * it answers. Reads only: retrying a write could apply it twice.
 */
const readAfterRestart = (url: string): Promise<unknown> => retryUntil(`GET ${url}`, () => json(url), 60_000);

const post = (url: string, body: unknown): Promise<unknown> =>
  json(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

describe("project templates, outside the repository, from the packed tarballs", { timeout: 900_000 }, () => {
  const base = mkdtempSync(join(tmpdir(), "cloudstate-templates-"));
  const started: Started[] = [];
  let tarballs: Tarballs | undefined;
  const env = userEnv();
  const projects = new Map<string, string>();

  before(() => {
    tarballs = packAll(base);
    Object.assign(env, tarballEnv(tarballs));
  });
  after(async () => {
    await stopAll(...started);
    rmSync(base, { recursive: true, force: true });
  });

  /** `npm create cloudstate-ts` from the packed create package, and `npm install`. */
  function newProject(template: string, name: string): string {
    assert.ok(tarballs !== undefined, "the packages were packed");
    return createProject(base, env, tarballs, template, name);
  }

  for (const template of TEMPLATES) {
    it(`${template}: create, npm install, npm test, npm run test:integration, npm run gen:check`, () => {
      const dir = newProject(template, `my-${template}`);
      projects.set(template, dir);
      // The Dockerfile's `npm ci` needs it; nothing here can build the image (no Docker engine).
      assert.ok(existsSync(join(dir, "package-lock.json")), "npm install wrote package-lock.json");
      const unit = run(dir, env, "npm", "test");
      assert.match(unit, /ℹ fail 0/);
      assert.match(unit, /ℹ pass [1-9]/);
      const integration = run(dir, env, "npm", "run", "test:integration");
      assert.match(integration, /ℹ fail 0/);
      assert.match(integration, /ℹ pass [1-9]/);
      assert.match(run(dir, env, "npm", "run", "gen:check"), /generated code is up to date/);
      // What the image ships: the runtime and its peers, no code generator, no compiler, nothing native.
      const production = productionInstall(dir, env);
      console.log(
        `# ${template}: production install ${(production.bytes / 1e6).toFixed(1)} MB in ${production.files} files, ` +
          `${production.packages.size} packages; of it OpenTelemetry ${(production.telemetryBytes / 1e6).toFixed(1)} MB`,
      );
      assert.deepEqual(production.native, [], "no native binary");
      for (const tool of [
        "ts-proto",
        "typescript",
        "tsx",
        "protoc-gen-cloudstate",
        "cloudstate-ts-devkit",
        "@bufbuild/buf",
      ]) {
        assert.ok(!production.packages.has(tool), `${tool} is not in the production install`);
      }
      assert.ok(production.packages.has("cloudstate-ts") && production.packages.has("nice-grpc"), "the runtime is");
      // Two bounds, one for the service and one for its telemetry. The service: 13.9 MB on 2026-12-07, of it ~9 MB
      // nice-grpc's own chain (grpc-js, its proto-loader, protobufjs and the @types/node protobufjs depends on),
      // which no project setting removes.
      const service = production.bytes - production.telemetryBytes;
      assert.ok(service <= 15e6, `the service at most 15 MB, got ${service} bytes`);
      // The OpenTelemetry SDK packages src/telemetry.ts loads when asked (docs/observability.md): 13.9 MB on
      // 2026-12-07, 9.9 MB of it @opentelemetry/semantic-conventions, which every SDK package depends on. The
      // all-in-one @opentelemetry/sdk-node would be 19.4 MB.
      for (const name of TELEMETRY_PACKAGES) assert.ok(production.packages.has(name), `${name} is installed`);
      assert.ok(production.telemetryBytes <= 16e6, `telemetry at most 16 MB, got ${production.telemetryBytes} bytes`);
    });
  }

  it("event-sourced: npm run dev serves the HTTP routes, follows src/ and proto/ edits, and stops on Ctrl-C", async () => {
    const createdAt = Date.now();
    const dir = newProject("event-sourced", "timed-cart");
    const port = await freePort();
    const dev = startProcess("npm run dev", "npm", ["run", "dev", "--", "--port", String(port)], env, {
      cwd: dir,
      inheritEnv: false,
    });
    started.push(dev);
    await dev.waitFor(/HTTP\/JSON on http:\/\/127\.0\.0\.1:\d+/, 180_000);
    assert.match(
      dev.output,
      /discovery from cloudstate-proxy-core 0\.6\.0 \(protocol 0\.2\); serving cart\.ShoppingCart/,
    );
    assert.match(dev.output, new RegExp(`gRPC on 127\\.0\\.0\\.1:${port}`));
    const url = `http://127.0.0.1:${port}`;
    await post(`${url}/carts/c1/items/add`, { productId: "fig", name: "Fig", quantity: 2 });
    const seconds = (Date.now() - createdAt) / 1000;
    console.log(`# create → npm install → npm run dev → first answer through the proxy: ${seconds.toFixed(1)} s`);
    assert.deepEqual(await json(`${url}/carts/c1`), { items: [{ productId: "fig", name: "Fig", quantity: 2 }] });

    // src/: new behaviour, the entity's state kept by the proxy.
    const cart = join(dir, "src/cart.ts");
    let since = dev.output.length;
    edit(
      cart,
      "getCart: (_command, context) => context.state,",
      "getCart: (_command, context) => ({ items: context.state.items.map((i) => ({ ...i, name: i.name.toUpperCase() })) }),",
    );
    await dev.waitFor(/dev: restarted the user function\n/, 120_000, since);
    assert.deepEqual(await readAfterRestart(`${url}/carts/c1`), {
      items: [{ productId: "fig", name: "FIG", quantity: 2 }],
    });

    // A type error: shown, and the last good build keeps serving.
    since = dev.output.length;
    edit(cart, "name: i.name.toUpperCase()", "name: i.name.toUpperCase() * 2");
    await dev.waitFor(/the code does not compile; still serving the last build/, 120_000, since);
    await dev.waitFor(/error TS\d+/, 10_000, since);
    assert.deepEqual(await json(`${url}/carts/c1`), { items: [{ productId: "fig", name: "FIG", quantity: 2 }] });
    since = dev.output.length;
    edit(cart, "name: i.name.toUpperCase() * 2", "name: i.name.toUpperCase()");
    await dev.waitFor(/dev: restarted the user function\n/, 120_000, since);

    // proto/: a new rpc with its route; regenerated, and served once the code implements it.
    since = dev.output.length;
    edit(
      join(dir, "proto/cart/cart.proto"),
      "  // The cart's lines.",
      '  rpc CountItems(GetCartRequest) returns (LineItem) {\n    option (google.api.http).get = "/carts/{cart_id}/count";\n  }\n\n  // The cart\'s lines.',
    );
    await dev.waitFor(/the code does not compile/, 120_000, since);
    assert.match(dev.output.slice(since), /countItems/);
    since = dev.output.length;
    edit(
      cart,
      "  onItemAdded(state, event) {",
      '  countItems: (_command, context) => ({ productId: "", name: "count", quantity: context.state.items.reduce((n, i) => n + i.quantity, 0) }),\n\n  onItemAdded(state, event) {',
    );
    await dev.waitFor(/dev: restarted the user function and the proxy\n/, 180_000, since);
    assert.match(dev.output.slice(since), /serving cart\.ShoppingCart/);
    await post(`${url}/carts/c2/items/add`, { productId: "kiwi", name: "Kiwi", quantity: 3 });
    assert.deepEqual(await json(`${url}/carts/c2/count`), { productId: "", name: "count", quantity: 3 });

    // Ctrl-C stops the user function and the proxy.
    dev.signal("SIGINT");
    await dev.exit();
    await assert.rejects(fetch(`${url}/carts/c1`), "the proxy is gone");
  });

  it("cloudstate-ts proxy: the proxy alone in front of npm start, in development mode and on PostgreSQL", async () => {
    const dir = projects.get("event-sourced");
    assert.ok(dir !== undefined, "the event-sourced project was created");
    const userFunctionPort = await freePort();
    const fn = startProcess(
      "npm start",
      "npm",
      ["start"],
      { ...env, PORT: String(userFunctionPort) },
      {
        cwd: dir,
        inheritEnv: false,
      },
    );
    started.push(fn);
    await fn.waitFor(/user function listening/, 120_000);
    const bin = join(dir, "node_modules/.bin/cloudstate-ts");
    const proxy = async (...extra: string[]): Promise<{ url: string; stop: () => Promise<void> }> => {
      const port = await freePort();
      const args = ["proxy", "--port", String(port), "--user-function-port", String(userFunctionPort), ...extra];
      const running = startProcess("cloudstate-ts proxy", bin, args, env, { cwd: dir, inheritEnv: false });
      started.push(running);
      await running.waitFor(/cloudstate-ts proxy: online: gRPC on 127\.0\.0\.1:\d+/, 180_000);
      return {
        url: `http://127.0.0.1:${port}`,
        stop: async () => {
          running.signal("SIGINT");
          await running.exit();
        },
      };
    };

    const dev = await proxy();
    await post(`${dev.url}/carts/p1/items/add`, { productId: "fig", name: "Fig", quantity: 1 });
    assert.deepEqual(await json(`${dev.url}/carts/p1`), { items: [{ productId: "fig", name: "Fig", quantity: 1 }] });
    await dev.stop();
    await assert.rejects(fetch(`${dev.url}/carts/p1`), "Ctrl-C stopped the proxy");

    const pg = await startPostgres();
    try {
      const { host, port, database, user, password } = pg.connection;
      const url = `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
      const first = await proxy("--postgres", url);
      await post(`${first.url}/carts/pg/items/add`, { productId: "kiwi", name: "Kiwi", quantity: 2 });
      await first.stop();
      assert.match(pg.query("SELECT 'events=' || count(*) FROM journal"), /events=1\b/, "the event is in the journal");
      const second = await proxy("--postgres", url);
      assert.deepEqual(
        await json(`${second.url}/carts/pg`),
        { items: [{ productId: "kiwi", name: "Kiwi", quantity: 2 }] },
        "a new proxy recovers the cart from PostgreSQL",
      );
      await second.stop();
    } finally {
      await pg.stop();
      fn.signal("SIGTERM");
      await fn.exit();
    }
  });

  interface CounterClient {
    increase(request: { counterId: string; by: Long }): Promise<{ value: Long }>;
    getValue(request: { counterId: string }): Promise<{ value: Long }>;
  }

  async function counterSession(dir: string, fixes: boolean): Promise<{ before: string; after: string; log: string }> {
    const port = await freePort();
    const args = ["run", "dev", "--", "--port", String(port), ...(fixes ? ["--fixes"] : [])];
    const dev = startProcess("npm run dev", "npm", args, env, { cwd: dir, inheritEnv: false });
    started.push(dev);
    const counterFile = join(dir, "src/counter.ts");
    const original = readFileSync(counterFile, "utf8");
    try {
      await dev.waitFor(/HTTP\/JSON on/, 180_000);
      const generated = (await import(join(dir, "gen/counter/counter.ts"))) as {
        CounterDefinition: CompatServiceDefinition;
      };
      const channel = createChannel(`127.0.0.1:${port}`);
      try {
        const counters = createClient(generated.CounterDefinition, channel) as unknown as CounterClient;
        const first = await counters.increase({ counterId: "c1", by: Long.fromNumber(2) });
        const since = dev.output.length;
        edit(counterFile, "context.state.value.add(command.by)", "context.state.value.add(command.by.multiply(10))");
        await dev.waitFor(/dev: restarted the user function/, 180_000, since);
        // A read first: see readAfterRestart.
        await retryUntil("GetValue after the restart", () => counters.getValue({ counterId: "c1" }), 60_000);
        const second = await counters.increase({ counterId: "c1", by: Long.fromNumber(1) });
        return { before: first.value.toString(), after: second.value.toString(), log: dev.output.slice(since) };
      } finally {
        channel.close();
      }
    } finally {
      dev.signal("SIGINT");
      await dev.exit();
      writeFileSync(counterFile, original);
    }
  }

  it("value-entity: the dev loop still answers after an edit (released proxy: restarted too; --fixes: state kept)", async () => {
    const dir = projects.get("value-entity");
    assert.ok(dir !== undefined, "the value-entity project was created");
    const released = await counterSession(dir, false);
    assert.match(released.log, /restarting the proxy too/);
    assert.deepEqual(
      [released.before, released.after],
      ["2", "10"],
      "new behaviour; the in-memory state started again",
    );
    const fixed = await counterSession(dir, true);
    assert.doesNotMatch(fixed.log, /restarting the proxy too/);
    assert.match(fixed.log, /dev: restarted the user function\n/);
    assert.deepEqual([fixed.before, fixed.after], ["2", "12"], "new behaviour, and the state kept");
  });

  for (const example of ["shopping-cart", "crdts", "tck"]) {
    it(`examples/${example} stands alone: installs from the tarball, gen:check, npm test, serves`, async () => {
      const dir = join(base, `example-${example}`);
      cpSync(join(ROOT, "examples", example), dir, {
        recursive: true,
        filter: (source) => !source.includes("node_modules"),
      });
      const pkgFile = join(dir, "package.json");
      // What a user does instead of the checkout: depend on the packages (here their tarballs).
      assert.ok(tarballs !== undefined, "the packages were packed");
      dependOnTarballs(dir, tarballs);
      run(dir, env, "npm", "install", "--prefer-offline", "--no-audit", "--no-fund");
      assert.match(run(dir, env, "npm", "run", "gen:check"), /generated code is up to date/);
      const scripts = (JSON.parse(readFileSync(pkgFile, "utf8")) as { scripts: Record<string, string> }).scripts;
      if (scripts["test"] !== undefined) assert.match(run(dir, env, "npm", "test"), /ℹ fail 0/);
      const port = await freePort();
      const served = startProcess(
        `examples/${example}`,
        "npm",
        ["start"],
        { ...env, PORT: String(port) },
        {
          cwd: dir,
          inheritEnv: false,
        },
      );
      started.push(served);
      await served.waitFor(/user function listening on 127\.0\.0\.1:\d+/, 120_000);
      served.signal("SIGTERM");
      await served.exit();
    });
  }
});
