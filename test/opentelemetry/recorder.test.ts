/**
 * `cloudstate-ts/testkit/opentelemetry`'s recorder as a user's unit test uses it: the spans and metrics of the
 * commands a testkit runs, with no SDK. And, through it, the spans of a CRDT streamed call's change subscriber and
 * cancellation callback: each a child of the streamed call's span, active while the callback runs (a side effect
 * it makes carries its trace context).
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CrdtTestKit, EventSourcedTestKit } from "cloudstate-ts/testkit";
import { recordTelemetry } from "cloudstate-ts/testkit/opentelemetry";
import { METRIC } from "cloudstate-ts/opentelemetry";
import { presenceEntity } from "../../examples/crdts/gen/com/example/chat/chat_cloudstate.js";
import { presenceHandlers } from "../../examples/crdts/src/chat.js";
import { shoppingCart, shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";

const CART = "com.example.shoppingcart.ShoppingCart";
const PRESENCE = "com.example.chat.Presence";
const apple = { userId: "ann", productId: "apple", name: "Apple", quantity: 2 };
const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

describe("the testkit's telemetry recorder", () => {
  // A test that registers a context manager takes it down again: the next test starts with none, as a process does.
  afterEach(() => context.disable());

  it("records a command's span and metrics: name, parent, attributes, outcome, counters by rpc and outcome", async () => {
    const telemetry = recordTelemetry();
    const cart = await EventSourcedTestKit.create(shoppingCart, { entityId: "ann", observer: telemetry.observer });
    await cart.call("addItem", apple, { metadata: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
    const added = telemetry.span(`${CART}/AddItem`);
    assert.equal(added.kind, SpanKind.SERVER);
    assert.equal(added.traceId, CALLER_TRACE);
    assert.equal(added.parentSpanId, CALLER_SPAN);
    assert.equal(added.attributes["cloudstate.entity_id"], "ann");
    assert.equal(added.attributes["cloudstate.outcome"], "reply");
    assert.equal(added.attributes["cloudstate.events_emitted"], 1);
    assert.equal(added.status.code, SpanStatusCode.UNSET);
    assert.ok(added.durationMs >= 0);

    telemetry.clear();
    const refused = await cart.call("addItem", { ...apple, quantity: 0 });
    const failed = telemetry.span(`${CART}/AddItem`);
    assert.equal(failed.parentSpanId, undefined, "no traceparent: a root span");
    assert.equal(failed.status.code, SpanStatusCode.ERROR);
    assert.equal(failed.status.message, refused.failure);
    assert.equal(telemetry.value(METRIC.commands, { rpc: "AddItem", outcome: "failure" }), 1);
    assert.equal(telemetry.value(METRIC.commands, { rpc: "AddItem", outcome: "reply" }), 0, "cleared");
    assert.equal(telemetry.value(METRIC.commandDuration, { rpc: "AddItem" }), 1, "one latency recorded");
    assert.throws(() => telemetry.span(`${CART}/GetCart`), /0 spans named .*GetCart; ended: \[".*AddItem"\]/);

    await cart.call("addItem", apple);
    await cart.call("addItem", apple);
    assert.equal(telemetry.value(METRIC.commands, { service: CART, outcome: "reply" }), 2);
    assert.equal(
      telemetry.value(METRIC.eventsEmitted, { event_type: "com.example.shoppingcart.persistence.ItemAdded" }),
      2,
    );
    assert.ok(
      telemetry.measurements().every((m) => !("entity_id" in m.attributes)),
      "no entity id as a label",
    );
  });

  it("a CRDT's change subscriber and cancellation callback each run in a span of their own, child of the streamed call's", async () => {
    const telemetry = recordTelemetry();
    const presence = await CrdtTestKit.create(presenceEntity(presenceHandlers), {
      entityId: "bob",
      observer: telemetry.observer,
    });
    const monitor = await presence.subscribe("monitor", { userId: "bob" });
    const connection = await presence.subscribe("connect", { userId: "bob" });
    assert.deepEqual(
      monitor.replies.map((s) => s.online),
      [true],
    );
    const monitorCall = telemetry.span(`${PRESENCE}/Monitor`);
    const connectCall = telemetry.span(`${PRESENCE}/Connect`);
    const onChange = telemetry.span(`${PRESENCE}/Monitor on change`);
    assert.equal(onChange.kind, SpanKind.INTERNAL);
    assert.equal(onChange.traceId, monitorCall.traceId);
    assert.equal(onChange.parentSpanId, monitorCall.spanId);
    assert.equal(onChange.attributes["cloudstate.callback"], "change");
    assert.equal(onChange.attributes["cloudstate.outcome"], "reply");
    assert.equal(onChange.attributes["cloudstate.command_id"], monitorCall.attributes["cloudstate.command_id"]);

    await connection.cancel();
    const onCancel = telemetry.span(`${PRESENCE}/Connect on cancel`);
    assert.equal(onCancel.traceId, connectCall.traceId);
    assert.equal(onCancel.parentSpanId, connectCall.spanId);
    assert.equal(onCancel.attributes["cloudstate.callback"], "cancelled");
    assert.equal(onCancel.attributes["cloudstate.outcome"], "no-reply");
    // The cancellation voted offline: the monitor's subscriber ran again, in a span of its own in the monitor's trace.
    const changes = telemetry.spans().filter((s) => s.name === `${PRESENCE}/Monitor on change`);
    assert.equal(changes.length, 2);
    assert.ok(changes.every((s) => s.parentSpanId === monitorCall.spanId));
  });

  it("a callback's own spans are children of its span (the span is active while it runs)", async () => {
    // As in a service: a context manager makes the active span follow the code.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const telemetry = recordTelemetry();
    const seen: (string | undefined)[] = [];
    const watched = presenceEntity({
      ...presenceHandlers,
      monitor(command, context) {
        const first = presenceHandlers.monitor(command, context);
        // The last registration wins: this one replaces the example's.
        context.onChange((subscription) => {
          seen.push(trace.getActiveSpan()?.spanContext().spanId);
          return { $type: "com.example.chat.PresenceStatus", online: subscription.state.atLeastOne, nodes: 0 };
        });
        return first;
      },
    });
    const presence = await CrdtTestKit.create(watched, { entityId: "cy", observer: telemetry.observer });
    await presence.subscribe("monitor", { userId: "cy" });
    await presence.subscribe("connect", { userId: "cy" });
    const onChange = telemetry.span(`${PRESENCE}/Monitor on change`);
    assert.deepEqual(seen, [onChange.spanId]);
  });

  it("a handler's own spans from the recorder's tracer are children of its command's span, active ones too", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const telemetry = recordTelemetry();
    const traced = shoppingCartEntity({
      ...shoppingCartHandlers,
      addItem(command, context) {
        const lookup = telemetry.tracer.startSpan("price lookup");
        lookup.end();
        return telemetry.tracer.startActiveSpan("stock check", (check) => {
          telemetry.tracer.startSpan("stock query").end();
          check.end();
          return shoppingCartHandlers.addItem(command, context);
        });
      },
    });
    const cart = await EventSourcedTestKit.create(traced, { entityId: "dee", observer: telemetry.observer });
    await cart.call("addItem", { userId: "dee", productId: "fig", name: "Fig", quantity: 1 });
    const command = telemetry.span("com.example.shoppingcart.ShoppingCart/AddItem");
    const lookup = telemetry.span("price lookup");
    const check = telemetry.span("stock check");
    const query = telemetry.span("stock query");
    assert.equal(lookup.traceId, command.traceId);
    assert.equal(lookup.parentSpanId, command.spanId);
    assert.equal(check.parentSpanId, command.spanId);
    assert.equal(query.parentSpanId, check.spanId, "startActiveSpan made its span the active one");
  });
});
