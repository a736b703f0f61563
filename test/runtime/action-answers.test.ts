/**
 * Action protocol tests of the answers beyond a plain reply, over real gRPC: no reply, failure answers that keep a
 * stream going, forwards from streams, side effects made after a stream's last answer, failures that keep their
 * side effects, metadata both ways (per message for streamed-in calls), and rpcs that take `google.protobuf.Any`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActionCommand, ActionResponse } from "../../gen/cloudstate/action.js";
import type { Metadata as MetadataMessage } from "../../gen/cloudstate/entity.js";
import { Any } from "../../gen/google/protobuf/any.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import {
  defineAction,
  Metadata,
  methodOf,
  packJson,
  packMessage,
  unpackJson,
  unpackMessage,
  type ActionAnswer,
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

const SERVICE = "test.Answers";
const getCart = methodOf(ShoppingCartDefinition, "getCart");

const AnswersDefinition = {
  name: "Answers",
  fullName: SERVICE,
  methods: {
    one: { name: "One", requestType: GetShoppingCart, requestStream: false, responseType: Cart, responseStream: false },
    fold: {
      name: "Fold",
      requestType: GetShoppingCart,
      requestStream: true,
      responseType: Cart,
      responseStream: false,
    },
    many: {
      name: "Many",
      requestType: GetShoppingCart,
      requestStream: false,
      responseType: Cart,
      responseStream: true,
    },
    duplex: {
      name: "Duplex",
      requestType: GetShoppingCart,
      requestStream: true,
      responseType: Cart,
      responseStream: true,
    },
    raw: { name: "Raw", requestType: Any, requestStream: false, responseType: Cart, responseStream: false },
  },
} as const satisfies ServiceDefinition;

const line = (productId: string) => ({ items: [{ productId, name: "", quantity: 1 }] });
const user = (request: Message) => (request as GetShoppingCart).userId;

/**
 * One answer per word of a user id: `reply`, `none`, `forward`, `failure`, `effect` (a side effect, then no
 * reply), `meta` (a reply with metadata), `late` (a side effect and no answer at all).
 */
function answerTo(word: string, context: ActionContext): ActionAnswer<Cart> | undefined {
  switch (word) {
    case "none":
      return context.noReply();
    case "forward":
      return context.forward(getCart, { userId: "fwd" }, { metadata: { "X-Forwarded": "yes" } });
    case "failure":
      return context.failure("this one failed");
    case "effect":
      context.effect(getCart, { userId: "eff" }, { metadata: [{ key: "x-bin", value: new Uint8Array([1, 2]) }] });
      return context.noReply();
    case "meta":
      return context.reply(Cart.fromPartial(line("meta")), { metadata: new Metadata().add("X-Reply", "1") });
    case "late":
      context.effect(getCart, { userId: "late" });
      return undefined;
    default:
      return line(word);
  }
}

const answers = defineAction({
  service: AnswersDefinition,
  descriptorSet: new Uint8Array(),
  handlers: {
    One: {
      method: AnswersDefinition.methods.one,
      shape: "unary",
      handle(request, context) {
        const words = user(request).split(",");
        for (const word of words.slice(0, -1)) answerTo(word, context);
        const last = words.at(-1) ?? "";
        if (last === "fail") context.fail("failed on purpose");
        if (last === "throw") throw new Error("secret");
        if (last === "headers") {
          return line(
            [
              context.metadata.get("x-trace"),
              context.metadata.getAll("X-TRACE").length,
              context.metadata.cloudEvent.subject,
              context.metadata.cloudEvent.type,
              context.metadataOf(request) === context.metadata,
            ].join("|"),
          );
        }
        return answerTo(last, context) ?? context.noReply();
      },
    },
    Fold: {
      method: AnswersDefinition.methods.fold,
      shape: "client-streaming",
      async handle(requests, context) {
        const seen: string[] = [];
        for await (const request of requests) seen.push(`${user(request)}=${context.metadataOf(request).get("n")}`);
        return line(`${seen.join(",")};${context.metadata.get("n") ?? "-"}`);
      },
    },
    Many: {
      method: AnswersDefinition.methods.many,
      shape: "server-streaming",
      *handle(request, context) {
        for (const word of user(request).split(",")) {
          if (word === "stop") context.fail("stopped");
          const answer = answerTo(word, context);
          if (answer !== undefined) yield answer;
        }
      },
    },
    Duplex: {
      method: AnswersDefinition.methods.duplex,
      shape: "bidi-streaming",
      async *handle(requests, context) {
        for await (const request of requests) {
          const answer = answerTo(user(request), context);
          if (answer !== undefined) yield answer;
        }
      },
    },
    Raw: {
      method: AnswersDefinition.methods.raw,
      shape: "unary",
      handle(request) {
        return line(`${request.typeUrl} ${JSON.stringify(unpackJson(request).value)}`);
      },
    },
  },
});

