// The like counter behind the real Cloudstate proxy (one node, development mode). Needs Java 17 and Maven,
// which resolve the proxy.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Long from "long";
import { CloudstateTestEnvironment } from "cloudstate-ts-devkit";
import { LikesDefinition } from "../../gen/likes/likes.js";
import { likes } from "../../src/likes.js";

describe("the like counter behind the proxy", { timeout: 300_000 }, () => {
  let env: CloudstateTestEnvironment;
  before(async () => {
    env = await CloudstateTestEnvironment.start({ entities: [likes] });
  });
  after(async () => {
    await env.stop();
  });

  it("counts likes per post", async () => {
    const posts = env.client(LikesDefinition);
    assert.equal((await posts.like({ postId: "p1", by: Long.fromNumber(1) })).likes.toString(), "1");
    assert.equal((await posts.like({ postId: "p1", by: Long.fromNumber(2) })).likes.toString(), "3");
    assert.equal((await posts.getLikes({ postId: "p1" })).likes.toString(), "3");
    assert.equal((await posts.getLikes({ postId: "p2" })).likes.toString(), "0");
  });

  it("refuses to take likes away, and the count stays", async () => {
    const posts = env.client(LikesDefinition);
    await posts.like({ postId: "p3", by: Long.fromNumber(4) });
    await assert.rejects(posts.like({ postId: "p3", by: Long.fromNumber(-1) }), /Cannot take likes away/);
    assert.equal((await posts.getLikes({ postId: "p3" })).likes.toString(), "4");
  });
});
