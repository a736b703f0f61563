/**
 * The templates' src/telemetry.ts (create/templates/common/), run here against this checkout: which OpenTelemetry
 * variables start what. Nothing when none asks; tracing and OTLP metrics with an endpoint; a Prometheus endpoint
 * that serves the commands' counters; OTEL_SDK_DISABLED and "none" respected.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventSourcedTestKit } from "cloudstate-ts/testkit";
import { freePort } from "cloudstate-ts-devkit";
import { telemetry } from "../../create/templates/common/src/telemetry.js";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";

describe("the templates' telemetry.ts", () => {
  it("starts nothing when no variable asks, or when OTEL_SDK_DISABLED is true", async () => {
    assert.equal(await telemetry("svc", {}), undefined);
    assert.equal(await telemetry("svc", { OTEL_METRICS_EXPORTER: "otlp" }), undefined, "otlp with no endpoint");
    assert.equal(
      await telemetry("svc", { OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" }),
      undefined,
    );
    assert.equal(
      await telemetry("svc", {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
        OTEL_TRACES_EXPORTER: "none",
        OTEL_METRICS_EXPORTER: "none",
      }),
      undefined,
    );
  });

  it("serves the commands' counters on the Prometheus endpoint it was asked for", async () => {
    const port = await freePort();
    const started = await telemetry("svc", {
      OTEL_METRICS_EXPORTER: "prometheus",
      OTEL_EXPORTER_PROMETHEUS_HOST: "127.0.0.1",
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    assert.ok(started !== undefined);
    try {
      const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "t", observer: started.observer });
      await cart.call("addItem", { userId: "t", productId: "p", name: "P", quantity: 1 });
      const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(scraped, /^cloudstate_commands_total\{[^}]*rpc="AddItem"[^}]*outcome="reply"[^}]*\} 1$/m);
      assert.match(scraped, /service_name="svc"/, "the project's name as the service");
    } finally {
      await started.shutdown();
    }
  });
});
