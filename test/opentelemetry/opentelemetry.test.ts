/**
 * `cloudstate-ts/opentelemetry` through the real stream loops (the unit testkits), with in-memory exporters: a
 * SERVER span per command, child of the caller's W3C or B3 context (a root for a malformed header); the handler's
 * own spans as children; ERROR for a refused command; one recovery span; trace context in forwards and side
 * effects; log lines carrying the ids; the command counter by rpc and outcome, and events by type.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { methodOf } from "cloudstate-ts";
import { ActionTestKit, EventSourcedTestKit, memoryLogger } from "cloudstate-ts/testkit";
import { openTelemetry, tracedLogger, METRIC } from "cloudstate-ts/opentelemetry";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { actionTckModelAction } from "../../examples/tck/gen/cloudstate/tck/model/action_cloudstate.js";
import { ActionTwoDefinition } from "../../examples/tck/gen/cloudstate/tck/model/action.js";
import { inMemoryTelemetry } from "./in-memory.js";

const CART = "com.example.shoppingcart.ShoppingCart";
const ITEM_ADDED = "com.example.shoppingcart.persistence.ItemAdded";
const apple = { userId: "ann", productId: "apple", name: "Apple", quantity: 2 };
const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const two = methodOf(ActionTwoDefinition, "call");

describe("OpenTelemetry integration (unit testkits, in-memory exporters)", () => {
  it("traces an event-sourced command as a child of the caller's traceparent, after one recovery span", async () => {
    const telemetry = inMemoryTelemetry();
    const cart = await EventSourcedTestKit.create(shoppingCart, {
      entityId: "ann",
      observer: openTelemetry(telemetry),
      checks: { replay: false },
      events: Array.from({ length: 3 }, () => ({
        $type: ITEM_ADDED,
        item: { productId: "pear", name: "Pear", quantity: 1 },
      })),
    });
    await cart.call("addItem", apple, { metadata: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
    const refused = await cart.call("addItem", { ...apple, quantity: 0 });
    const [recovery, added, failed, ...more] = telemetry.spans();
    assert.equal(more.length, 0);
    assert.equal(recovery?.name, `${CART} recovery`);
    assert.equal(recovery?.attributes["cloudstate.events_replayed"], 3);
    assert.equal(added?.name, `${CART}/AddItem`);
    assert.equal(added?.kind, SpanKind.SERVER);
    assert.equal(added?.spanContext().traceId, CALLER_TRACE);
    assert.equal(added?.parentSpanContext?.spanId, CALLER_SPAN);
    assert.deepEqual(
      [
        added?.attributes["rpc.method"],
        added?.attributes["cloudstate.kind"],
        added?.attributes["cloudstate.entity_id"],
      ],
      ["AddItem", "event-sourced", "ann"],
    );
    assert.equal(added?.attributes["cloudstate.events_emitted"], 1);
    assert.equal(added?.status.code, SpanStatusCode.UNSET);
    // No traceparent: a root span; refused: ERROR with the client's description.
    assert.equal(failed?.parentSpanContext, undefined);
    assert.equal(failed?.status.code, SpanStatusCode.ERROR);
    assert.equal(failed?.status.message, refused.failure);
    const commands = await telemetry.points(METRIC.commands);
    const count = (outcome: string) =>
      commands.find((p) => p.attributes["rpc"] === "AddItem" && p.attributes["outcome"] === outcome)?.value;
    assert.equal(count("reply"), 1);
    assert.equal(count("failure"), 1);
    assert.ok(commands.every((p) => !("entity_id" in p.attributes)));
    const events = await telemetry.points(METRIC.eventsEmitted);
    assert.deepEqual(
      events.map((p) => [p.attributes["event_type"], p.value]),
      [[ITEM_ADDED, 1]],
    );
  });

  it("reads B3, ignores a malformed traceparent (a root span, a debug line), and fails no command over it", async () => {
    const telemetry = inMemoryTelemetry();
    const logger = memoryLogger();
    const cart = await EventSourcedTestKit.create(shoppingCart, {
      entityId: "bob",
      observer: openTelemetry({ ...telemetry, logger }),
      checks: { replay: false },
    });
    await cart.call("addItem", apple, { metadata: { b3: `${CALLER_TRACE}-${CALLER_SPAN}-1` } });
    const bad = await cart.call("addItem", apple, {
      metadata: { traceparent: `00-${"z".repeat(32)}-${CALLER_SPAN}-01` },
    });
    assert.equal(bad.failure, undefined);
    const huge = await cart.call("addItem", apple, { metadata: { traceparent: "0".repeat(10_000) } });
    assert.equal(huge.failure, undefined);
    const [b3, malformed, oversized] = telemetry.spans().filter((s) => s.kind === SpanKind.SERVER);
    assert.equal(b3?.parentSpanContext?.spanId, CALLER_SPAN);
    assert.equal(b3?.spanContext().traceId, CALLER_TRACE);
    assert.equal(malformed?.parentSpanContext, undefined);
    assert.equal(oversized?.parentSpanContext, undefined);
    assert.equal(logger.lines.filter((l) => l.level === "debug" && /malformed trace header/.test(l.message)).length, 2);
  });

  it("makes the handler's own spans children, injects the context into forwards and side effects, and logs ids", async () => {
    const telemetry = inMemoryTelemetry();
    const lines = memoryLogger();
    const log = tracedLogger(lines);
    const action = actionTckModelAction({
      processUnary: (_request, context) => {
        trace.getTracer("handler").startActiveSpan("database call", (span) => span.end());
        log.info("handling");
        context.effect(two, { id: "e1" });
        return context.forward(two, { id: "f1" });
      },
      processStreamedIn: () => ({ message: "" }),
      processStreamedOut: () => [],
      processStreamed: () => [],
    });
    const kit = ActionTestKit.create(action, { observer: openTelemetry(telemetry) });
    const answer = await kit.call(
      "processUnary",
      {},
      { metadata: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } },
    );
    const own = telemetry.spans().find((s) => s.name === "database call");
    const call = telemetry.spans().find((s) => s.kind === SpanKind.SERVER);
    assert.equal(call?.name, "cloudstate.tck.model.action.ActionTckModel/ProcessUnary");
    assert.equal(own?.parentSpanContext?.spanId, call?.spanContext().spanId);
    const expected = `00-${CALLER_TRACE}-${call?.spanContext().spanId}-01`;
    assert.equal(answer.forward?.metadata.get("traceparent"), expected);
    assert.equal(answer.sideEffects[0]?.metadata.get("traceparent"), expected);
    assert.equal(call?.attributes["cloudstate.forward"], "cloudstate.tck.model.action.ActionTwo/Call");
    assert.match(lines.text(), new RegExp(`handling trace_id=${CALLER_TRACE} span_id=${call?.spanContext().spanId}`));
  });
});
