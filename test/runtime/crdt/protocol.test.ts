/**
 * The CRDT stream over real gRPC, driven as the proxy would drive it, with the TCK's model entities: good input
 * (init with and without a value, deltas, streamed calls, cancellations, write consistency) and bad input (a delta
 * before init or of the wrong type, an unknown command, a streamed call on a unary rpc, a throwing handler).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Long from "long";
import type { CrdtDelta, CrdtStreamIn, CrdtStreamOut } from "../../../gen/cloudstate/crdt.js";
import { CrdtWriteConsistency } from "../../../gen/cloudstate/crdt.js";
import type { DeepPartial } from "../../../gen/typeRegistry.js";
import {
  CommandFailure,
  defineCrdtEntity,
  GCounter,
  packMessage,
  unpackMessage,
  type CrdtStreamedResult,
} from "../../../runtime/index.js";
import { packPrimitive } from "../../../runtime/any.js";
import { memoryLogger, startHarness, type TestHarness } from "../../support/harness.js";
import { crdtEntities } from "../../../examples/tck/src/crdt.js";
import {
  CrdtTckModelDefinition,
  Request,
  Response,
  StreamedRequest,
  type RequestAction,
} from "../../../examples/tck/gen/cloudstate/tck/model/crdt.js";

const SERVICE = "cloudstate.tck.model.crdt.CrdtTckModel";
type In = DeepPartial<CrdtStreamIn>;

type Delta = DeepPartial<CrdtDelta>;
const init = (entityId: string, value?: Delta): In => ({
  message: {
    $case: "init",
    value: { serviceName: SERVICE, entityId, ...(value === undefined ? {} : { delta: value }) },
  },
});
const delta = (value: Delta): In => ({ message: { $case: "delta", value } });
const gcounter = (n: number): Delta => ({ delta: { $case: "gcounter", value: { increment: n } } });
const increment = (n: number) => delta(gcounter(n));

function command(
  id: number,
  entityId: string,
  actions: DeepPartial<RequestAction>[] = [],
  options: { name?: string; streamed?: boolean; payload?: ReturnType<typeof packMessage> } = {},
): In {
  const name = options.name ?? "Process";
  const payload =
    options.payload ??
    (name === "ProcessStreamed"
      ? packMessage(StreamedRequest, StreamedRequest.fromPartial({ id: entityId }))
      : packMessage(Request, Request.fromPartial({ id: entityId, actions })));
  return {
    message: {
      $case: "command",
      value: { id: Long.fromNumber(id), entityId, name, payload, streamed: options.streamed ?? false },
    },
  };
}
const add = (n: number): DeepPartial<RequestAction> => ({
  action: { $case: "update", value: { update: { $case: "gcounter", value: { increment: n } } } },
});

function reply(out: CrdtStreamOut, id: number) {
  assert.equal(out.message?.$case, "reply", JSON.stringify(out));
  const value = out.message?.$case === "reply" ? out.message.value : undefined;
  assert.equal(value?.commandId.toNumber(), id);
  return value;
}

/** The GCounter value a reply carries. */
function counter(out: CrdtStreamOut, id: number): number {
  const action = reply(out, id).clientAction?.action;
  assert.equal(action?.$case, "reply", JSON.stringify(out));
  const state = unpackMessage(Response, action?.$case === "reply" ? action.value.payload : undefined).state?.value;
  assert.equal(state?.$case, "gcounter");
  return state?.$case === "gcounter" ? state.value.value.toNumber() : -1;
}

function sentIncrement(out: CrdtStreamOut): number | undefined {
  const action = out.message?.$case === "reply" ? out.message.value.stateAction?.action : undefined;
  if (action === undefined) return undefined;
  assert.equal(action.$case, "update");
  const d = action.$case === "update" ? action.value.delta : undefined;
  return d?.$case === "gcounter" ? d.value.increment.toNumber() : -1;
}

function failure(out: CrdtStreamOut, id: number): string {
  const value = reply(out, id);
  assert.equal(value.stateAction, undefined, "a failed command changes no state");
  const action = value.clientAction?.action;
  assert.equal(action?.$case, "failure");
  return action?.$case === "failure" ? action.value.description : "";
}

function streamFailure(out: CrdtStreamOut): string {
  assert.equal(out.message?.$case, "failure", JSON.stringify(out));
  return out.message?.$case === "failure" ? out.message.value.description : "";
}

