/**
 * The observation seam, through the real stream loops (the unit testkits drive them): what an observer hears of an
 * event-sourced entity (start, replayed events, recovery, commands with their events, snapshot and failures), of an
 * action call (forward and side effects, with the observer's outgoing metadata added), of a CRDT (deltas,
 * subscriptions); `around` runs the handler; an observer that throws fails no command.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommandFailure, observers, type CommandCompletion, type Observer } from "cloudstate-ts";
import { ActionTestKit, CrdtTestKit, EventSourcedTestKit } from "cloudstate-ts/testkit";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { actionTckModel } from "../../examples/tck/src/action.js";
import { presenceEntity } from "../../examples/crdts/gen/com/example/chat/chat_cloudstate.js";
import { presenceHandlers } from "../../examples/crdts/src/chat.js";

const ITEM_ADDED = "com.example.shoppingcart.persistence.ItemAdded";
const apple = { userId: "ann", productId: "apple", name: "Apple", quantity: 2 };

/** An observer that writes down what it hears, as `hook detail` lines. */
function recorder(): { observer: Observer; heard: string[]; completions: CommandCompletion[] } {
  const heard: string[] = [];
  const completions: CommandCompletion[] = [];
  const observer: Observer = {
    entityStarted(start) {
      heard.push(`started ${start.kind} ${start.entityId} stored=${String(start.fromStoredValue)}`);
      return {
        eventReplayed: (e) => heard.push(`replayed ${e.sequence} ${e.type}`),
        recovered: (r) => heard.push(`recovered events=${r.eventsReplayed} snapshot=${String(r.snapshotSequence)}`),
        deltaReceived: (d) => heard.push(`delta ${d.crdtType}`),
        subscriptionOpened: (s) => heard.push(`subscribed ${s.commandName}`),
        subscriptionEnded: (s) => heard.push(`unsubscribed ${s.commandName} ${s.reason}`),
        closed: (c) => heard.push(`closed${c.failure === undefined ? "" : ` ${c.failure}`}`),
        commandBegun(command) {
          heard.push(`command ${command.commandName} traceparent=${command.metadata.get("traceparent") ?? "-"}`);
          return {
            around: (call) => {
              heard.push(`around ${command.commandName}`);
              return call();
            },
            completed: (c) => {
              completions.push(c);
              heard.push(`completed ${command.commandName} ${c.outcome}`);
            },
          };
        },
      };
    },
    actionCallBegun(call) {
      heard.push(`action ${call.shape} ${call.commandName}`);
      return {
        outgoingMetadata: () => [["traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"]],
        completed: (c) => {
          completions.push(c);
          heard.push(`completed ${call.commandName} ${c.outcome}`);
        },
      };
    },
  };
  return { observer, heard, completions };
}

describe("observation seam", () => {
  it("hears an event-sourced entity's start, recovery, commands, events, snapshot and failures", async () => {
    const { observer, heard, completions } = recorder();
    const cart = await EventSourcedTestKit.create(shoppingCart, {
      entityId: "ann",
      observer,
      checks: { replay: false },
      events: [{ $type: ITEM_ADDED, item: { productId: "pear", name: "Pear", quantity: 1 } }],
    });
    const added = await cart.call("addItem", apple, { metadata: { traceparent: "00-abc" } });
    assert.equal(added.failure, undefined);
    const refused = await cart.call("addItem", { ...apple, quantity: -1 });
    assert.match(refused.failure ?? "", /Cannot add/);
    assert.deepEqual(heard.slice(0, 8), [
      "started event-sourced ann stored=false",
      `replayed 1 ${ITEM_ADDED}`,
      "recovered events=1 snapshot=undefined",
      "command AddItem traceparent=00-abc",
      "around AddItem",
      "completed AddItem reply",
      "command AddItem traceparent=-",
      "around AddItem",
    ]);
    assert.equal(heard[8], "completed AddItem failure");
    const [ok, failed] = completions;
    assert.deepEqual(
      ok?.events.map((e) => e.type),
      [ITEM_ADDED],
    );
    // The state after each event, decoded on request.
    const after = ok?.events[0]?.state() as { items: { productId: string; quantity: number }[] } | undefined;
    assert.deepEqual(
      after?.items.map((i) => [i.productId, i.quantity]),
      [
        ["pear", 1],
        ["apple", 2],
      ],
    );
    assert.equal((ok?.events[0]?.event() as { item?: { productId: string } }).item?.productId, "apple");
    assert.equal(failed?.outcome, "failure");
    assert.match(failed?.failure ?? "", /Cannot add/);
  });

  it("hears an action's forward and side effects, and adds its outgoing metadata to both", async () => {
    const { observer, heard, completions } = recorder();
    const kit = ActionTestKit.create(actionTckModel, { observer });
    const answer = await kit.call("processUnary", {
      groups: [
        { steps: [{ step: { $case: "effect", value: { id: "e1", synchronous: false } } }] },
        { steps: [{ step: { $case: "forward", value: { id: "f1" } } }] },
      ],
    });
    assert.deepEqual(heard, ["action unary ProcessUnary", "completed ProcessUnary forward"]);
    assert.equal(completions[0]?.forward?.commandName, "Call");
    assert.deepEqual(
      completions[0]?.sideEffects.map((e) => e.commandName),
      ["Call"],
    );
    assert.equal(answer.forward?.metadata.get("traceparent")?.slice(0, 5), "00-0a");
    assert.equal(answer.sideEffects[0]?.metadata.get("traceparent")?.slice(0, 5), "00-0a");
  });

  it("hears a CRDT's subscriptions open and end, and deltas from other nodes", async () => {
    const { observer, heard } = recorder();
    const presence = await CrdtTestKit.create(presenceEntity(presenceHandlers), { entityId: "bob", observer });
    const connection = await presence.subscribe("connect", { userId: "bob" });
    await presence.applyDelta({ delta: { $case: "vote", value: { selfVote: true, votesFor: 2, totalVoters: 2 } } });
    await connection.cancel();
    assert.deepEqual(heard, [
      "started crdt bob stored=false",
      "command Connect traceparent=-",
      "around Connect",
      "subscribed Connect",
      "completed Connect reply",
      "delta vote",
      "unsubscribed Connect cancelled",
    ]);
  });

  it("fails no command when an observer throws, and combines observers", async () => {
    const { observer, heard } = recorder();
    const broken: Observer = {
      entityStarted: () => ({
        commandBegun: () => {
          throw new CommandFailure("observer bug");
        },
      }),
    };
    const cart = await EventSourcedTestKit.create(shoppingCart, {
      entityId: "ann",
      observer: observers(broken, observer),
      checks: { replay: false },
    });
    const added = await cart.call("addItem", apple);
    assert.equal(added.failure, undefined);
    assert.ok(cart.log.some((l) => l.level === "warn" && /observer hook/.test(l.message)));
    assert.deepEqual(heard, ["started event-sourced ann stored=false", "recovered events=0 snapshot=undefined"]);
  });
});
