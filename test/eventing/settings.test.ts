/** The proxy options for Pub/Sub eventing (runtime/testkit/eventing.ts): what the proxy is told, and bad input. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pubsubEventing } from "cloudstate-ts-devkit";

describe("pubsubEventing", () => {
  it("turns on google-pubsub eventing, plaintext, manual topics and no batching by default", () => {
    const options = pubsubEventing({ host: "127.0.0.1", port: 8085, projectId: "p" });
    assert.deepEqual(options.jvmOptions, [
      "-Dcloudstate.proxy.eventing.support=google-pubsub",
      "-Dcloudstate.proxy.eventing.google-pubsub.host=127.0.0.1",
      "-Dcloudstate.proxy.eventing.google-pubsub.port=8085",
      "-Dcloudstate.proxy.eventing.google-pubsub.rootCa=none",
      "-Dcloudstate.proxy.eventing.google-pubsub.callCredentials=none",
      "-Dcloudstate.proxy.eventing.google-pubsub.project-id=p",
      "-Dcloudstate.proxy.eventing.google-pubsub.manage-topics-and-subscriptions=manually",
      "-Dcloudstate.proxy.eventing.google-pubsub.downstream-batch-size=1",
      "-Dcloudstate.proxy.eventing.google-pubsub.downstream-batch-deadline=0s",
      "-Dcloudstate.proxy.eventing.google-pubsub.upstream-ack-deadline=10s",
    ]);
    assert.deepEqual(options.env, { PUBSUB_PROJECT_ID: "p" });
  });

  it("passes the chosen mode, batching and ack deadline on", () => {
    const options = pubsubEventing({
      host: "pubsub.local",
      port: 443,
      projectId: "q",
      manageTopicsAndSubscriptions: "by-proxy",
      downstreamBatchSize: 10,
      downstreamBatchDeadline: "5s",
      upstreamAckDeadline: "30s",
    });
    const settings = options.jvmOptions.filter((o) => /by-proxy|batch|ack-deadline/.test(o));
    assert.deepEqual(settings, [
      "-Dcloudstate.proxy.eventing.google-pubsub.manage-topics-and-subscriptions=by-proxy",
      "-Dcloudstate.proxy.eventing.google-pubsub.downstream-batch-size=10",
      "-Dcloudstate.proxy.eventing.google-pubsub.downstream-batch-deadline=5s",
      "-Dcloudstate.proxy.eventing.google-pubsub.upstream-ack-deadline=30s",
    ]);
  });

  it("refuses settings the proxy would refuse or misread, naming the setting", () => {
    const base = { host: "127.0.0.1", port: 8085, projectId: "p" };
    assert.throws(() => pubsubEventing({ ...base, host: "" }), /host must not be empty/);
    assert.throws(() => pubsubEventing({ ...base, port: 0 }), /port must be a TCP port/);
    assert.throws(() => pubsubEventing({ ...base, port: 70000 }), /port must be a TCP port/);
    assert.throws(() => pubsubEventing({ ...base, projectId: "" }), /projectId must not be empty/);
    assert.throws(() => pubsubEventing({ ...base, downstreamBatchSize: 0 }), /downstreamBatchSize must be an integer/);
  });
});
