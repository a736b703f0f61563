/**
 * The integration testkit itself, behind the real proxy: a discovery the proxy refuses fails at once with the
 * proxy's own line; `await using` stops everything; the released proxy's value-entity defect after a user-function
 * restart is pinned, and the fixes artifact is shown to cure it; the PostgreSQL flavour keeps state across a
 * `kill -9` of the proxy.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClientError, Status } from "nice-grpc";
import { ShoppingCartDefinition } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { shoppingCart, shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import { chatEntities } from "../../examples/crdts/src/chat.js";
import { ValueEntityTckModelDefinition } from "../../examples/tck/gen/cloudstate/tck/model/valueentity.js";
import { valueEntityTckModel } from "../../examples/tck/src/valueentity.js";
import { ARTIFACTS, classpathOf } from "../../devkit/launch/maven.js";
import {
  CloudstateTestEnvironment,
  DiscoveryRejectedError,
  freePort,
  retryUntil,
  startPostgres,
  type Postgres,
} from "cloudstate-ts-devkit";

const update = (value: string) => ({ action: { $case: "update" as const, value: { value } } });

/** Resolves with the next process warning of `type`. */
function nextWarning(type: string): Promise<Error> {
  return new Promise((resolve) => {
    const listener = (warning: Error): void => {
      if (warning.name !== type) return;
      process.off("warning", listener);
      resolve(warning);
    };
    process.on("warning", listener);
  });
}

