/**
 * Action protocol tests over real gRPC: one handler per streaming shape, called through ActionProtocol as the
 * proxy calls it (the first message of a streamed-in call names the command and carries no payload).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActionCommand, ActionResponse } from "../../gen/cloudstate/action.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import {
  defineAction,
  methodOf,
  packMessage,
  unpackMessage,
  type ActionContext,
  type Message,
  type ServiceDefinition,
} from "../../runtime/index.js";
import { memoryLogger, startHarness, type TestHarness } from "../support/harness.js";
import {
  Cart,
  GetShoppingCart,
  ShoppingCartDefinition,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";

const SERVICE = "test.Carts";

/** A service definition of the ts-proto shape with one rpc per streaming shape. */
const CartsDefinition = {
  name: "Carts",
  fullName: SERVICE,
  methods: {
    get: { name: "Get", requestType: GetShoppingCart, requestStream: false, responseType: Cart, responseStream: false },
    collect: {
      name: "Collect",
      requestType: GetShoppingCart,
      requestStream: true,
      responseType: Cart,
      responseStream: false,
    },
    spread: {
      name: "Spread",
      requestType: GetShoppingCart,
      requestStream: false,
      responseType: Cart,
      responseStream: true,
    },
    echo: { name: "Echo", requestType: GetShoppingCart, requestStream: true, responseType: Cart, responseStream: true },
  },
} as const satisfies ServiceDefinition;

const item = (productId: string) => ({ productId, name: productId, quantity: 1 });
const user = (request: Message) => (request as GetShoppingCart).userId;

const carts = defineAction({
  service: CartsDefinition,
  descriptorSet: new Uint8Array(),
  handlers: {
    Get: {
      method: CartsDefinition.methods.get,
      shape: "unary",
      handle(request, context: ActionContext) {
        const userId = user(request);
        if (userId === "fail") context.fail("no cart for fail");
        if (userId === "throw") throw new Error("secret");
        if (userId === "forward") return context.forward(methodOf(ShoppingCartDefinition, "getCart"), { userId });
        context.effect(methodOf(ShoppingCartDefinition, "getCart"), { userId }, { synchronous: true });
        return { items: [item(userId)] };
      },
    },
    Collect: {
      method: CartsDefinition.methods.collect,
      shape: "client-streaming",
      async handle(requests) {
        const items = [];
        for await (const request of requests) items.push(item(user(request)));
        return { items };
      },
    },
    Spread: {
      method: CartsDefinition.methods.spread,
      shape: "server-streaming",
      *handle(request, context) {
        for (const productId of user(request).split(",")) {
          if (productId === "fail") context.fail("stopped at fail");
          yield { items: [item(productId)] };
        }
      },
    },
    Echo: {
      method: CartsDefinition.methods.echo,
      shape: "bidi-streaming",
      async *handle(requests) {
        for await (const request of requests) yield { items: [item(user(request))] };
      },
    },
  },
});

function command(name: string, userId?: string): DeepPartial<ActionCommand> {
  return {
    serviceName: SERVICE,
    name,
    payload: userId === undefined ? undefined : packMessage(GetShoppingCart, { userId }),
  };
}

function payload(userId: string): DeepPartial<ActionCommand> {
  return { payload: packMessage(GetShoppingCart, { userId }) };
}

function replied(response: ActionResponse): string[] {
  assert.equal(response.response?.$case, "reply", JSON.stringify(response));
  const value = response.response?.$case === "reply" ? response.response.value.payload : undefined;
  return unpackMessage(Cart, value).items.map((i) => i.productId);
}

function failed(response: ActionResponse): string {
  assert.equal(response.response?.$case, "failure", JSON.stringify(response));
  return response.response?.$case === "failure" ? response.response.value.description : "";
}

async function* stream(...messages: DeepPartial<ActionCommand>[]): AsyncGenerator<DeepPartial<ActionCommand>> {
  for (const message of messages) yield await Promise.resolve(message);
}

async function all(responses: AsyncIterable<ActionResponse>): Promise<ActionResponse[]> {
  const out: ActionResponse[] = [];
  for await (const response of responses) out.push(response);
  return out;
}

