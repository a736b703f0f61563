// Unit tests of the greeter on the unit testkit: unary and streamed calls through the real runtime in memory.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActionTestKit } from "cloudstate-ts/testkit";
import { greeter } from "../../src/greeter.js";

describe("the greeter (unit testkit)", () => {
  const kit = ActionTestKit.create(greeter);

  it("greets by name", async () => {
    assert.equal((await kit.call("greet", { name: "Ada" })).reply?.message, "Hello, Ada!");
  });

  it("answers a failure for an empty name", async () => {
    const answer = await kit.call("greet", { name: "" });
    assert.equal(answer.failure, "A greeting needs a name");
    assert.equal(answer.reply, undefined);
  });

  it("greets each name of a stream, in order", async () => {
    const streamed = await kit.callStreamed("greetEach", [{ request: { name: "Ada" } }, { request: { name: "Alan" } }]);
    assert.deepEqual(
      streamed.replies.map((greeting) => greeting.message),
      ["Hello, Ada!", "Hello, Alan!"],
    );
  });
});