function entries(metadata: Record<string, string>): DeepPartial<MetadataMessage> {
  return {
    entries: Object.entries(metadata).map(([key, value]) => ({ key, value: { $case: "stringValue", value } })),
  };
}

function command(name: string, userId?: string, metadata?: Record<string, string>): DeepPartial<ActionCommand> {
  return {
    serviceName: SERVICE,
    name,
    payload: userId === undefined ? undefined : packMessage(GetShoppingCart, { userId }),
    ...(metadata === undefined ? {} : { metadata: entries(metadata) }),
  };
}

async function* stream(...messages: DeepPartial<ActionCommand>[]): AsyncGenerator<DeepPartial<ActionCommand>> {
  for (const message of messages) yield await Promise.resolve(message);
}

async function all(responses: AsyncIterable<ActionResponse>): Promise<ActionResponse[]> {
  const out: ActionResponse[] = [];
  for await (const response of responses) out.push(response);
  return out;
}

/** A response in short: `reply:<product>`, `forward:<command>/<user>`, `failure:<text>` or `none`, then effects. */
function brief(response: ActionResponse): string {
  const effects = response.sideEffects.map((e) => unpackMessage(GetShoppingCart, e.payload).userId);
  const what = response.response;
  let head = "none";
  if (what?.$case === "reply") head = `reply:${unpackMessage(Cart, what.value.payload).items[0]?.productId}`;
  if (what?.$case === "forward") {
    head = `forward:${what.value.commandName}/${unpackMessage(GetShoppingCart, what.value.payload).userId}`;
  }
  if (what?.$case === "failure") head = `failure:${what.value.description}`;
  return effects.length === 0 ? head : `${head} +${effects.join("+")}`;
}

