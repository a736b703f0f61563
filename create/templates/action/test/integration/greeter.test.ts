// The greeter behind the real Cloudstate proxy. Needs Java 17 and Maven, which resolve the proxy.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CloudstateTestEnvironment } from "cloudstate-ts-devkit";
import { GreeterDefinition } from "../../gen/greeter/greeter.js";
import { greeter } from "../../src/greeter.js";

describe("the greeter behind the proxy", { timeout: 300_000 }, () => {
  let env: CloudstateTestEnvironment;
  before(async () => {
    env = await CloudstateTestEnvironment.start({ entities: [greeter] });
  });
  after(async () => {
    await env.stop();
  });

  it("greets", async () => {
    assert.equal((await env.client(GreeterDefinition).greet({ name: "Ada" })).message, "Hello, Ada!");
  });

  it("answers a failure for an empty name", async () => {
    await assert.rejects(env.client(GreeterDefinition).greet({ name: " " }), /A greeting needs a name/);
  });

  it("greets each name of a stream", async () => {
    async function* names() {
      yield { name: "Ada" };
      yield { name: "Alan" };
    }
    const greetings: string[] = [];
    for await (const greeting of env.client(GreeterDefinition).greetEach(names())) greetings.push(greeting.message);
    assert.deepEqual(greetings, ["Hello, Ada!", "Hello, Alan!"]);
  });
});
