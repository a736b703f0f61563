/**
 * The inspector as a developer meets it, in a real browser (Debian's chromium, headless, driven by playwright-core):
 * a project made from the event-sourced template out of the packed tarballs, `npm run dev` (the `cloudstate-ts dev`
 * command) with the real 0.6.0 proxy, commands sent to the cart's HTTP routes through the proxy, and the page
 * checked for what a person sees: the journal, the state after each event, a failure, each command shown live
 * (the time from the client's answer to the page showing it is printed), a copied test that passes in the project
 * as it is, a replay divergence flagged after an edit of an event handler and cleared when it is undone,
 * `cloudstate-ts inspect` in a terminal, and the page once the dev session is gone. First, a taken inspector port:
 * a clear message, and the dev loop serves all the same. Takes the screenshots docs/inspector.md shows
 * (into .cache/screenshots, or docs/images with UPDATE_SCREENSHOTS=1).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { freePort, startProcess, stopAll, type Started } from "cloudstate-ts-devkit";
import { createProject, packAll, run, tarballEnv, userEnv } from "../support/packages.js";
import { ROOT } from "../support/root.js";
import { chromiumArgs, ensureChromium } from "./chromium.js";

// docs/images only when asked (`npm run docs:screenshots`): a test run leaves the checkout as it found it.
const SCREENSHOTS =
  process.env["UPDATE_SCREENSHOTS"] === "1" ? join(ROOT, "docs", "images") : join(ROOT, ".cache", "screenshots");

async function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  assert.ok(text.includes(from), `${from} is in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    }),
  );
}

describe("the inspector of cloudstate-ts dev, in a real browser, behind the real proxy", { timeout: 900_000 }, () => {
  const base = mkdtempSync(join(tmpdir(), "cloudstate-inspector-"));
  const started: Started[] = [];
  const env = userEnv();
  let dir = "";
  let browser: Browser | undefined;

  before(async () => {
    const executablePath = ensureChromium();
    const tarballs = packAll(base);
    Object.assign(env, tarballEnv(tarballs));
    dir = createProject(base, env, tarballs, "event-sourced", "inspected-cart");
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
  });
  after(async () => {
    await browser?.close();
    await stopAll(...started);
    rmSync(base, { recursive: true, force: true });
  });

  function dev(port: number, inspectorPort: number): Started {
    const args = ["run", "dev", "--", "--port", String(port), "--inspector-port", String(inspectorPort)];
    const process = startProcess("npm run dev", "npm", args, env, { cwd: dir, inheritEnv: false });
    started.push(process);
    return process;
  }

  it("a taken inspector port: a clear message, and the dev loop serves all the same", async () => {
    const taken = createServer();
    const takenPort = await listen(taken);
    try {
      const port = await freePort();
      const session = dev(port, takenPort);
      await session.waitFor(/HTTP\/JSON on http:\/\/127\.0\.0\.1:\d+/, 180_000);
      assert.match(
        session.output,
        new RegExp(`the inspector is off: port ${takenPort} on 127\\.0\\.0\\.1 is already in use`),
      );
      assert.doesNotMatch(session.output, /inspector on http/);
      const answer = await post(`http://127.0.0.1:${port}/carts/x/items/add`, {
        productId: "fig",
        name: "Fig",
        quantity: 1,
      });
      assert.equal(answer.status, 200, answer.text);
      session.signal("SIGINT");
      await session.exit();
    } finally {
      taken.close();
    }
  });

  it("shows the journal, the state after each event, a failure, copied tests, a divergence, live", async () => {
    assert.ok(browser !== undefined);
    const port = await freePort();
    const session = dev(port, 0);
    const [, inspectorPort] = (await session.waitFor(/inspector on http:\/\/127\.0\.0\.1:(\d+)/, 180_000)) as string[];
    const inspector = `http://127.0.0.1:${inspectorPort}`;
    const cart = `http://127.0.0.1:${port}/carts/c1`;

    const page: Page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(inspector);
    await page.getByText(/user function pid \d+ connected/).waitFor();

    // Each command through the proxy, then the time until the page shows it (no reload: the page follows the SSE).
    const latencies: number[] = [];
    const roundTrips: number[] = [];
    const send = async (path: string, body: unknown, shown: RegExp): Promise<{ status: number; text: string }> => {
      // A watch in the page notes the moment a matching command row is in the DOM; this process notes the moment
      // the client has the answer (one clock: the same machine).
      await page.evaluate(`void (window.shownAt = new Promise((resolve) => {
        const pattern = new RegExp(${JSON.stringify(shown.source)});
        const found = () => [...document.querySelectorAll('[data-testid="command"]')].some((row) => pattern.test(row.textContent));
        if (found()) return resolve(Date.now());
        new MutationObserver((_, observer) => {
          if (!found()) return;
          observer.disconnect();
          resolve(Date.now());
        }).observe(document.body, { subtree: true, childList: true });
      }))`);
      const sent = Date.now();
      const answer = await post(`${cart}${path}`, body);
      const answered = Date.now();
      const shownAt = await page.evaluate<number>("window.shownAt");
      // Negative when the page showed it before the answer had come back through the proxy to the client.
      latencies.push(shownAt - answered);
      roundTrips.push(shownAt - sent);
      return answer;
    };
    assert.equal(
      (await send("/items/add", { productId: "fig", name: "Fig", quantity: 2 }, /"?quantity"?: ?2/)).status,
      200,
    );
    assert.equal((await send("/items/add", { productId: "kiwi", name: "Kiwi", quantity: 1 }, /"kiwi"/)).status, 200);
    const refused = await send("/items/add", { productId: "fig", name: "Fig", quantity: 0 }, /Cannot add a quantity/);
    assert.match(refused.text, /Cannot add a quantity of 0 of fig/);
    assert.equal(
      (await send("/items/add", { productId: "fig", name: "Fig", quantity: 3 }, /"?quantity"?: ?3/)).status,
      200,
    );
    const figures = (all: readonly number[]): string => {
      const sorted = [...all].sort((a, b) => a - b);
      return `median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (${all.map((ms) => ms.toFixed(0)).join(", ")} ms)`;
    };
    console.log(`# inspector: from the client's answer to the command on the page: ${figures(latencies)}`);
    console.log(`# inspector: from the client's request to the command on the page: ${figures(roundTrips)}`);

    // What a person sees: the entity, its journal with the state after each event, the failure.
    await page.locator('[data-testid="entity"]', { hasText: "c1" }).waitFor();
    const journal = page.locator('[data-testid="journal-entry"]');
    await page.locator('[data-testid="journal-entry"][data-sequence="3"]').waitFor();
    assert.equal(await journal.count(), 3);
    const third = page.locator(`[data-testid="journal-entry"][data-sequence="3"]`);
    assert.match(await journal.nth(0).innerText(), /ItemAdded[\s\S]*"fig"[\s\S]*"?quantity"?: ?2/);
    const stateAfterThird = await third.locator('[data-testid="state-after"]').innerText();
    assert.match(stateAfterThird, /"fig"[\s\S]*"?quantity"?: ?5[\s\S]*"kiwi"[\s\S]*"?quantity"?: ?1/);
    assert.match(
      await page.locator('[data-testid="failure"]').innerText(),
      /failure: Cannot add a quantity of 0 of fig/,
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "inspector-cart.png"), fullPage: true });

    // Copy as a test: the last AddItem and the failure, saved into the project, pass its own `npm test`.
    const commands = page.locator('[data-testid="command"]');
    const copied: string[] = [];
    for (const shown of [/"?quantity"?: ?3/, /Cannot add a quantity/]) {
      const row = commands.filter({ hasText: shown }).first();
      await row.locator('[data-testid="copy-test"]').click();
      const text = await row.locator('[data-testid="copied-test"]').inputValue();
      assert.match(text, /EventSourcedTestKit\.create\(shoppingCart/);
      const file = /Save as (\S+)/.exec(await row.innerText())?.[1];
      assert.ok(file !== undefined, "the page names the file");
      writeFileSync(join(dir, file), text);
      copied.push(file);
    }
    const unit = run(dir, env, "npm", "test");
    assert.match(unit, /ℹ fail 0/);
    assert.match(unit, /✔ AddItem on c1 after 2 event\(s\) replies as in the dev session/);
    assert.match(unit, /✔ AddItem on c1 after 2 event\(s\) fails as in the dev session/);
    for (const file of copied) rmSync(join(dir, file));

    // Replay divergence: an event handler edited to build another state from the same events is flagged at once.
    let since = session.output.length;
    const source = join(dir, "src", "cart.ts");
    const original = "quantity: item.quantity + added.quantity }";
    edit(source, original, "quantity: item.quantity + added.quantity * 2 }");
    await session.waitFor(/dev: restarted the user function\n/, 180_000, since);
    const divergence = page.locator('[data-testid="divergence"]');
    await divergence.waitFor();
    assert.match(await divergence.innerText(), /Replay divergence at event 3 \(cart\.ItemAdded\)/);
    assert.match(await divergence.innerText(), /"?quantity"?: ?5[\s\S]*"?quantity"?: ?8/);
    assert.ok(await page.locator('[data-testid="entity"]', { hasText: "diverged" }).isVisible());
    await page.screenshot({ path: join(SCREENSHOTS, "inspector-divergence.png"), fullPage: true });
    since = session.output.length;
    edit(source, "quantity: item.quantity + added.quantity * 2 }", original);
    await session.waitFor(/dev: restarted the user function\n/, 180_000, since);
    await page.locator('[data-testid="rebuilt"]').waitFor();
    assert.equal(await divergence.count(), 0);

    // The same from a terminal.
    const text = run(dir, env, "npx", "cloudstate-ts", "inspect", "--inspector-port", inspectorPort!, "c1");
    assert.match(text, /journal \(3 events\):/);
    assert.match(text, /#3 cart\.ItemAdded/);
    assert.match(text, /failure: Cannot add a quantity of 0 of fig/);
    const listed = JSON.parse(
      run(dir, env, "npx", "cloudstate-ts", "inspect", "--inspector-port", inspectorPort!, "--json"),
    ) as {
      key: string;
      events: number;
    }[];
    assert.deepEqual(
      listed.map((entity) => [entity.key, entity.events]),
      [["cart.ShoppingCart/c1", 3]],
    );

    // The dev session gone: the page says so.
    session.signal("SIGINT");
    await session.exit();
    await page.getByText(/Lost the dev session/).waitFor();
    const refusedInspect = startProcess(
      "inspect",
      "npx",
      ["cloudstate-ts", "inspect", "--inspector-port", inspectorPort!],
      env,
      {
        cwd: dir,
        inheritEnv: false,
      },
    );
    assert.equal(await refusedInspect.exit(), 1);
    assert.match(
      refusedInspect.output,
      /no dev session's inspector answers on 127\.0\.0\.1:\d+; start `cloudstate-ts dev`/,
    );
    assert.deepEqual(pageErrors, []);
  });
});
