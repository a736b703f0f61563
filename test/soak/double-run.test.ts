/**
 * The soak's recognition of the 0.6.0 proxy's double run of a value entity command: only the dead letter of a
 * second reply from that entity counts, never one from another entity or a command to a dead actor.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { doubleRunReply } from "./faults.js";

/** The line the proxy logged in a failing short soak (1 December 2026), cut after the recipient. */
const SECOND_REPLY =
  "2026-12-01 13:59:54.432 INFO akka.remote.RemoteActorRefProvider$RemoteDeadLetterActorRef - Message " +
  "[io.cloudstate.proxy.entity.UserFunctionReply] from Actor[akka://cloudstate-proxy/system/sharding/soak-tallies/97/" +
  "few-tally-1/entity#-591664516] to Actor[akka://cloudstate-proxy/deadLetters] was not delivered. [1] dead letters " +
  "encountered.";

describe("the double-run reply pattern", () => {
  it("matches the second reply of the entity named, once per line", () => {
    assert.equal((SECOND_REPLY + "\n" + SECOND_REPLY).match(doubleRunReply("few-tally-1"))?.length, 2);
  });

  it("does not match another entity, a prefix of the name, or a command to a dead actor", () => {
    assert.equal(SECOND_REPLY.match(doubleRunReply("few-tally-0")), null);
    assert.equal(SECOND_REPLY.match(doubleRunReply("few-tally-")), null);
    const deadCommand = SECOND_REPLY.replace("entity.UserFunctionReply] from", "entity.EntityCommand] from");
    assert.equal(deadCommand.match(doubleRunReply("few-tally-1")), null);
  });
});