describe("integration testkit", () => {
  it("says how to get the proxy when Maven cannot resolve it", () => {
    assert.throws(
      () => classpathOf([ARTIFACTS.proxy], "0.0.0-not-published"),
      /Maven could not resolve io\.cloudstate:cloudstate-proxy-core_2\.13:0\.0\.0-not-published[^]*Cloudstate never published its proxy[^]*CLOUDSTATE_PROXY_CLASSPATH/,
    );
  });

  it("fails at once, with the proxy's own error line, when the proxy refuses discovery", async () => {
    // The cart's service, described by another file's descriptor set: the proxy cannot find the service.
    const firstChat = chatEntities[0];
    assert.ok(firstChat !== undefined);
    const broken = { ...shoppingCart, descriptorSet: firstChat.descriptorSet };
    await assert.rejects(CloudstateTestEnvironment.start({ entities: [broken], timeoutMs: 120_000 }), (error) => {
      assert.ok(error instanceof DiscoveryRejectedError, String(error));
      assert.match(error.message, /Service \[com\.example\.shoppingcart\.ShoppingCart\] not found in descriptors!/);
      return true;
    });
  });

  it("stops the proxy and the user function at the end of an `await using` block", async () => {
    let proxyExited: Promise<number | null>;
    let port: number;
    {
      await using env = await CloudstateTestEnvironment.start({ entities: [shoppingCart] });
      port = env.proxyPort;
      proxyExited = env.proxy.process.exit();
      await env.client(ShoppingCartDefinition).addItem({ userId: "u", productId: "p", name: "P", quantity: 1 });
    }
    await proxyExited;
    // Nothing listens there any more: the port can be bound again.
    const { createServer } = await import("node:net");
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once("error", reject);
      server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
    });
  });

  it("keeps an event-sourced entity across a clean user-function restart", async () => {
    await using env = await CloudstateTestEnvironment.start({ entities: [shoppingCart] });
    const cart = env.client(ShoppingCartDefinition);
    await cart.addItem({ userId: "clean", productId: "fig", name: "Fig", quantity: 2 });
    await env.restartUserFunction();
    const items = await retryUntil(
      "GetCart after the restart",
      async () => (await cart.getCart({ userId: "clean" })).items.map((i) => [i.productId, i.quantity]),
      60_000,
    );
    assert.deepEqual(items, [["fig", 2]]);
  });

  it("bounds the first call to each entity after a restart, saying the proxy may have lost it", async () => {
    // The first GetCart of cart "held" after the restart is held in the user function until the client has given up
    // on it, as a command the proxy lost would be never answered. Another cart answering first must not lift the
    // bound: every entity's first command is at risk.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let hold = false;
    const slowCart = shoppingCartEntity({
      ...shoppingCartHandlers,
      getCart: async (command, context) => {
        if (hold && command.userId === "held") await held;
        return shoppingCartHandlers.getCart(command, context);
      },
    });
    await using env = await CloudstateTestEnvironment.start({
      entities: [slowCart],
      firstCallAfterRestartTimeoutMs: 2_000,
    });
    const cart = env.client(ShoppingCartDefinition);
    await cart.addItem({ userId: "held", productId: "fig", name: "Fig", quantity: 3 });
    await cart.addItem({ userId: "other", productId: "kiwi", name: "Kiwi", quantity: 1 });
    await env.restartUserFunction();
    hold = true;
    const other = await retryUntil(
      "GetCart of the other cart after the restart",
      async () => (await cart.getCart({ userId: "other" })).items.map((i) => [i.productId, i.quantity]),
      60_000,
    );
    assert.deepEqual(other, [["kiwi", 1]]);
    await assert.rejects(cart.getCart({ userId: "held" }), (error) => {
      assert.ok(error instanceof ClientError, String(error));
      assert.equal(error.code, Status.DEADLINE_EXCEEDED);
      assert.match(
        error.details,
        /^no answer within 2000 ms to the first command after a restart of the user function/,
      );
      assert.match(error.details, /proxy may have lost it[^]*send it again only if it is idempotent, or read first/);
      return true;
    });
    hold = false;
    release();
    const items = await retryUntil(
      "GetCart after the held one",
      async () => (await cart.getCart({ userId: "held" })).items.map((i) => [i.productId, i.quantity]),
      60_000,
    );
    assert.deepEqual(items, [["fig", 3]]);
  });

  describe("a value entity across a user-function restart", () => {
    it("after a clean restart on the released 0.6.0 proxy, answers with its state", async () => {
      // A clean stop closes the stream, which the released relay handles: no stuck entity, only the first-command
      // race every kind has (retried here, as docs/testing.md says).
      await using env = await CloudstateTestEnvironment.start({ entities: [valueEntityTckModel] });
      const model = env.client(ValueEntityTckModelDefinition);
      await model.process({ id: "clean", actions: [update("kept")] });
      await env.restartUserFunction();
      const answer = await retryUntil(
        "the value entity after the clean restart",
        () => model.process({ id: "clean", actions: [] }),
        60_000,
      );
      assert.equal(answer.message, "kept");
    });

    it("after a crash on the released 0.6.0 proxy, never answers again (the known defect), and the client says so", async () => {
      await using env = await CloudstateTestEnvironment.start({
        entities: [valueEntityTckModel],
        valueEntityDefectTimeoutMs: 6_000,
      });
      const model = env.client(ValueEntityTckModelDefinition);
      await model.process({ id: "zombie", actions: [update("before")] });
      const warned = nextWarning("CloudstateProxyDefect");
      await env.restartUserFunction({ crash: true });
      assert.match((await warned).message, /never answers again until the proxy restarts/);
      // If this starts answering, the released proxy changed: drop the workaround and this pin.
      await assert.rejects(model.process({ id: "zombie", actions: [] }), (error) => {
        assert.ok(error instanceof ClientError, String(error));
        // Silence until the deadline, or (seen now and then) the proxy resetting the connection.
        assert.ok([Status.DEADLINE_EXCEEDED, Status.UNAVAILABLE].includes(error.code), Status[error.code]);
        assert.match(error.details, /On the released Cloudstate 0\.6\.0 proxy, a value entity/);
        assert.match(error.details, /fixes: true/);
        return true;
      });
      // A clean restart afterwards does not cure it, and the client still names the defect, not the restart race.
      await env.restartUserFunction();
      await assert.rejects(model.process({ id: "zombie", actions: [] }), (error) => {
        assert.ok(error instanceof ClientError, String(error));
        assert.match(error.details, /On the released Cloudstate 0\.6\.0 proxy, a value entity/);
        assert.doesNotMatch(error.details, /may have lost it/);
        return true;
      });
    });

    it("after a crash with the fixes artifact (not upstream), answers right away with its state", async () => {
      await using env = await CloudstateTestEnvironment.start({ entities: [valueEntityTckModel], fixes: true });
      const model = env.client(ValueEntityTckModelDefinition);
      await model.process({ id: "fixed", actions: [update("kept")] });
      await env.restartUserFunction({ crash: true });
      const answer = await retryUntil(
        "the value entity after the crash",
        () => model.process({ id: "fixed", actions: [] }, { signal: AbortSignal.timeout(10_000) }),
        60_000,
      );
      assert.equal(answer.message, "kept");
    });
  });

  describe("the PostgreSQL flavour", () => {
    let postgres: Postgres;
    before(async () => {
      postgres = await startPostgres({ log: (line) => console.log(line) });
    });
    after(async () => {
      await postgres?.stop();
    });

    it("keeps an event-sourced entity across a kill -9 of the proxy", async () => {
      await using env = await CloudstateTestEnvironment.start({
        entities: [shoppingCart],
        flavour: "postgres",
        postgres: postgres.connection,
        port: await freePort(),
      });
      const cart = env.client(ShoppingCartDefinition);
      await cart.addItem({ userId: "pg", productId: "plum", name: "Plum", quantity: 3 });
      await env.restartProxy({ kill: true });
      const items = await retryUntil(
        "GetCart after the proxy restart",
        async () => (await cart.getCart({ userId: "pg" })).items.map((i) => [i.productId, i.quantity]),
        60_000,
      );
      assert.deepEqual(items, [["plum", 3]]);
      assert.match(postgres.query("SELECT count(*) FROM journal"), /^[1-9]/);
    });
  });
});
