/** defineCrdtEntity checks its configuration: every rpc handled, no client streaming, a sane passivation timeout. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineCrdtEntity, GCounter, type CrdtCommand, type ServiceDefinition } from "../../../runtime/index.js";
import { CrdtTckModelDefinition } from "../../../examples/tck/gen/cloudstate/tck/model/crdt.js";

const methods = CrdtTckModelDefinition.methods;
const reply = (): CrdtCommand<GCounter>["handle"] => () => ({});
const commands = {
  Process: { method: methods.process, handle: reply() },
  ProcessStreamed: { method: methods.processStreamed, handle: reply() },
};
// Known only as a ServiceDefinition (as from JavaScript), so that the run-time checks are what refuses the mistakes
// below: with the generated definition's own type, each is a compile error.
const service: ServiceDefinition = CrdtTckModelDefinition;
const base = {
  service,
  descriptorSet: new Uint8Array(),
  initialState: () => new GCounter(),
};

describe("defineCrdtEntity", () => {
  it("serves unary and server-streamed rpcs, reported as CRDT entities", () => {
    const entity = defineCrdtEntity({ ...base, commands, passivationTimeoutMs: 100 });
    assert.deepEqual(
      [entity.entityType, entity.serviceName, entity.passivationTimeoutMs],
      ["cloudstate.crdt.Crdt", "cloudstate.tck.model.crdt.CrdtTckModel", 100],
    );
  });

  it("rejects a missing or unknown handler, a client-streamed rpc and a bad timeout", () => {
    assert.throws(
      () => defineCrdtEntity({ ...base, commands: { Process: commands.Process } }),
      /ProcessStreamed has no command handler/,
    );
    assert.throws(
      () => defineCrdtEntity({ ...base, commands: { ...commands, Other: commands.Process } }),
      /has no rpc Other/,
    );
    const clientStreamed: ServiceDefinition = {
      ...CrdtTckModelDefinition,
      methods: { ...methods, process: { ...methods.process, requestStream: true } },
    };
    assert.throws(
      () => defineCrdtEntity({ ...base, service: clientStreamed, commands }),
      /unary and server-streamed rpcs only/,
    );
    assert.throws(() => defineCrdtEntity({ ...base, commands, passivationTimeoutMs: 1.5 }), /whole number/);
  });
});
