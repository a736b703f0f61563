/**
 * The proxy from its container image, on a machine whose Maven has no Cloudstate artifacts: the local repository
 * is an empty folder (`-Dmaven.repo.local` in MAVEN_OPTS) and the classpath cache a new one, so every proxy below
 * comes from the stand-in 0.6.0 images with podman, as it would for a user who has Docker or podman and nothing
 * else. The testkit's environment (development mode and PostgreSQL), a discovery the proxy refuses, a template's
 * `npm run test:integration` and `npm run dev`, and the one message when neither Maven nor an engine can provide
 * the proxy. After each, no proxy container is left.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ShoppingCartDefinition } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { chatEntities } from "../../examples/crdts/src/chat.js";
import {
  CloudstateTestEnvironment,
  DiscoveryRejectedError,
  freePort,
  startPostgres,
  startProcess,
  type Postgres,
} from "../../devkit/index.js";
import { createProject, packAll, run, userEnv, type Tarballs } from "../support/packages.js";
import { ensureNodeImage, ensureProxyImages } from "./images.js";
import { NODE_LINE } from "./node-line.js";
import { assertCanRunContainers, ensurePodman, podman, podmanEnv } from "./podman.js";

const note = (line: string): void => console.log(`# ${line}`);

/** The proxy containers running now (the testkit names them `cloudstate-proxy-<pid>-<port>`). */
function proxyContainers(): string[] {
  return podman(["ps", "--all", "--format", "{{.Names}}"])
    .stdout.split("\n")
    .filter((name) => name.startsWith("cloudstate-proxy-"));
}

