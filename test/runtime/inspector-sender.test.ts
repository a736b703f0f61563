/**
 * The inspector feed's sender (runtime/inspector/sender.ts) against a dev session that refuses a batch: the batch is
 * counted as dropped and never sent again, and the count goes out with the next batch.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, describe, it } from "node:test";
import { memoryLogger } from "cloudstate-ts/testkit";
import { FeedSender } from "../../runtime/inspector/sender.js";

describe("the inspector feed's sender", () => {
  const batches: string[][] = [];
  const waiting: (() => void)[] = [];
  let answer = 500;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      batches.push(body.trim().split("\n"));
      res.writeHead(answer).end();
      waiting.shift()?.();
    });
  });
  after(() => server.close());
  const nextBatch = (): Promise<string[]> =>
    new Promise((resolve) => waiting.push(() => resolve(batches[batches.length - 1]!)));

  it("drops a refused batch, counted, instead of sending it again", async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    assert.ok(typeof address === "object" && address !== null);
    const logger = memoryLogger();
    const sender = new FeedSender(new URL(`http://127.0.0.1:${address.port}`), logger);

    const refused = nextBatch();
    sender.send({ t: "hello", services: [] });
    assert.deepEqual(
      (await refused).map((line) => JSON.parse(line) as unknown),
      [{ t: "hello", services: [] }],
    );
    await logger.waitFor(/refused a batch of 1 records; dropped/, 10_000);

    answer = 204;
    const taken = nextBatch();
    sender.send({ t: "closed", stream: "s1" });
    assert.deepEqual(
      (await taken).map((line) => JSON.parse(line) as unknown),
      [
        { t: "dropped", count: 1 },
        { t: "closed", stream: "s1" },
      ],
      "the refused record is counted, not sent again",
    );
    assert.equal(batches.length, 2);
  });
});
