// The counter behind the real Cloudstate proxy (development mode: in-memory value store). Needs Java 17 and
// Maven, which resolve the proxy.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Long from "long";
import { CloudstateTestEnvironment } from "cloudstate-ts-devkit";
import { CounterDefinition } from "../../gen/counter/counter.js";
import { counter } from "../../src/counter.js";

describe("the counter behind the proxy", { timeout: 300_000 }, () => {
  let env: CloudstateTestEnvironment;
  before(async () => {
    env = await CloudstateTestEnvironment.start({ entities: [counter] });
  });
  after(async () => {
    await env.stop();
  });

  it("increases, reads and resets a counter", async () => {
    const counters = env.client(CounterDefinition);
    assert.equal((await counters.increase({ counterId: "c1", by: Long.fromNumber(2) })).value.toString(), "2");
    assert.equal((await counters.increase({ counterId: "c1", by: Long.fromNumber(3) })).value.toString(), "5");
    assert.equal((await counters.getValue({ counterId: "c1" })).value.toString(), "5");
    await counters.reset({ counterId: "c1" });
    assert.equal((await counters.getValue({ counterId: "c1" })).value.toString(), "0");
  });

  it("refuses to increase by zero, and the value stays", async () => {
    const counters = env.client(CounterDefinition);
    await counters.increase({ counterId: "c2", by: Long.fromNumber(1) });
    await assert.rejects(counters.increase({ counterId: "c2", by: Long.ZERO }), /it must be positive/);
    assert.equal((await counters.getValue({ counterId: "c2" })).value.toString(), "1");
  });

  it("keeps counters apart", async () => {
    const counters = env.client(CounterDefinition);
    await counters.increase({ counterId: "a", by: Long.fromNumber(7) });
    assert.equal((await counters.getValue({ counterId: "b" })).value.toString(), "0");
  });
});
