/**
 * The inspector's loopback HTTP server, run by the dev session: the page (plain files from `page/`, no build step,
 * nothing from a CDN), Server-Sent Events that tell the page the history changed, the JSON API the page and
 * `cloudstate-ts inspect` read, and the feed endpoints the user function writes to (`POST /feed`) and reads the
 * recorded journals from at start (`GET /replay`).
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { copyAsTest } from "./copy-test.js";
import { asRecord, type FeedRecord } from "./records.js";
import type { InspectorStore } from "./store.js";
import { commandSummary, entityDetail, entitySummaries } from "./views.js";

/** Where the page's files are: beside this module, in source and in `dist/` alike (the build copies them). */
const PAGE_DIR = fileURLToPath(new URL("./page/", import.meta.url));
const PAGE_FILES: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
};
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
/** The largest feed batch accepted, in bytes. */
const FEED_LIMIT = 32 * 1024 * 1024;

/** What the dev session tells the page about itself. */
export interface SessionInfo {
  readonly project: string;
  readonly proxy?: { readonly port: number; readonly origin: string };
  readonly userFunction?: { readonly port: number; readonly pid?: number };
}

/** The server's options. */
export interface InspectorServerOptions {
  readonly store: InspectorStore;
  /** The project folder (for copied tests). */
  readonly cwd: string;
  /** The dev session's state, asked at each request. */
  readonly session: () => SessionInfo;
}

/** The names by which this machine's own clients reach the inspector (the Host header, port aside). */
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(undefined));
  });
}

function parseLines(body: string): (FeedRecord | undefined)[] {
  return body
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return asRecord(JSON.parse(line));
      } catch {
        return undefined;
      }
    });
}

/** A running inspector server. */
export class InspectorServer {
  readonly #server: Server;
  readonly #clients = new Set<ServerResponse>();
  #notifyTimer: NodeJS.Timeout | undefined;

  private constructor(
    server: Server,
    readonly port: number,
    private readonly options: InspectorServerOptions,
  ) {
    this.#server = server;
    options.store.onChange(() => this.#notify());
  }

  /**
   * Listens on 127.0.0.1:`port` (0: a free port).
   * @throws Error with a clear message when the port is taken.
   */
  static start(port: number, options: InspectorServerOptions): Promise<InspectorServer> {
    return new Promise((resolve, reject) => {
      let inspector: InspectorServer | undefined;
      const server = createServer((req, res) => {
        if (inspector === undefined) send(res, 503, { error: "starting" });
        else inspector.#handle(req, res).catch(() => send(res, 500, { error: "the inspector failed on this request" }));
      });
      server.once("error", (error: NodeJS.ErrnoException) => {
        reject(
          new Error(
            error.code === "EADDRINUSE"
              ? `port ${port} on 127.0.0.1 is already in use`
              : `cannot listen on 127.0.0.1:${port}: ${error.message}`,
          ),
        );
      });
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        inspector = new InspectorServer(
          server,
          typeof address === "object" && address !== null ? address.port : port,
          options,
        );
        resolve(inspector);
      });
    });
  }

  /** The address the user function's feed writes to. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Closes every connection and stops listening. */
  async stop(): Promise<void> {
    clearTimeout(this.#notifyTimer);
    for (const client of this.#clients) client.end();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Tells every page that the history moved, at most every 20 ms (a burst of batches is one notice). */
  #notify(): void {
    if (this.#notifyTimer !== undefined) return;
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = undefined;
      const line = `event: change\ndata: ${this.options.store.version}\n\n`;
      for (const client of this.#clients) client.write(line);
    }, 20);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const { store } = this.options;
    // Only this machine's own names: a web page that rebinds its DNS name to 127.0.0.1 would otherwise read the
    // entities' states through the visitor's browser.
    if (!LOCAL_HOSTS.has((req.headers.host ?? "").replace(/:\d+$/, ""))) {
      send(res, 403, { error: "the inspector answers only to 127.0.0.1 and localhost" });
      return;
    }
    if (req.method === "POST" && url.pathname === "/feed") {
      // The feed comes from the user function, never from a browser: a page's cross-site POST carries an Origin.
      if (req.headers.origin !== undefined || req.headers["content-type"] !== "application/x-ndjson") {
        send(res, 403, { error: "the feed takes application/x-ndjson from the user function only" });
        return;
      }
      const pid = Number(url.searchParams.get("pid") ?? Number.NaN);
      const body = await readBody(req, FEED_LIMIT);
      if (body === undefined || !Number.isInteger(pid)) {
        send(res, 400, { error: "a feed batch is JSON lines under 32 MB, posted to /feed?pid=N" });
        return;
      }
      store.apply(pid, parseLines(body));
      res.writeHead(204).end();
      return;
    }
    if (req.method !== "GET") {
      send(res, 405, { error: `${req.method ?? "?"} is not served here` });
      return;
    }
    const page = PAGE_FILES[url.pathname];
    if (page !== undefined) {
      const text = readFileSync(PAGE_DIR + page, "utf8");
      res.writeHead(200, {
        "content-type": CONTENT_TYPES[page.split(".").pop() ?? ""] ?? "text/plain",
        "cache-control": "no-store",
      });
      res.end(text);
      return;
    }
    switch (url.pathname) {
      case "/events":
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        res.write(`retry: 1000\nevent: change\ndata: ${store.version}\n\n`);
        this.#clients.add(res);
        req.on("close", () => this.#clients.delete(res));
        return;
      case "/replay":
        send(res, 200, { entities: store.recordedJournals() });
        return;
      case "/api/session":
        send(res, 200, {
          ...this.options.session(),
          version: store.version,
          dropped: store.dropped,
          processes: store.processes,
        });
        return;
      case "/api/entities":
        send(res, 200, { version: store.version, entities: entitySummaries(store) });
        return;
      case "/api/entity": {
        const key = url.searchParams.get("key") ?? "";
        const detail = entityDetail(store, key);
        if (detail === undefined) send(res, 404, { error: `no entity ${key}` });
        else send(res, 200, detail);
        return;
      }
      case "/api/command": {
        const id = url.searchParams.get("id") ?? "";
        const command = store.commands.get(id);
        if (command === undefined) send(res, 404, { error: `no command ${id}` });
        else send(res, 200, commandSummary(command));
        return;
      }
      case "/api/test": {
        const copied = copyAsTest(store, url.searchParams.get("command") ?? "", this.options.cwd);
        send(res, "error" in copied ? 404 : 200, copied);
        return;
      }
      default:
        send(res, 404, { error: `nothing at ${url.pathname}` });
    }
  }
}
