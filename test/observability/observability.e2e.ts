/**
 * Tracing and metrics through the REAL Cloudstate 0.6.0 proxy into real backends: Jaeger v1.75.0 (built from the
 * Go module proxy, OTLP/HTTP ingest) receives the spans and its query API gives them back; Debian's Prometheus
 * scrapes the user function's OpenTelemetry Prometheus endpoint. Asserted: a gRPC call to an action with a
 * `traceparent` gives a span whose parent is the caller's; an entity command's trace context is dropped by the
 * 0.6.0 proxy (pinned: its spans are roots); a CRDT streamed call's change subscriber and cancellation callback
 * each give a span, child of the call's; a refused command is an ERROR span; an entity recovered from 1,000
 * events gives one recovery span; Prometheus's command counters equal the commands sent, per rpc and outcome.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { Metadata } from "nice-grpc";
import { methodOf } from "cloudstate-ts";
import { openTelemetry } from "cloudstate-ts/opentelemetry";
import { CloudstateTestEnvironment, freePort, retryUntil } from "cloudstate-ts-devkit";
import { ShoppingCartDefinition } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { ActionTckModelDefinition } from "../../examples/tck/gen/cloudstate/tck/model/action.js";
import { actionTckModelAction } from "../../examples/tck/gen/cloudstate/tck/model/action_cloudstate.js";
import { PresenceDefinition, type PresenceStatus } from "../../examples/crdts/gen/com/example/chat/chat.js";
import { presenceEntity } from "../../examples/crdts/gen/com/example/chat/chat_cloudstate.js";
import { presenceHandlers } from "../../examples/crdts/src/chat.js";
import { findTraces, parentOf, startJaeger, tag, traceSpans, type Jaeger, type JaegerSpan } from "./jaeger.js";
import { startPrometheus, type Prometheus } from "./prometheus.js";

const CART = "com.example.shoppingcart.ShoppingCart";
const ACTION = "cloudstate.tck.model.action.ActionTckModel";
const PRESENCE = "com.example.chat.Presence";
const RESOURCE = "cloudstate-ts-observability-suite";
const addItem = methodOf(ShoppingCartDefinition, "addItem");

/** An action that forwards every unary call to the cart. */
const forwarder = actionTckModelAction({
  processUnary: (_request, ctx) => ctx.forward(addItem, { userId: "fwd", productId: "p", name: "P", quantity: 1 }),
  processStreamedIn: () => ({ message: "" }),
  processStreamedOut: () => [],
  processStreamed: () => [],
});

/** A trace's spans as an indented tree, each with its id, parent and main tags, for the suite's log. */
function spanTree(spans: readonly JaegerSpan[]): string {
  const lines: string[] = [];
  const ids = new Set(spans.map((s) => s.spanID));
  const show = (span: JaegerSpan, depth: number): void => {
    const tags = ["span.kind", "cloudstate.kind", "cloudstate.entity_id", "cloudstate.outcome", "cloudstate.forward"]
      .filter((key) => tag(span, key) !== undefined)
      .map((key) => `${key}=${String(tag(span, key))}`);
    const parent = parentOf(span);
    lines.push(
      `#   ${"  ".repeat(depth)}${span.operationName} [trace ${span.traceID} span ${span.spanID}` +
        `${parent === undefined ? ", root" : `, parent ${parent}`}] ${tags.join(" ")}`,
    );
    for (const child of spans.filter((s) => parentOf(s) === span.spanID)) show(child, depth + 1);
  };
  for (const span of spans.filter((s) => parentOf(s) === undefined || !ids.has(parentOf(s)!))) show(span, 0);
  return lines.join("\n");
}

