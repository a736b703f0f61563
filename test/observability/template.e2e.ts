/**
 * A project made by `npm create cloudstate-ts` (the event-sourced template, from the packed tarballs, outside the
 * repository, as a user makes one), run with `npm start` behind the real 0.6.0 proxy (`cloudstate-ts proxy`):
 *
 * - with `OTEL_EXPORTER_OTLP_ENDPOINT` naming Jaeger, its commands' spans are read back from Jaeger's query API,
 *   named, tagged and under the service name `OTEL_SERVICE_NAME` gives;
 * - with `OTEL_METRICS_EXPORTER=prometheus,otlp`, its Prometheus endpoint counts the commands sent, and OTLP/HTTP
 *   metrics reach a collector (here a loopback HTTP server that keeps what it is sent);
 * - with no OpenTelemetry variable, it serves with the OpenTelemetry packages removed from node_modules: nothing
 *   of the SDK is loaded.
 */
import assert from "node:assert/strict";
import { renameSync, rmSync, mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort, retryUntil, startProcess, stopAll, type Started } from "cloudstate-ts-devkit";
import { createProject, packAll, tarballEnv, userEnv } from "../support/packages.js";
import { findTraces, startJaeger, tag, type Jaeger } from "./jaeger.js";

const SERVICE = "cart.ShoppingCart";
const SERVICE_NAME = "traced-cart-in-jaeger";

/** An OTLP/HTTP collector stand-in on loopback: keeps the bodies posted to each path. */
async function startCollector(): Promise<{ url: string; bodies: Map<string, string[]>; server: Server }> {
  const bodies = new Map<string, string[]>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "";
      bodies.set(path, [...(bodies.get(path) ?? []), Buffer.concat(chunks).toString("utf8")]);
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, bodies, server };
}