describe("action answers", () => {
  let harness: TestHarness;
  before(async () => {
    harness = await startHarness([answers], memoryLogger());
  });
  after(async () => harness.close());

  it("answers a unary call with no reply, keeping its side effects", async () => {
    assert.equal(brief(await harness.actions.handleUnary(command("One", "none"))), "none");
    assert.equal(brief(await harness.actions.handleUnary(command("One", "effect"))), "none +eff");
  });

  it("keeps the side effects of a call that fails itself, and drops those of one that throws", async () => {
    assert.equal(
      brief(await harness.actions.handleUnary(command("One", "effect,fail"))),
      "failure:failed on purpose +eff",
    );
    assert.equal(
      brief(await harness.actions.handleUnary(command("One", "effect,failure"))),
      "failure:this one failed +eff",
    );
    assert.equal(
      brief(await harness.actions.handleUnary(command("One", "effect,throw"))),
      "failure:Unexpected error while handling command One",
    );
  });

  it("sends metadata with replies, forwards and side effects", async () => {
    const reply = await harness.actions.handleUnary(command("One", "meta"));
    assert.equal(reply.response?.$case, "reply");
    const replyMetadata = reply.response?.$case === "reply" ? reply.response.value.metadata?.entries : undefined;
    assert.deepEqual(
      replyMetadata?.map((e) => [e.key, e.value?.value]),
      [["X-Reply", "1"]],
    );
    const forward = await harness.actions.handleUnary(command("One", "forward"));
    const forwardMetadata = forward.response?.$case === "forward" ? forward.response.value.metadata?.entries : [];
    assert.deepEqual(
      forwardMetadata?.map((e) => [e.key, e.value?.value]),
      [["X-Forwarded", "yes"]],
    );
    const effect = await harness.actions.handleUnary(command("One", "effect"));
    const bytes = effect.sideEffects[0]?.metadata?.entries[0];
    assert.equal(bytes?.key, "x-bin");
    assert.deepEqual(bytes?.value?.$case === "bytesValue" ? [...bytes.value.value] : [], [1, 2]);
    const plain = await harness.actions.handleUnary(command("One", "plain"));
    assert.equal(plain.response?.$case === "reply" ? plain.response.value.metadata : "not a reply", undefined);
  });

  it("reads incoming metadata without regard to case, with the CloudEvent attributes typed", async () => {
    const response = await harness.actions.handleUnary(
      command("One", "headers", { "X-Trace": "t1", "x-trace": "t2", "ce-subject": "cart-7", "Ce-Type": "ItemAdded" }),
    );
    assert.equal(brief(response), "reply:t1|2|cart-7|ItemAdded|true");
  });

  it("gives each message of a streamed-in call its own metadata", async () => {
    const response = await harness.actions.handleStreamedIn(
      stream(
        command("Fold", undefined, { n: "call" }),
        { payload: packMessage(GetShoppingCart, { userId: "a" }), metadata: entries({ N: "1" }) },
        { payload: packMessage(GetShoppingCart, { userId: "b" }) },
        { payload: packMessage(GetShoppingCart, { userId: "c" }), metadata: entries({ n: "3" }) },
      ),
    );
    assert.equal(brief(response), "reply:a=1,b=undefined,c=3;call");
  });

  it("streams out forwards, no replies and failure answers without ending the stream", async () => {
    const responses = await all(harness.actions.handleStreamedOut(command("Many", "a,forward,none,failure,effect,b")));
    assert.deepEqual(responses.map(brief), [
      "reply:a",
      "forward:GetCart/fwd",
      "none",
      "failure:this one failed",
      "none +eff",
      "reply:b",
    ]);
  });

  it("sends side effects made after a stream's last answer, and those before a failure that ends it", async () => {
    assert.deepEqual((await all(harness.actions.handleStreamedOut(command("Many", "a,late")))).map(brief), [
      "reply:a",
      "none +late",
    ]);
    assert.deepEqual((await all(harness.actions.handleStreamedOut(command("Many", "a,late,stop")))).map(brief), [
      "reply:a",
      "failure:stopped +late",
    ]);
  });

  it("forwards from a duplex stream, answer by answer", async () => {
    const responses = await all(
      harness.actions.handleStreamed(
        stream(
          command("Duplex"),
          { payload: packMessage(GetShoppingCart, { userId: "forward" }) },
          { payload: packMessage(GetShoppingCart, { userId: "x" }) },
          { payload: packMessage(GetShoppingCart, { userId: "late" }) },
        ),
      ),
    );
    assert.deepEqual(responses.map(brief), ["forward:GetCart/fwd", "reply:x", "none +late"]);
  });

  it("hands an rpc that takes google.protobuf.Any the payload as it came", async () => {
    const response = await harness.actions.handleUnary({
      serviceName: SERVICE,
      name: "Raw",
      payload: packJson("JsonEvent", { message: "hi" }),
    });
    assert.equal(brief(response), 'reply:json.cloudstate.io/JsonEvent {"message":"hi"}');
  });
});