const throwing = defineCrdtEntity({
  service: { ...CrdtTckModelDefinition, fullName: "test.Throwing" },
  descriptorSet: new Uint8Array(),
  initialState: () => new GCounter(),
  commands: {
    Process: {
      method: CrdtTckModelDefinition.methods.process,
      handle(request, context): CrdtStreamedResult<Response> {
        // For the mutating subscriber's test: report the value without changing it.
        if (request.id === "mutating") {
          return { state: { value: { $case: "gcounter", value: { value: context.state.value } } } };
        }
        context.state.increment(5);
        throw new Error("internal detail");
      },
    },
    ProcessStreamed: {
      method: CrdtTckModelDefinition.methods.processStreamed,
      handle(request, context) {
        if (request.id.startsWith("cancel-")) {
          // For the cancellation test: a callback that changes the CRDT, then refuses (or breaks).
          context.onCancel((cancelled) => {
            cancelled.state.increment(9);
            if (request.id === "cancel-refuses") throw new CommandFailure("nothing to undo");
            throw new Error("cancellation bug");
          });
          return undefined;
        }
        const mutates = request.id === "mutating";
        context.onChange((subscription) => {
          if (!mutates) throw new Error("subscriber bug");
          subscription.state.increment(100);
          return { state: { value: { $case: "gcounter", value: { value: subscription.state.value } } } };
        });
        return undefined;
      },
    },
  },
});

