/**
 * ActionTestKit on what the TCK model does not do: side effects made after a stream's last reply (sent in an
 * answer of their own), reply metadata, and a handler that throws (a generic failure for the client, the detail
 * in the log).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { methodOf } from "cloudstate-ts";
import { ActionTestKit } from "cloudstate-ts/testkit";
import { ActionTwoDefinition } from "../../examples/tck/gen/cloudstate/tck/model/action.js";
import { actionTckModelAction } from "../../examples/tck/gen/cloudstate/tck/model/action_cloudstate.js";

const two = methodOf(ActionTwoDefinition, "call");

const action = actionTckModelAction({
  processUnary: (_request, context) => context.reply({ message: "with headers" }, { metadata: { "x-answer": "42" } }),
  processStreamedIn: () => {
    throw new Error("a bug in the handler");
  },
  async *processStreamedOut(_request, context) {
    yield { message: "only reply" };
    context.effect(two, { id: "after the last reply" });
    await Promise.resolve();
  },
  processStreamed: (_requests, context) => [context.failure("refused")],
});

describe("ActionTestKit", () => {
  const kit = ActionTestKit.create(action);

  it("sends side effects made after the last streamed reply in an answer of their own", async () => {
    const stream = await kit.callStreamedOut("processStreamedOut", {});
    assert.deepEqual(
      stream.replies.map((r) => r.message),
      ["only reply"],
    );
    assert.equal(stream.answers.length, 2);
    assert.equal(stream.answers[1]?.noReply, true);
    assert.equal(stream.answers[1]?.sideEffects[0]?.requestAs(two).id, "after the last reply");
  });

  it("returns the reply's metadata", async () => {
    const answer = await kit.call("processUnary", {});
    assert.equal(answer.reply?.message, "with headers");
    assert.equal(answer.replyMetadata?.get("x-answer"), "42");
  });

  it("a throwing handler fails the call with a generic message; the log has the error", async () => {
    const answer = await kit.callStreamedIn("processStreamedIn", [{ request: {} }]);
    assert.equal(answer.failure, "Unexpected error while handling command ProcessStreamedIn");
    assert.ok(kit.log.some((line) => line.level === "error" && String(line.detail).includes("a bug in the handler")));
  });

  it("a failure answered in a stream", async () => {
    const stream = await kit.callStreamed("processStreamed", []);
    assert.deepEqual(
      stream.answers.map((a) => a.failure),
      ["refused"],
    );
  });
});