describe("a template project with the OpenTelemetry variables set, behind the real proxy", { timeout: 900_000 }, () => {
  const base = mkdtempSync(join(tmpdir(), "cloudstate-template-telemetry-"));
  const env = userEnv();
  const started: Started[] = [];
  const log = (line: string) => console.error(`observability: ${line}`);
  let jaeger: Jaeger;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let dir: string;

  before(async () => {
    jaeger = await startJaeger(log);
    collector = await startCollector();
    const tarballs = packAll(base);
    Object.assign(env, tarballEnv(tarballs));
    dir = createProject(base, env, tarballs, "event-sourced", "traced-cart");
  });
  after(async () => {
    await stopAll(...started);
    await jaeger?.stop();
    collector?.server.close();
    rmSync(base, { recursive: true, force: true });
  });

  /**
   * The user function with `extra` in the environment (`npm start`, which builds first, or the built
   * `node dist/src/main.js`), and `cloudstate-ts proxy` in front.
   */
  async function serve(
    extra: NodeJS.ProcessEnv,
    command: readonly [string, ...string[]],
  ): Promise<{ url: string; userFunction: Started; stop(): Promise<void> }> {
    const userFunctionPort = await freePort();
    const [program, ...args0] = command;
    const userFunction = startProcess(
      command.join(" "),
      program,
      args0,
      { ...env, PORT: String(userFunctionPort), ...extra },
      { cwd: dir, inheritEnv: false },
    );
    started.push(userFunction);
    await userFunction.waitFor(/user function listening/, 120_000);
    const port = await freePort();
    const args = ["proxy", "--port", String(port), "--user-function-port", String(userFunctionPort)];
    const proxy = startProcess("cloudstate-ts proxy", join(dir, "node_modules/.bin/cloudstate-ts"), args, env, {
      cwd: dir,
      inheritEnv: false,
    });
    started.push(proxy);
    await proxy.waitFor(/cloudstate-ts proxy: online: gRPC on 127\.0\.0\.1:\d+/, 180_000);
    return {
      url: `http://127.0.0.1:${port}`,
      userFunction,
      stop: async () => {
        proxy.signal("SIGINT");
        await proxy.exit();
        userFunction.signal("SIGTERM");
        await userFunction.exit();
      },
    };
  }

  const add = (url: string, cart: string, quantity: number): Promise<Response> =>
    fetch(`${url}/carts/${cart}/items/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productId: "fig", name: "Fig", quantity }),
    });

  it("exports each command's span to Jaeger, counts it on its Prometheus endpoint and over OTLP", async () => {
    const metricsPort = await freePort();
    const otlpBase = jaeger.otlpTracesUrl.replace(/\/v1\/traces$/, "");
    const served = await serve(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlpBase,
        // Jaeger takes traces only: metrics go to the stand-in collector.
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${collector.url}/v1/metrics`,
        OTEL_METRICS_EXPORTER: "prometheus,otlp",
        OTEL_EXPORTER_PROMETHEUS_HOST: "127.0.0.1",
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        OTEL_SERVICE_NAME: SERVICE_NAME,
        OTEL_BSP_SCHEDULE_DELAY: "100",
        OTEL_METRIC_EXPORT_INTERVAL: "500",
      },
      ["npm", "start"],
    );
    try {
      // The entity's shard may still be starting when the proxy says it is online: the first write is retried
      // until it answers (a refused one never reached the entity, so nothing is applied twice).
      await retryUntil(
        "the first AddItem through the proxy",
        async () => {
          const response = await add(served.url, "t1", 2);
          if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`);
        },
        60_000,
      );
      const refused = await add(served.url, "t1", -1);
      assert.notEqual(refused.status, 200, "a negative quantity is refused");

      const spans = await retryUntil(
        "the AddItem spans of cart t1 in Jaeger",
        async () => {
          const traces = await findTraces(jaeger, SERVICE_NAME, `${SERVICE}/AddItem`, { "cloudstate.entity_id": "t1" });
          const found = traces.flat().filter((s) => s.operationName === `${SERVICE}/AddItem`);
          if (found.length < 2) throw new Error(`${found.length} so far`);
          return found;
        },
        30_000,
      );
      const replied = spans.filter((s) => tag(s, "cloudstate.outcome") === "reply");
      const failed = spans.filter((s) => tag(s, "cloudstate.outcome") === "failure");
      assert.equal(replied.length, 1, "one AddItem answered");
      assert.equal(failed.length, 1, "one AddItem refused");
      const [ok] = replied as [(typeof replied)[number]];
      assert.equal(tag(ok, "span.kind"), "server");
      assert.equal(tag(ok, "rpc.service"), SERVICE);
      assert.equal(tag(ok, "rpc.method"), "AddItem");
      assert.equal(tag(ok, "cloudstate.kind"), "event-sourced");
      assert.equal(tag(ok, "cloudstate.events_emitted"), 1);
      assert.equal(tag(failed[0]!, "otel.status_code"), "ERROR");

      const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const count = (outcome: string): number => {
        const line = scraped
          .split("\n")
          .find(
            (l) =>
              l.startsWith("cloudstate_commands_total{") &&
              l.includes(`rpc="AddItem"`) &&
              l.includes(`outcome="${outcome}"`),
          );
        return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
      };
      assert.ok(count("reply") >= 1, scraped);
      assert.equal(count("failure"), 1, scraped);
      assert.doesNotMatch(scraped, /entity_id/, "no entity id as a label");

      const otlpMetrics = await retryUntil(
        "OTLP metrics at the collector",
        () => {
          const bodies = (collector.bodies.get("/v1/metrics") ?? []).join("\n");
          if (!bodies.includes("cloudstate.commands"))
            throw new Error(`none with cloudstate.commands yet: ${JSON.stringify([...collector.bodies.keys()])}`);
          return Promise.resolve(bodies);
        },
        30_000,
      );
      assert.match(otlpMetrics, new RegExp(SERVICE_NAME), "under the service's name");
    } finally {
      await served.stop();
    }
  });

  it("with no OpenTelemetry variable, serves without the OpenTelemetry packages installed", async () => {
    // Built by the test above (npm start); the compiler needs the packages' types, the built service does not.
    const packages = join(dir, "node_modules/@opentelemetry");
    const aside = join(dir, "node_modules/.opentelemetry-aside");
    renameSync(packages, aside);
    try {
      const served = await serve({}, ["node", "dist/src/main.js"]);
      try {
        await retryUntil(
          "the first AddItem through the proxy",
          async () => {
            const response = await add(served.url, "t2", 3);
            if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`);
          },
          60_000,
        );
        const cart = await (await fetch(`${served.url}/carts/t2`)).json();
        assert.deepEqual(cart, { items: [{ productId: "fig", name: "Fig", quantity: 3 }] });
        assert.doesNotMatch(served.userFunction.output, /opentelemetry/i);
      } finally {
        await served.stop();
      }
    } finally {
      renameSync(aside, packages);
    }
  });
});
