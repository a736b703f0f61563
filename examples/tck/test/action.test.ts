/**
 * The TCK's action model under the unit testkit, in all four streaming shapes: replies, forwards, failures, no
 * reply, side effects (also those after the last streamed answer).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { methodOf } from "cloudstate-ts";
import { ActionTestKit } from "cloudstate-ts/testkit";
import { ActionTwoDefinition } from "../gen/cloudstate/tck/model/action.js";
import { actionTckModel } from "../src/action.js";

const two = methodOf(ActionTwoDefinition, "call");
const reply = (message: string) => ({ step: { $case: "reply" as const, value: { message } } });
const effect = (id: string, synchronous = false) => ({
  step: { $case: "effect" as const, value: { id, synchronous } },
});
const forward = (id: string) => ({ step: { $case: "forward" as const, value: { id } } });
const fail = (message: string) => ({ step: { $case: "fail" as const, value: { message } } });

describe("action TCK model (unit testkit)", () => {
  const kit = ActionTestKit.create(actionTckModel);

  it("unary: the last step answers, with the side effects", async () => {
    const answer = await kit.call("processUnary", { groups: [{ steps: [effect("e1", true), reply("hello")] }] });
    assert.equal(answer.reply?.message, "hello");
    assert.equal(answer.noReply, false);
    assert.deepEqual(
      answer.sideEffects.map((e) => [e.requestAs(two).id, e.synchronous]),
      [["e1", true]],
    );
  });

  it("unary: a forward, a failure and no reply", async () => {
    const forwarded = await kit.call("processUnary", { groups: [{ steps: [forward("f")] }] });
    assert.equal(forwarded.forward?.commandName, "Call");
    assert.equal(forwarded.forward?.requestAs(two).id, "f");
    const failed = await kit.call("processUnary", { groups: [{ steps: [fail("bad")] }] });
    assert.equal(failed.failure, "bad");
    const none = await kit.call("processUnary", { groups: [] });
    assert.equal(none.noReply, true);
    assert.equal(none.reply, undefined);
  });

  it("streamed out: one answer per group", async () => {
    const stream = await kit.callStreamedOut("processStreamedOut", {
      groups: [{ steps: [reply("a")] }, { steps: [effect("e")] }, { steps: [reply("b")] }],
    });
    assert.deepEqual(
      stream.replies.map((r) => r.message),
      ["a", "b"],
    );
    assert.equal(stream.answers.length, 3);
    assert.equal(stream.answers[1]?.noReply, true);
    assert.equal(stream.answers[1]?.sideEffects[0]?.requestAs(two).id, "e");
  });

  it("streamed in: all requests fold into one answer", async () => {
    const answer = await kit.callStreamedIn("processStreamedIn", [
      { request: { groups: [{ steps: [reply("first")] }] } },
      { request: { groups: [{ steps: [effect("e2"), reply("last")] }] } },
    ]);
    assert.equal(answer.reply?.message, "last");
    assert.deepEqual(
      answer.sideEffects.map((e) => e.requestAs(two).id),
      ["e2"],
    );
  });

  it("streamed both ways: one answer per group of each request", async () => {
    const stream = await kit.callStreamed("processStreamed", [
      { request: { groups: [{ steps: [reply("x")] }] } },
      { request: { groups: [{ steps: [fail("y")] }] } },
    ]);
    assert.deepEqual(
      stream.answers.map((a) => a.reply?.message ?? a.failure),
      ["x", "y"],
    );
  });
});
