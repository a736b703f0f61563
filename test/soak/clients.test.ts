import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClientError, Status } from "nice-grpc";
import { classify, idSequence } from "./clients.js";

const PATH = "/com.example.soak.Tallies/Record";

describe("the soak's classification of failed commands", () => {
  it("counts a call that never had a connection as refused: it cannot have landed", () => {
    const error = new ClientError(
      PATH,
      Status.UNAVAILABLE,
      "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:41573",
    );
    assert.deepEqual(classify(error, 10_000), {
      outcome: "refused",
      message: "UNAVAILABLE: no connection to the proxy",
      clear: true,
    });
  });

  it("counts a connection lost mid-call as in flight, with the port masked so one message counts once", () => {
    const error = new ClientError(PATH, Status.UNAVAILABLE, "read ECONNRESET from 127.0.0.1:41573");
    assert.deepEqual(classify(error, 10_000), {
      outcome: "in-flight",
      message: "UNAVAILABLE: read ECONNRESET from 127.0.0.1:PORT",
      clear: true,
    });
  });

  it("counts the proxy's failure answers as in flight, and one without a message as unclear", () => {
    assert.equal(classify(new ClientError(PATH, Status.UNKNOWN, "Value entity terminated"), 1).outcome, "in-flight");
    assert.equal(classify(new ClientError(PATH, Status.INTERNAL, ""), 1).clear, false);
  });

  it("says when the client's own deadline ran out", () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    assert.deepEqual(classify(timeout, 10_000), {
      outcome: "in-flight",
      message: "no answer within the client's deadline of 10000 ms",
      clear: true,
    });
  });

  it("calls anything else unexpected and unclear", () => {
    const failure = classify(new TypeError("boom"), 1);
    assert.equal(failure.clear, false);
    assert.match(failure.message, /^unexpected TypeError: boom$/);
  });
});

describe("the soak's request ids", () => {
  it("numbers each entity's commands on their own", () => {
    const next = idSequence();
    assert.deepEqual([next("a"), next("a"), next("b"), next("a")], ["r1", "r2", "r1", "r3"]);
  });
});