describe("the proxy from its image, with the Cloudstate artifacts hidden from Maven", { timeout: 1_800_000 }, () => {
  const base = mkdtempSync(join(tmpdir(), "cloudstate-proxy-image-"));
  /** What hides Maven's Cloudstate artifacts: an empty local repository, and no cached classpath. */
  const hidden: NodeJS.ProcessEnv = {
    MAVEN_OPTS: `-Dmaven.repo.local=${join(base, "empty-m2")}`,
    CLOUDSTATE_TS_CACHE: join(base, "cache"),
  };
  let tarballs: Tarballs | undefined;
  let postgres: Postgres | undefined;
  const saved = { ...process.env };

  before(async () => {
    ensurePodman(note);
    // Made with the machine's Maven before it is hidden: the stand-ins are what a registry would serve.
    const images = await ensureProxyImages(note);
    await ensureNodeImage({ line: NODE_LINE }, note);
    assertCanRunContainers(images[0] ?? "");
    tarballs = packAll(base);
    postgres = await startPostgres({ log: note });
    Object.assign(process.env, hidden, { CONTAINERS_CONF: podmanEnv()["CONTAINERS_CONF"] });
    assert.deepEqual(proxyContainers(), [], "no proxy container is running before the suite");
  });

  after(async () => {
    for (const key of Object.keys(hidden).concat("CONTAINERS_CONF")) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await postgres?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it("the test environment runs the proxy from its image when Maven cannot resolve it, and removes it", async () => {
    const started = Date.now();
    {
      await using env = await CloudstateTestEnvironment.start({ entities: [shoppingCart] });
      note(`environment up, proxy from ${env.proxy.origin}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.match(env.proxy.origin, /^image cloudstateio\/cloudstate-proxy-core:0\.6\.0 \(podman\)$/);
      assert.match(env.proxy.log, /Starting Cloudstate Proxy version \[0\.6\.0\]/, "the proxy's log is captured");
      const carts = env.client(ShoppingCartDefinition);
      await carts.addItem({ userId: "u1", productId: "fig", name: "Fig", quantity: 2 });
      const cart = await carts.getCart({ userId: "u1" });
      assert.deepEqual(
        cart.items.map((item) => [item.productId, item.quantity]),
        [["fig", 2]],
      );
      assert.equal(proxyContainers().length, 1, "one proxy container while it runs");
    }
    assert.deepEqual(proxyContainers(), [], "stopped and removed at the end of the block");
  });

  it("a discovery the proxy refuses fails at once, and the container goes", async () => {
    const firstChat = chatEntities[0];
    assert.ok(firstChat !== undefined);
    const broken = { ...shoppingCart, descriptorSet: firstChat.descriptorSet };
    await assert.rejects(CloudstateTestEnvironment.start({ entities: [broken], timeoutMs: 120_000 }), (error) => {
      assert.ok(error instanceof DiscoveryRejectedError, String(error));
      assert.match(error.message, /Service \[com\.example\.shoppingcart\.ShoppingCart\] not found in descriptors!/);
      return true;
    });
    assert.deepEqual(proxyContainers(), []);
  });

  it("the PostgreSQL proxy from its image keeps state across a kill of the proxy", async () => {
    assert.ok(postgres !== undefined);
    await using env = await CloudstateTestEnvironment.start({
      entities: [shoppingCart],
      flavour: "postgres",
      postgres: postgres.connection,
    });
    assert.match(env.proxy.origin, /cloudstate-proxy-postgres:0\.6\.0 \(podman\)/);
    const carts = env.client(ShoppingCartDefinition);
    await carts.addItem({ userId: "pg1", productId: "kiwi", name: "Kiwi", quantity: 3 });
    await env.restartProxy({ kill: true });
    assert.equal(proxyContainers().length, 1, "the killed proxy's container was removed, the new one runs");
    const cart = await env.client(ShoppingCartDefinition).getCart({ userId: "pg1" });
    assert.deepEqual(
      cart.items.map((item) => [item.productId, item.quantity]),
      [["kiwi", 3]],
    );
  });

  it("a template's npm run test:integration and npm run dev, with no Cloudstate artifact in Maven", async () => {
    assert.ok(tarballs !== undefined);
    const env = userEnv({ ...hidden, CONTAINERS_CONF: podmanEnv()["CONTAINERS_CONF"] });
    const dir = createProject(base, env, tarballs, "value-entity", "from-image");
    const integration = run(dir, env, "npm", "run", "test:integration");
    assert.match(integration, /ℹ fail 0/);
    assert.match(integration, /ℹ pass [1-9]/);

    const port = await freePort();
    const dev = startProcess("npm run dev", "npm", ["run", "dev", "--", "--port", String(port)], env, {
      cwd: dir,
      inheritEnv: false,
    });
    try {
      await dev.waitFor(/HTTP\/JSON on http:\/\/127\.0\.0\.1:\d+/, 300_000);
      assert.match(dev.output, /dev: proxy \(image cloudstateio\/cloudstate-proxy-core:0\.6\.0 \(podman\)\) online/);
      const response = await fetch(`http://127.0.0.1:${port}/counter.Counter/Increase`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ counterId: "d1", by: "4" }),
      });
      assert.deepEqual(await response.json(), { value: "4" });
      assert.equal(proxyContainers().length, 1);
    } finally {
      dev.signal("SIGINT");
      await dev.exit();
    }
    assert.deepEqual(proxyContainers(), [], "Ctrl-C removed the proxy's container");
  });

  it("says what to install when neither Maven nor a container engine can provide the proxy", () => {
    const cli = join(base, "from-image/node_modules/.bin/cloudstate-ts");
    // Docker's client is on this machine without a daemon: it does not count as an engine.
    const result = spawnSync(cli, ["proxy", "--port", "1", "--user-function-port", "2"], {
      env: userEnv({ ...hidden, CLOUDSTATE_CONTAINER_ENGINE: "docker" }),
      encoding: "utf8",
    });
    assert.notEqual(result.status, 0);
    const said = `${result.stdout}${result.stderr}`;
    assert.match(said, /The proxy's Maven coordinates do not resolve/);
    assert.match(said, /no container engine can run its image cloudstateio\/cloudstate-proxy-core:0\.6\.0 \(docker: /);
    assert.match(said, /Install podman or Docker/);
  });
});
