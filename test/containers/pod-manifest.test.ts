/**
 * The plain Deployment made runnable on one host (pod-manifest.ts), for both deploy layers: every port the
 * manifest names moves to its stand-in everywhere it appears, the proxy binds loopback and seeds itself, the
 * database points at the given one, and nothing else changes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../support/root.js";
import { deploymentOf, forHost, gracePeriodSeconds, podContainers, probesOf, type HostPorts } from "./pod-manifest.js";

const ports: HostPorts = {
  userFunction: 41001,
  http: 41002,
  management: 41003,
  remoting: 41004,
  metrics: 41005,
  userFunctionMetrics: 41006,
};
const manifest = (layer: string): string =>
  readFileSync(join(ROOT, "create/templates", layer, "deploy/plain/deployment.yaml"), "utf8").replaceAll(
    "__SERVICE_NAME__",
    "svc",
  );
const env = (container: { env?: { name: string; value?: string }[] }, name: string): string | undefined =>
  container.env?.find((entry) => entry.name === name)?.value;

describe("the plain Deployment on the host", () => {
  for (const layer of ["with-store", "without-store"]) {
    it(`${layer}: ports moved everywhere, loopback, a seed node, host network`, () => {
      const text = manifest(layer);
      const host = forHost(text, ports, layer === "with-store" ? { host: "127.0.0.1", port: 5999 } : undefined);
      const before = podContainers(deploymentOf(text));
      const after = deploymentOf(host);
      const { userFunction, proxy } = podContainers(after);
      assert.equal(after.spec.template.spec.hostNetwork, true);
      assert.equal(env(userFunction, "PORT"), "41001");
      assert.equal(env(proxy, "USER_FUNCTION_PORT"), "41001");
      assert.equal(env(proxy, "HTTP_PORT"), "41002");
      assert.equal(env(proxy, "MANAGEMENT_PORT"), "41003");
      assert.equal(env(proxy, "REMOTING_PORT"), "41004");
      assert.equal(env(proxy, "METRICS_PORT"), "41005");
      assert.equal(env(userFunction, "OTEL_EXPORTER_PROMETHEUS_PORT"), "41006");
      assert.equal(env(userFunction, "OTEL_EXPORTER_PROMETHEUS_HOST"), "127.0.0.1");
      assert.equal(env(userFunction, "OTEL_SERVICE_NAME"), "svc", "the manifest's telemetry variables stay");
      assert.equal(proxy.ports, undefined, "no port mappings on the host network");
      assert.equal(userFunction.ports, undefined);
      assert.deepEqual(probesOf(host, "akka-sidecar"), {
        readiness: { path: "/ready", port: 41003 },
        liveness: { path: "/alive", port: 41003 },
      });
      const javaOpts = env(proxy, "JAVA_OPTS") ?? "";
      assert.ok(javaOpts.startsWith(env(before.proxy, "JAVA_OPTS") ?? "?"), "the manifest's own options come first");
      assert.match(javaOpts, /-Dakka\.cluster\.seed-nodes\.0=akka:\/\/cloudstate-proxy@127\.0\.0\.1:41004/);
      assert.match(javaOpts, /-Dcloudstate\.proxy\.http-interface=127\.0\.0\.1/);
      assert.equal(userFunction.image, before.userFunction.image);
      assert.equal(proxy.image, before.proxy.image);
      if (layer === "with-store") {
        assert.equal(env(proxy, "POSTGRES_SERVICE"), "127.0.0.1");
        assert.equal(env(proxy, "POSTGRES_PORT"), "5999");
        assert.ok(proxy.env?.find((e) => e.name === "POSTGRES_PASSWORD")?.valueFrom !== undefined, "secrets kept");
      }
      assert.equal(gracePeriodSeconds(text), 30);
    });
  }

  it("refuses a manifest whose ports it cannot move", () => {
    const text = manifest("without-store").replace('value: "8558"', 'value: "x"');
    assert.throws(() => forHost(text, ports), /akka-sidecar has no port in MANAGEMENT_PORT/);
  });
});