describe("CRDT entity protocol", () => {
  let harness: TestHarness;
  const logger = memoryLogger();
  before(async () => {
    harness = await startHarness([...crdtEntities, throwing], logger);
  });
  after(async () => harness.close());

  it("is reported at discovery as a CRDT entity, with its passivation timeout", async () => {
    const spec = await harness.discovery.discover({ supportedEntityTypes: ["cloudstate.crdt.Crdt"] });
    const configured = spec.entities.find((e) => e.serviceName.endsWith("CrdtConfigured"));
    assert.equal(configured?.entityType, "cloudstate.crdt.Crdt");
    const strategy = configured?.passivationStrategy?.strategy;
    assert.equal(strategy?.$case === "timeout" ? strategy.value.timeout.toNumber() : undefined, 100);
  });

  it("starts from the init's value, applies deltas, and sends its own changes with their write consistency", async () => {
    const stream = harness.openCrdt();
    stream.send(init("GCounter-a", gcounter(10)));
    stream.send(command(1, "GCounter-a"));
    const first = await stream.next();
    assert.equal(counter(first, 1), 10);
    assert.equal(sentIncrement(first), undefined, "the proxy's own value is not sent back");
    stream.send(increment(5));
    stream.send(
      command(2, "GCounter-a", [
        {
          action: {
            $case: "update",
            value: { update: { $case: "gcounter", value: { increment: 2 } }, writeConsistency: 2 },
          },
        },
      ]),
    );
    const second = await stream.next();
    assert.equal(counter(second, 2), 17);
    assert.equal(sentIncrement(second), 2);
    assert.equal(reply(second, 2).stateAction?.writeConsistency, CrdtWriteConsistency.ALL);
    stream.close();
    await stream.end();
  });

  it("ends the stream on a delta before init", async () => {
    const stream = harness.openCrdt();
    stream.send(increment(1));
    assert.match(streamFailure(await stream.next()), /delta arrived before init/);
    await stream.end();
  });

  it("ends the stream on a delta of another CRDT type, naming both", async () => {
    const stream = harness.openCrdt();
    stream.send(init("GCounter-b"));
    stream.send(
      delta({ delta: { $case: "orset", value: { added: [packPrimitive({ kind: "string", value: "x" })] } } }),
    );
    assert.match(streamFailure(await stream.next()), /orset delta cannot be applied to a GCounter/);
    await stream.end();
  });

  it("ends the stream on an init whose value is of another CRDT type, or an empty delta", async () => {
    const mistyped = harness.openCrdt();
    mistyped.send(init("ORSet-z", gcounter(3)));
    assert.match(
      streamFailure(await mistyped.next()),
      /Failed to initialise .*gcounter delta cannot be applied to an ORSet/,
    );
    await mistyped.end();
    const empty = harness.openCrdt();
    empty.send(init("Flag-z"));
    empty.send(delta({}));
    assert.match(streamFailure(await empty.next()), /a delta carried no CRDT delta/);
    await empty.end();
  });

  it("ends the stream on a delta whose elements are of the wrong type", async () => {
    const stream = harness.openCrdt();
    stream.send(init("GSet-c"));
    stream.send(delta({ delta: { $case: "gset", value: { added: [packPrimitive({ kind: "int32", value: 3 })] } } }));
    assert.match(streamFailure(await stream.next()), /expected a string value but got p.cloudstate.io\/int32/);
    await stream.end();
  });

  it("ends the stream on an init for an entity it does not serve, or a second init", async () => {
    const unknown = harness.openCrdt();
    unknown.send({ message: { $case: "init", value: { serviceName: "no.Such", entityId: "x" } } });
    assert.match(streamFailure(await unknown.next()), /no CRDT entity serves no.Such/);
    await unknown.end();
    const twice = harness.openCrdt();
    twice.send(init("GCounter-d"));
    twice.send(init("GCounter-d"));
    assert.match(streamFailure(await twice.next()), /second init/);
    await twice.end();
  });

  it("fails an unknown command, a streamed call of a unary rpc and a bad payload, and goes on", async () => {
    const stream = harness.openCrdt();
    stream.send(init("GCounter-e"));
    stream.send(command(1, "GCounter-e", [], { name: "Nope" }));
    assert.match(failure(await stream.next(), 1), /Unknown command Nope/);
    stream.send(command(2, "GCounter-e", [add(1)], { streamed: true }));
    assert.match(failure(await stream.next(), 2), /Process is not a streamed rpc/);
    stream.send(command(3, "GCounter-e", [], { payload: packPrimitive({ kind: "string", value: "x" }) }));
    assert.match(failure(await stream.next(), 3), /Bad request for Process/);
    stream.send(command(4, "GCounter-e", [add(1)]));
    assert.equal(counter(await stream.next(), 4), 1);
    stream.close();
    await stream.end();
  });

  it("keeps nothing of a failed command, and a handler's throw fails only that command", async () => {
    const stream = harness.openCrdt();
    stream.send(init("GCounter-f"));
    stream.send(command(1, "GCounter-f", [add(3), { action: { $case: "fail", value: { message: "no" } } }]));
    assert.equal(failure(await stream.next(), 1), "no");
    stream.send(command(2, "GCounter-f"));
    const out = await stream.next();
    assert.equal(counter(out, 2), 0);
    assert.equal(sentIncrement(out), undefined);
    stream.close();
    await stream.end();

    const thrown = harness.openCrdt();
    thrown.send({ message: { $case: "init", value: { serviceName: "test.Throwing", entityId: "t" } } });
    thrown.send(command(1, "t"));
    assert.equal(failure(await thrown.next(), 1), "Unexpected error while handling command Process");
    assert.ok(logger.lines.some((l) => l.level === "error" && /threw/.test(l.message)));
    thrown.close();
    await thrown.end();
  });

  it("streams changes from commands and deltas, ends the stream at the end state, and runs cancel callbacks", async () => {
    const stream = harness.openCrdt();
    stream.send(init("PNCounter-g"));
    const streamed = (id: number, request: DeepPartial<StreamedRequest>) =>
      command(id, "PNCounter-g", [], {
        name: "ProcessStreamed",
        streamed: true,
        payload: packMessage(StreamedRequest, StreamedRequest.fromPartial({ id: "PNCounter-g", ...request })),
      });
    stream.send(
      streamed(1, {
        endState: { value: { $case: "pncounter", value: { value: 7 } } },
        cancelUpdate: { update: { $case: "pncounter", value: { change: -100 } } },
      }),
    );
    assert.equal(reply(await stream.next(), 1).streamed, true);
    stream.send(streamed(2, { empty: true, cancelUpdate: { update: { $case: "pncounter", value: { change: 1 } } } }));
    const second = reply(await stream.next(), 2);
    assert.equal(second.streamed, true);
    assert.equal(second.clientAction, undefined, "an empty stream's call sends no first message");
    // Another node's change reaches the subscriber.
    stream.send(delta({ delta: { $case: "pncounter", value: { change: 3 } } }));
    const pushed = await stream.next();
    assert.equal(pushed.message?.$case, "streamedMessage");
    // The client of call 2 cancels: its callback's change goes to the proxy and to subscriber 1.
    stream.send({ message: { $case: "streamCancelled", value: { entityId: "PNCounter-g", id: Long.fromNumber(2) } } });
    const cancelled = await stream.next();
    assert.equal(cancelled.message?.$case, "streamCancelledResponse");
    const action =
      cancelled.message?.$case === "streamCancelledResponse" ? cancelled.message.value.stateAction : undefined;
    assert.equal(action?.action?.$case, "update");
    assert.equal((await stream.next()).message?.$case, "streamedMessage");
    // Reaching 7 ends stream 1.
    stream.send(delta({ delta: { $case: "pncounter", value: { change: 3 } } }));
    const last = await stream.next();
    assert.equal(last.message?.$case === "streamedMessage" ? last.message.value.endStream : undefined, true);
    // Ended streams hear nothing more; cancelling one that ended needs no callback.
    stream.send({ message: { $case: "streamCancelled", value: { entityId: "PNCounter-g", id: Long.fromNumber(1) } } });
    const late = await stream.next();
    assert.equal(late.message?.$case === "streamCancelledResponse" ? late.message.value.stateAction : "x", undefined);
    stream.close();
    await stream.end();
  });

  it("ends only the subscription whose subscriber throws", async () => {
    const stream = harness.openCrdt();
    stream.send({ message: { $case: "init", value: { serviceName: "test.Throwing", entityId: "s" } } });
    stream.send(
      command(1, "s", [], {
        name: "ProcessStreamed",
        streamed: true,
        payload: packMessage(StreamedRequest, StreamedRequest.fromPartial({ id: "s" })),
      }),
    );
    assert.equal(reply(await stream.next(), 1).streamed, true);
    stream.send(increment(1));
    const out = await stream.next();
    const action = out.message?.$case === "streamedMessage" ? out.message.value.clientAction?.action : undefined;
    assert.equal(action?.$case, "failure");
    stream.send(increment(1));
    stream.send(command(2, "s", [], { name: "Nope" }));
    assert.match(failure(await stream.next(), 2), /Unknown command/, "no second message for the failed subscription");
    stream.close();
    await stream.end();
  });

  it("fails a subscriber that changes the CRDT, and undoes its change", async () => {
    const stream = harness.openCrdt();
    stream.send({ message: { $case: "init", value: { serviceName: "test.Throwing", entityId: "mutating" } } });
    const payload = packMessage(StreamedRequest, StreamedRequest.fromPartial({ id: "mutating" }));
    stream.send(command(1, "mutating", [], { name: "ProcessStreamed", streamed: true, payload }));
    assert.equal(reply(await stream.next(), 1).streamed, true);
    stream.send(increment(1));
    const out = await stream.next();
    const action = out.message?.$case === "streamedMessage" ? out.message.value.clientAction?.action : undefined;
    assert.equal(action?.$case, "failure");
    assert.match(action?.$case === "failure" ? action.value.description : "", /Unexpected error/);
    // The entity's value is the delta's alone, and the subscriber's change is not sent with the next reply.
    stream.send(command(2, "mutating"));
    const next = await stream.next();
    assert.equal(counter(next, 2), 1);
    assert.equal(sentIncrement(next), undefined);
    stream.close();
    await stream.end();
  });

  for (const [id, logged] of [
    ["cancel-refuses", "info"],
    ["cancel-bug", "error"],
  ] as const) {
    it(`undoes a cancellation callback that throws (${id}); only a bug is logged as an error`, async () => {
      const stream = harness.openCrdt();
      stream.send({ message: { $case: "init", value: { serviceName: "test.Throwing", entityId: id } } });
      const payload = packMessage(StreamedRequest, StreamedRequest.fromPartial({ id }));
      stream.send(command(1, id, [], { name: "ProcessStreamed", streamed: true, payload }));
      assert.equal(reply(await stream.next(), 1).streamed, true);
      stream.send({ message: { $case: "streamCancelled", value: { entityId: id, id: Long.fromNumber(1) } } });
      const cancelled = await stream.next();
      assert.equal(cancelled.message?.$case, "streamCancelledResponse");
      const response = cancelled.message?.$case === "streamCancelledResponse" ? cancelled.message.value : undefined;
      assert.equal(response?.stateAction, undefined, "the callback's change is undone");
      const about = logger.lines.filter((l) => l.message.includes(`test.Throwing/${id}`));
      assert.deepEqual(
        about.map((l) => l.level),
        [logged],
      );
      if (logged === "info") assert.match(about[0]?.message ?? "", /failed: nothing to undo/);
      // Nothing of the callback's change slips out with a later reply.
      stream.send(command(2, id, [], { payload: packMessage(Request, Request.fromPartial({ id: "mutating" })) }));
      const next = await stream.next();
      assert.equal(counter(next, 2), 0);
      assert.equal(sentIncrement(next), undefined);
      stream.close();
      await stream.end();
    });
  }

  it("sends a delete, and refuses commands after the proxy deletes the entity", async () => {
    const stream = harness.openCrdt();
    stream.send(init("Flag-h"));
    stream.send(command(1, "Flag-h", [{ action: { $case: "delete", value: {} } }]));
    assert.equal(reply(await stream.next(), 1).stateAction?.action?.$case, "delete");
    stream.close();
    await stream.end();
    const deleted = harness.openCrdt();
    deleted.send(init("Flag-i"));
    deleted.send({ message: { $case: "delete", value: {} } });
    deleted.send(command(1, "Flag-i"));
    assert.match(failure(await deleted.next(), 1), /was deleted/);
    deleted.close();
    await deleted.end();
  });
});