/** A fresh caller context: a trace id, a span id, the traceparent header. */
function caller() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** The trace's spans once `count` have arrived (the batch processor and Jaeger's own batching take a moment). */
async function spansOf(jaeger: Jaeger, traceId: string, count: number): Promise<readonly JaegerSpan[]> {
  return retryUntil(
    `${count} span(s) of trace ${traceId} in Jaeger`,
    async () => {
      const spans = await traceSpans(jaeger, traceId);
      if (spans.length < count) throw new Error(`${spans.length} so far`);
      return spans;
    },
    30_000,
  );
}

describe("observability through the real proxy: Jaeger and Prometheus", { timeout: 900_000 }, () => {
  let jaeger: Jaeger;
  let prometheus: Prometheus;
  let env: CloudstateTestEnvironment;
  let tracerProvider: TracerProvider;
  let meterProvider: MeterProvider;
  let metrics: PrometheusExporter;
  const log = (line: string) => console.error(`observability: ${line}`);

  before(async () => {
    jaeger = await startJaeger(log);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const resource = resourceFromAttributes({ "service.name": RESOURCE });
    tracerProvider = new TracerProvider({
      resource,
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: jaeger.otlpTracesUrl }),
          scheduledDelayMillis: 100,
        }),
      ],
    });
    const metricsPort = await freePort();
    metrics = new PrometheusExporter({ host: "127.0.0.1", port: metricsPort });
    meterProvider = new MeterProvider({ resource, readers: [metrics] });
    prometheus = await startPrometheus(`127.0.0.1:${metricsPort}`, log);
    const observer = openTelemetry({
      tracer: tracerProvider.getTracer("cloudstate-ts"),
      meter: meterProvider.getMeter("cloudstate-ts"),
    });
    env = await CloudstateTestEnvironment.start({
      entities: [{ ...shoppingCart, snapshotEvery: 0 }, forwarder, presenceEntity(presenceHandlers)],
      observer,
      timeoutMs: 180_000,
    });
    // Online means discovery succeeded; the entity's shard may still be starting, so the first call is retried.
    const cart = env.client(ShoppingCartDefinition);
    await retryUntil("the first GetCart through the proxy", () => cart.getCart({ userId: "warm-up" }), 60_000);
  });

  after(async () => {
    await env?.stop();
    await tracerProvider?.shutdown();
    await meterProvider?.shutdown();
    await prometheus?.stop();
    await jaeger?.stop();
  });

  /** The SERVER span of `rpc` on `service` for the entity `entityId`, found by Jaeger's search. */
  async function entitySpan(service: string, rpc: string, entityId: string): Promise<JaegerSpan> {
    return retryUntil(
      `the ${rpc} span of ${entityId} in Jaeger`,
      async () => {
        const traces = await findTraces(jaeger, RESOURCE, `${service}/${rpc}`, { "cloudstate.entity_id": entityId });
        const span = traces.flat().find((s) => s.operationName === `${service}/${rpc}`);
        if (span === undefined) throw new Error("none yet");
        return span;
      },
      30_000,
    );
  }

  it("a gRPC call to an action with traceparent metadata gives a SERVER span whose parent is the caller's", async () => {
    const call = caller();
    await env
      .client(ActionTckModelDefinition)
      .processUnary({}, { metadata: Metadata({ traceparent: call.traceparent }) });
    const spans = await spansOf(jaeger, call.traceId, 1);
    const action = spans.find((s) => s.operationName === `${ACTION}/ProcessUnary`);
    assert.ok(action !== undefined, JSON.stringify(spans.map((s) => s.operationName)));
    assert.equal(parentOf(action), call.spanId);
    assert.equal(tag(action, "span.kind"), "server");
    assert.equal(tag(action, "cloudstate.forward"), `${CART}/AddItem`);
    console.log(`# the action's trace as Jaeger returns it (caller span ${call.spanId}, not exported):`);
    console.log(spanTree(spans));
  });

  it("PROXY DEFECT pinned: an entity command's traceparent (HTTP/JSON, gRPC, or a forward's) never reaches the user function", async () => {
    // The 0.6.0 proxy passes request headers to actions only: an event-sourced entity's command arrives with empty
    // metadata, whether the caller sent a traceparent over HTTP/JSON or gRPC, or an action forwarded with one
    // (docs/observability.md). Each entity span is therefore a root span of its own trace. Should a proxy pass the
    // headers on, this test fails and the parent assertions of the issue apply.
    const http = caller();
    const response = await fetch(`${env.httpUrl}/cart/http-user/items/add`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: http.traceparent },
      body: JSON.stringify({ productId: "apple", name: "Apple", quantity: 2 }),
    });
    assert.equal(response.status, 200, await response.text());
    const grpc = caller();
    await env
      .client(ShoppingCartDefinition)
      .addItem(
        { userId: "grpc-user", productId: "pear", name: "Pear", quantity: 1 },
        { metadata: Metadata({ traceparent: grpc.traceparent }) },
      );
    for (const [entityId, call] of [
      ["http-user", http],
      ["grpc-user", grpc],
    ] as const) {
      const span = await entitySpan(CART, "AddItem", entityId);
      assert.equal(tag(span, "span.kind"), "server");
      assert.equal(tag(span, "cloudstate.events_emitted"), 1);
      assert.notEqual(span.traceID, call.traceId);
      assert.equal(parentOf(span), undefined);
    }
    // The forward made by the action test above: the entity's span is a root too, though our forward carried
    // the action span's traceparent.
    const forwarded = await entitySpan(CART, "AddItem", "fwd");
    assert.equal(parentOf(forwarded), undefined);
    console.log("# the forwarded command's trace as Jaeger returns it (a root: the proxy dropped the traceparent):");
    console.log(spanTree(await spansOf(jaeger, forwarded.traceID, 1)));
  });

  it("a CRDT streamed call's change subscriber and cancellation callback each give a span in the call's trace", async () => {
    const presence = env.client(PresenceDefinition);
    const monitorAbort = new AbortController();
    const connectAbort = new AbortController();
    const monitor = presence.monitor({ userId: "eve" }, { signal: monitorAbort.signal })[Symbol.asyncIterator]();
    const next = async (stream: AsyncIterator<PresenceStatus>): Promise<PresenceStatus> => {
      const step = await stream.next();
      assert.ok(step.done !== true, "the stream goes on");
      return step.value;
    };
    try {
      assert.equal((await next(monitor)).online, false);
      const connect = presence.connect({ userId: "eve" }, { signal: connectAbort.signal })[Symbol.asyncIterator]();
      assert.equal((await next(connect)).online, true);
      // The monitor's subscriber heard the connection: a message, sent from an "on change" span.
      assert.equal((await next(monitor)).online, true);
      // The client cancels Connect: the proxy tells the user function, whose cancellation callback votes offline.
      connectAbort.abort();
      await connect.next().catch(() => undefined);
      assert.equal((await next(monitor)).online, false);
    } finally {
      monitorAbort.abort();
      await monitor.next().catch(() => undefined);
    }
    const call = async (rpc: string): Promise<JaegerSpan> => entitySpan(PRESENCE, rpc, "eve");
    const [monitorSpan, connectSpan] = [await call("Monitor"), await call("Connect")];
    const monitorTrace = await spansOf(jaeger, monitorSpan.traceID, 3);
    const changes = monitorTrace.filter((s) => s.operationName === `${PRESENCE}/Monitor on change`);
    // At least the two changes the monitor was told of (a delta from the proxy may run the subscriber again).
    assert.ok(changes.length >= 2, JSON.stringify(monitorTrace.map((s) => s.operationName)));
    for (const change of changes) {
      assert.equal(parentOf(change), monitorSpan.spanID);
      assert.equal(tag(change, "cloudstate.callback"), "change");
      assert.equal(tag(change, "span.kind"), "internal");
    }
    const connectTrace = await spansOf(jaeger, connectSpan.traceID, 2);
    const cancelled = connectTrace.find((s) => s.operationName === `${PRESENCE}/Connect on cancel`);
    assert.ok(cancelled !== undefined, JSON.stringify(connectTrace.map((s) => s.operationName)));
    assert.equal(parentOf(cancelled), connectSpan.spanID);
    assert.equal(tag(cancelled, "cloudstate.callback"), "cancelled");
    console.log("# a CRDT streamed call's trace as Jaeger returns it:");
    console.log(spanTree(monitorTrace));
  });

  it("a refused command is an ERROR span carrying the failure's description", async () => {
    await assert.rejects(
      env.client(ShoppingCartDefinition).addItem({ userId: "refused", productId: "x", name: "X", quantity: -1 }),
    );
    const span = await entitySpan(CART, "AddItem", "refused");
    assert.equal(tag(span, "otel.status_code"), "ERROR");
    assert.match(String(tag(span, "otel.status_description")), /Cannot add a quantity of -1/);
  });

  it("an entity recovered from 1,000 events gives one recovery span counting them", async () => {
    const cart = env.client(ShoppingCartDefinition);
    for (let i = 0; i < 1000; i++)
      await cart.addItem({ userId: "long", productId: `p${i % 10}`, name: "P", quantity: 1 });
    await env.restartUserFunction();
    // A read right after the restart may be failed by the proxy before it reaches the user function (its known
    // race: "Unexpected entity termination"), so read until it answers; a failed read is counted nowhere.
    const got = await retryUntil(
      "GetCart of cart long after the restart",
      () => cart.getCart({ userId: "long" }),
      90_000,
    );
    assert.equal(
      got.items.reduce((n, item) => n + item.quantity, 0),
      1000,
    );
    const recoveries = await retryUntil(
      "the recovery span of cart long in Jaeger",
      async () => {
        const traces = await findTraces(jaeger, RESOURCE, `${CART} recovery`);
        const ours = traces.flat().filter((s) => tag(s, "cloudstate.entity_id") === "long");
        const replayed = ours.filter((s) => tag(s, "cloudstate.events_replayed") === 1000);
        if (replayed.length === 0) throw new Error(`${ours.length} recovery span(s) of cart long so far`);
        return replayed;
      },
      30_000,
    );
    assert.equal(recoveries.length, 1);
  });

  it("Prometheus's command counters equal the commands sent, per rpc and outcome", async () => {
    // Sent above: AddItem answered 1 (HTTP) + 1 (gRPC) + 1 (forwarded) + 1000 (recovery test) = 1003; refused 1;
    // GetCart 2 (the warm-up and the recovery test); the action's ProcessUnary forwarded once.
    const expected: [string, string, number][] = [
      ["AddItem", "reply", 1003],
      ["AddItem", "failure", 1],
      ["GetCart", "reply", 2],
      ["ProcessUnary", "forward", 1],
    ];
    for (const [rpc, outcome, count] of expected) {
      const expression = `sum(cloudstate_commands_total{rpc="${rpc}",outcome="${outcome}"})`;
      await retryUntil(
        `${expression} = ${count} in Prometheus`,
        async () => {
          const value = await prometheus.query(expression);
          if (value !== count) {
            const outcomes = ["reply", "forward", "no-reply", "failure", "error"];
            const seen = await Promise.all(
              outcomes.map(
                async (o) =>
                  `${o}=${String(await prometheus.query(`sum(cloudstate_commands_total{rpc="${rpc}",outcome="${o}"})`))}`,
              ),
            );
            throw new Error(`${String(value)} so far (${rpc}: ${seen.join(" ")})`);
          }
        },
        30_000,
      );
    }
    const entityIdLabels = await prometheus.query(`count({__name__=~"cloudstate_.*", entity_id!=""})`);
    assert.equal(entityIdLabels, undefined, "no metric carries an entity id");
  });
});
