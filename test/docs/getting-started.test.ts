/**
 * Runs docs/getting-started.md: writes every `file=` block, runs every `sh` block in order in a fresh folder,
 * starts the `background` block, and checks that the resulting user function serves its entity.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import Long from "long";
import { createChannel, createClient } from "nice-grpc";
import { EntityDiscoveryDefinition } from "../../gen/cloudstate/entity.js";
import { EventSourcedDefinition, type EventSourcedStreamIn } from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import { RequestQueue, ResponseReader } from "../../runtime/testing/index.js";
import { freePort, start, type Started } from "../e2e/processes.js";
import { ROOT } from "../tools/plugin-cases.js";

interface Block {
  readonly lang: string;
  readonly attributes: Map<string, string>;
  readonly body: string;
}

function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\S+)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? "",
    attributes: new Map(
      [...(m[2] ?? "").matchAll(/(\w[\w-]*)=(\S+)/g)].map((a) => [a[1] ?? "", a[2] ?? ""] as [string, string]),
    ),
    body: m[3] ?? "",
  }));
}

/** The environment of a new user's shell: no npm settings inherited from the npm run that started this test. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith("npm_")) env[key] = value;
  return { ...env, CLOUDSTATE_TS: ROOT };
}

describe("docs/getting-started.md", () => {
  const base = join(ROOT, ".cache/getting-started");
  const project = join(base, "counter");
  let server: Started | undefined;
  after(async () => server?.stop());

  it("runs from an empty folder to a user function serving the counter", { timeout: 600_000 }, async () => {
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    const all = blocks(readFileSync(join(ROOT, "docs/getting-started.md"), "utf8"));
    assert.ok(all.length >= 10, "the page's blocks were found");
    let cwd = base;
    let port = 0;
    for (const block of all) {
      const file = block.attributes.get("file");
      if (file !== undefined) {
        mkdirSync(dirname(join(cwd, file)), { recursive: true });
        writeFileSync(join(cwd, file), block.body);
        continue;
      }
      if (block.lang !== "sh") continue;
      const background = block.attributes.get("background");
      if (background !== undefined) {
        port = await freePort();
        const command = block.body.trim().replace("PORT=8080", `PORT=${port}`);
        server = start("counter", "bash", ["-c", command], userEnv(), { cwd });
        await server.waitFor(/user function listening/, 60_000);
        continue;
      }
      const run = spawnSync("bash", ["-euo", "pipefail", "-c", block.body], { cwd, env: userEnv(), encoding: "utf8" });
      assert.equal(run.status, 0, `\`${block.body.trim()}\` failed:\n${run.stdout}\n${run.stderr}`);
      if (cwd === base) cwd = project; // the first block makes the project folder and enters it
    }
    assert.ok(server !== undefined && port !== 0, "the page starts the user function");

    const channel = createChannel(`127.0.0.1:${port}`);
    try {
      const spec = await createClient(EntityDiscoveryDefinition, channel).discover({
        protocolMajorVersion: 0,
        protocolMinorVersion: 2,
        proxyName: "docs-test",
        proxyVersion: "0",
        supportedEntityTypes: ["cloudstate.eventsourced.EventSourced"],
      });
      assert.deepEqual(
        spec.entities.map((e) => [e.serviceName, e.persistenceId]),
        [["counter.Counter", "Counter"]],
      );
      const requests = new RequestQueue<DeepPartial<EventSourcedStreamIn>>();
      const responses = new ResponseReader(createClient(EventSourcedDefinition, channel).handle(requests));
      const command = (
        id: number,
        name: string,
        typeName: string,
        value: Uint8Array,
      ): DeepPartial<EventSourcedStreamIn> => ({
        message: {
          $case: "command",
          value: {
            id: Long.fromNumber(id),
            entityId: "c1",
            name,
            payload: { typeUrl: `type.googleapis.com/${typeName}`, value: Buffer.from(value) },
          },
        },
      });
      requests.push({ message: { $case: "init", value: { serviceName: "counter.Counter", entityId: "c1" } } });
      // Increase { counter_id: "c1", by: 2 } and GetValue { counter_id: "c1" }, encoded by hand.
      const increase = Uint8Array.from([0x0a, 0x02, 0x63, 0x31, 0x10, 0x02]);
      requests.push(command(1, "Increase", "counter.IncreaseRequest", increase));
      requests.push(command(2, "Increase", "counter.IncreaseRequest", increase));
      requests.push(command(3, "GetValue", "counter.GetValueRequest", Uint8Array.from([0x0a, 0x02, 0x63, 0x31])));
      await responses.next();
      await responses.next();
      const out = await responses.next();
      assert.equal(out.message?.$case, "reply");
      const action = out.message?.$case === "reply" ? out.message.value.clientAction?.action : undefined;
      assert.equal(action?.$case, "reply");
      // Value { value: 4 }
      assert.deepEqual([...(action?.$case === "reply" ? (action.value.payload?.value ?? []) : [])], [0x08, 0x04]);
      requests.close();
    } finally {
      channel.close();
    }
  });
});
