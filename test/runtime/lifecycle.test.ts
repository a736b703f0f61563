/**
 * Server lifecycle under load and faults: shutdown finishes in-flight commands and refuses new work, a handler
 * that never returns blocks only its own entity, many concurrent entity streams are all served, and the example
 * process stops cleanly on SIGTERM.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createChannel, createClient } from "nice-grpc";
import { shoppingCart, shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import { EntityDiscoveryDefinition } from "../../gen/cloudstate/entity.js";
import { memoryLogger, startHarness } from "../support/harness.js";
import { freePort, startProcess } from "cloudstate-ts-devkit";
import { addItem, getCart, init } from "../support/cart-messages.js";
import { events, expectReply, replyCart } from "../support/expect.js";
import { ROOT } from "../tools/plugin-cases.js";

/**
 * A cart whose AddItem for product "slow" waits for `release` (and `entered` resolves once it is waiting), and for
 * "hang" never returns.
 */
function gatedCart() {
  let release: () => void = () => undefined;
  let enter: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const entity = shoppingCartEntity({
    ...shoppingCartHandlers,
    async addItem(command, context) {
      if (command.productId === "hang") await new Promise<never>(() => undefined);
      if (command.productId === "slow") {
        enter();
        await gate;
      }
      return shoppingCartHandlers.addItem(command, context);
    },
  });
  return { entity, entered, release: () => release() };
}

describe("lifecycle", () => {
  it("shutdown answers the command in flight, ends the stream, and refuses new calls", async () => {
    const { entity, entered, release } = gatedCart();
    const harness = await startHarness([entity], memoryLogger());
    const stream = harness.openEventSourced();
    stream.send(init("s1"));
    stream.send(addItem(1, "s1", "slow", 1));
    await entered;
    // close() starts draining before it returns: the command in flight is now one that arrived before shutdown.
    const shutdown = harness.close();
    release();
    assert.deepEqual(events(expectReply(await stream.next(), 1)), ["+slow:1"]);
    await stream.end();
    await shutdown;
    const channel = createChannel(`127.0.0.1:${harness.port}`);
    await assert.rejects(
      createClient(EntityDiscoveryDefinition, channel).discover({}, { signal: AbortSignal.timeout(2000) }),
    );
    channel.close();
  });

  it("a handler that never returns blocks only its own entity, and shutdown still completes", async () => {
    const { entity } = gatedCart();
    const harness = await startHarness([entity], memoryLogger());
    const stuck = harness.openEventSourced();
    stuck.send(init("stuck"));
    stuck.send(addItem(1, "stuck", "hang", 1));
    const other = harness.openEventSourced();
    other.send(init("other"));
    for (let id = 1; id <= 20; id++) {
      other.send(addItem(id, "other", "apple", 1));
      expectReply(await other.next(), id);
    }
    other.send(getCart(21, "other"));
    assert.deepEqual(replyCart(await other.next(), 21), [["apple", 20]]);
    const started = Date.now();
    await harness.close(); // grace of 1 s in the harness, then the stuck call is cancelled
    assert.ok(Date.now() - started < 5000);
  });

  it("serves 500 entity streams with 10 commands each, all at once", async () => {
    const harness = await startHarness([shoppingCart], memoryLogger());
    const streams = Array.from({ length: 500 }, (_, i) => {
      const stream = harness.openEventSourced();
      stream.send(init(`load-${i}`));
      return stream;
    });
    await Promise.all(
      streams.map(async (stream, i) => {
        for (let id = 1; id <= 10; id++) stream.send(addItem(id, `load-${i}`, `p${id % 3}`, 1));
        for (let id = 1; id <= 10; id++) expectReply(await stream.next(10_000), id);
        stream.send(getCart(11, `load-${i}`));
        assert.deepEqual(replyCart(await stream.next(10_000), 11), [
          ["p1", 4],
          ["p2", 3],
          ["p0", 3],
        ]);
        stream.close();
      }),
    );
    await harness.close();
  });

  it("the example stops with exit code 0 on SIGTERM", async () => {
    const port = await freePort();
    const fn = startProcess(
      "shopping cart",
      "node",
      ["--import", "tsx", join(ROOT, "examples/shopping-cart/src/main.ts")],
      {
        HOST: "127.0.0.1",
        PORT: String(port),
      },
    );
    await fn.waitFor(/user function listening on 127\.0\.0\.1:\d+/, 30_000);
    fn.child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => fn.child.once("exit", resolve));
    assert.equal(code, 0);
    assert.match(fn.output, /SIGTERM received; shutting down/);
  });

  /** A user function whose `serve` has the `onShutdown` given (source text), started and sent SIGTERM. */
  async function stoppedWith(
    onShutdown: string,
    signals: readonly NodeJS.Signals[] = ["SIGTERM"],
  ): Promise<{ code: number | null; output: string }> {
    const script = `
      import { serve } from ${JSON.stringify(join(ROOT, "runtime/index.ts"))};
      import { shoppingCart } from ${JSON.stringify(join(ROOT, "examples/shopping-cart/src/cart.js"))};
      await serve({ entities: [shoppingCart], serviceName: "cart", onShutdownMs: 300, onShutdown: ${onShutdown} });`;
    const fn = startProcess("serve", "node", ["--import", "tsx", "--input-type=module", "-e", script], {
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
    });
    await fn.waitFor(/user function listening on 127\.0\.0\.1:\d+/, 30_000);
    for (const signal of signals) fn.child.kill(signal);
    return { code: await fn.exit(), output: fn.output };
  }

  it("runs onShutdown after the drain, before exiting; one that fails or hangs is logged and exits all the same", async () => {
    const ran = await stoppedWith(`async () => console.log("onShutdown ran")`);
    assert.equal(ran.code, 0);
    assert.match(ran.output, /SIGTERM received; shutting down[\s\S]*onShutdown ran/);

    const failed = await stoppedWith(`async () => { throw new Error("exporter gone"); }`);
    assert.equal(failed.code, 0);
    assert.match(failed.output, /onShutdown failed; exiting all the same/);
    assert.match(failed.output, /exporter gone/);

    // Ctrl-C, then a supervisor's SIGTERM while the first shutdown runs: one shutdown, one onShutdown.
    const twice = await stoppedWith(
      `async () => { console.log("onShutdown ran"); await new Promise((r) => setTimeout(r, 200)); }`,
      ["SIGINT", "SIGTERM"],
    );
    assert.equal(twice.code, 0);
    assert.equal(twice.output.match(/onShutdown ran/g)?.length, 1, twice.output);
    assert.match(twice.output, /SIGTERM received; already shutting down/);

    const hung = await stoppedWith(`() => new Promise(() => undefined)`);
    assert.equal(hung.code, 0);
    assert.match(hung.output, /onShutdown did not finish within 300 ms; exiting all the same/);
  });
});