describe("action protocol", () => {
  let harness: TestHarness;
  before(async () => {
    harness = await startHarness([carts], memoryLogger());
  });
  after(async () => harness.close());

  it("is reported at discovery as an action", async () => {
    const spec = await harness.discovery.discover({ supportedEntityTypes: ["cloudstate.action.ActionProtocol"] });
    assert.deepEqual(
      spec.entities.map((e) => [e.entityType, e.serviceName, e.persistenceId]),
      [["cloudstate.action.ActionProtocol", SERVICE, ""]],
    );
  });

  it("answers a unary call with a reply and its side effects, a forward, or a failure", async () => {
    const reply = await harness.actions.handleUnary(command("Get", "u1"));
    assert.deepEqual(replied(reply), ["u1"]);
    assert.deepEqual(
      reply.sideEffects.map((e) => [e.serviceName, e.commandName, e.synchronous]),
      [["com.example.shoppingcart.ShoppingCart", "GetCart", true]],
    );
    const forward = await harness.actions.handleUnary(command("Get", "forward"));
    assert.equal(forward.response?.$case, "forward");
    assert.equal(failed(await harness.actions.handleUnary(command("Get", "fail"))), "no cart for fail");
    assert.equal(
      failed(await harness.actions.handleUnary(command("Get", "throw"))),
      "Unexpected error while handling command Get",
    );
  });

  it("rejects unknown services and commands, wrong shapes and bad payloads", async () => {
    assert.equal(
      failed(await harness.actions.handleUnary({ serviceName: "no.Such", name: "Get" })),
      "Unknown service: no.Such",
    );
    assert.equal(failed(await harness.actions.handleUnary(command("Nope", "x"))), `Unknown command Nope on ${SERVICE}`);
    assert.equal(
      failed(await harness.actions.handleUnary(command("Spread", "x"))),
      `${SERVICE}.Spread is server-streaming, but was called unary`,
    );
    assert.match(
      failed(await harness.actions.handleUnary({ ...command("Get"), payload: packMessage(Cart, { items: [] }) })),
      /expected a com\.example\.shoppingcart\.GetShoppingCart payload/,
    );
  });

  it("collects a streamed-in call into one reply", async () => {
    assert.deepEqual(
      replied(
        await harness.actions.handleStreamedIn(stream(command("Collect"), payload("a"), payload("b"), payload("c"))),
      ),
      ["a", "b", "c"],
    );
    assert.deepEqual(replied(await harness.actions.handleStreamedIn(stream(command("Collect")))), []);
    assert.match(failed(await harness.actions.handleStreamedIn(stream())), /stream was empty/);
    const bad = await harness.actions.handleStreamedIn(
      stream(command("Collect"), payload("a"), { payload: packMessage(Cart, { items: [] }) }),
    );
    assert.match(
      failed(bad),
      /^Bad request for Collect: expected a com\.example\.shoppingcart\.GetShoppingCart payload/,
    );
  });

  it("streams replies out, ending with a failure when the handler fails", async () => {
    const ok = await all(harness.actions.handleStreamedOut(command("Spread", "a,b,c")));
    assert.deepEqual(ok.map(replied), [["a"], ["b"], ["c"]]);
    const stopped = await all(harness.actions.handleStreamedOut(command("Spread", "a,fail,c")));
    assert.equal(stopped.length, 2);
    assert.deepEqual(replied(stopped[0] as ActionResponse), ["a"]);
    assert.equal(failed(stopped[1] as ActionResponse), "stopped at fail");
  });

  it("answers a duplex stream message by message", async () => {
    const echoed = await all(harness.actions.handleStreamed(stream(command("Echo"), payload("x"), payload("y"))));
    assert.deepEqual(echoed.map(replied), [["x"], ["y"]]);
    const unknown = await all(harness.actions.handleStreamed(stream({ serviceName: SERVICE, name: "Nope" })));
    assert.deepEqual(unknown.map(failed), [`Unknown command Nope on ${SERVICE}`]);
  });

  it("refuses a handler of the wrong shape when defined", () => {
    const erasedCarts: ServiceDefinition = CartsDefinition;
    assert.throws(
      () =>
        defineAction({
          // Known only as a ServiceDefinition (as from JavaScript): with its own type, the mistake is a compile error.
          service: erasedCarts,
          descriptorSet: new Uint8Array(),
          handlers: {
            ...carts.config.handlers,
            Get: { method: CartsDefinition.methods.get, shape: "server-streaming", handle: () => [] },
          },
        }),
      /test\.Carts\.Get is unary, but its handler is server-streaming/,
    );
  });
});
