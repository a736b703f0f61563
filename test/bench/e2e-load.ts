/**
 * The end-to-end load: callers in this process send shopping-cart commands to the Cloudstate proxy's public
 * port, over gRPC or HTTP/JSON, each with one call in flight (a closed loop), alternating AddItem and GetCart over
 * a fixed set of carts. Requests are encoded once, up front, so the caller's own CPU stays small; each process's
 * CPU (proxy, user function, this driver) is read from /proc around the measured window.
 */
import { Agent, request } from "node:http";
import { credentials, makeGenericClientConstructor, type Client } from "@grpc/grpc-js";
import {
  AddLineItem,
  GetShoppingCart,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { cpuSeconds } from "./proc.js";

/** How commands reach the proxy. */
export type Transport = "grpc" | "http";

const SERVICE_PATH = "/com.example.shoppingcart.ShoppingCart";
const PRODUCTS = 10;

export interface LoadOptions {
  /** The proxy's public port on 127.0.0.1. */
  readonly port: number;
  readonly transport: Transport;
  /** Concurrent callers, each with one command in flight. */
  readonly callers: number;
  /** Carts the commands go to: caller i takes carts i, i + callers, i + 2 × callers, … (mod carts). */
  readonly carts: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** The processes whose CPU time is read around the measured window. */
  readonly proxyPid: number;
  readonly userFunctionPid: number;
}

export interface LoadResult {
  readonly transport: Transport;
  readonly commands: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU milliseconds per command of each process over the measured window. */
  readonly proxyCpuMsPerCommand: number;
  readonly userFunctionCpuMsPerCommand: number;
  readonly driverCpuMsPerCommand: number;
}

/** One command: sends it and resolves when it is answered, or rejects with what went wrong. */
type Send = (cart: number, step: number) => Promise<void>;

interface Sender {
  readonly send: Send;
  close(): void;
}

function cartId(cart: number): string {
  return `e2e-cart-${cart}`;
}

const RawClient = makeGenericClientConstructor({}, "ShoppingCartRaw");
const identity = (bytes: Buffer): Buffer => bytes;

function grpcSender(port: number, carts: number): Sender {
  const client: Client = new RawClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const adds = Array.from({ length: carts }, (_, cart) =>
    Array.from({ length: PRODUCTS }, (_, product) =>
      Buffer.from(
        AddLineItem.encode(
          AddLineItem.fromPartial({
            userId: cartId(cart),
            productId: `product-${product}`,
            name: `Product ${product}`,
            quantity: 1,
          }),
        ).finish(),
      ),
    ),
  );
  const gets = Array.from({ length: carts }, (_, cart) =>
    Buffer.from(GetShoppingCart.encode(GetShoppingCart.fromPartial({ userId: cartId(cart) })).finish()),
  );
  return {
    send: (cart, step) =>
      new Promise((resolve, reject) => {
        const add = step % 2 === 0;
        const body = add ? adds[cart]?.[(step >> 1) % PRODUCTS] : gets[cart];
        if (body === undefined) throw new Error(`no request for cart ${cart}`);
        client.makeUnaryRequest(`${SERVICE_PATH}/${add ? "AddItem" : "GetCart"}`, identity, identity, body, (error) =>
          error === null ? resolve() : reject(error),
        );
      }),
    close: () => client.close(),
  };
}

function httpSender(port: number, callers: number): Sender {
  const agent = new Agent({ keepAlive: true, maxSockets: callers });
  const adds = Array.from({ length: PRODUCTS }, (_, product) =>
    Buffer.from(JSON.stringify({ productId: `product-${product}`, name: `Product ${product}`, quantity: 1 })),
  );
  return {
    send: (cart, step) =>
      new Promise((resolve, reject) => {
        const add = step % 2 === 0;
        const body = add ? adds[(step >> 1) % PRODUCTS] : undefined;
        const req = request(
          {
            host: "127.0.0.1",
            port,
            agent,
            method: add ? "POST" : "GET",
            path: add ? `/cart/${cartId(cart)}/items/add` : `/carts/${cartId(cart)}`,
            headers: body === undefined ? {} : { "content-type": "application/json", "content-length": body.length },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () =>
              response.statusCode === 200
                ? resolve()
                : reject(new Error(`HTTP ${response.statusCode}: ${Buffer.concat(chunks).toString("utf8")}`)),
            );
            response.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/** Runs the closed-loop load for warm-up plus the measured window; rejects on the first failed command. */
export async function endToEndLoad(options: LoadOptions): Promise<LoadResult> {
  const { callers, carts } = options;
  const sender = options.transport === "grpc" ? grpcSender(options.port, carts) : httpSender(options.port, callers);
  const latencies: number[] = [];
  let measuring = false;
  let stopping = false;
  const caller = async (index: number): Promise<void> => {
    const own = Array.from(
      { length: Math.max(1, Math.ceil(carts / callers)) },
      (_, k) => (index + k * callers) % carts,
    );
    for (let step = 0; !stopping; step++) {
      const cart = own[(step >> 1) % own.length] ?? 0;
      const sent = performance.now();
      await sender.send(cart, step);
      if (measuring) latencies.push(performance.now() - sent);
    }
  };
  // A failed command stops every caller, so the run ends with its error at once instead of after the window.
  let failed: (error: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const running = Promise.all(Array.from({ length: callers }, (_, i) => caller(i))).catch((error: unknown) => {
    stopping = true;
    failed(error);
  });
  const wait = (ms: number): Promise<unknown> => Promise.race([new Promise((r) => setTimeout(r, ms)), failure]);
  try {
    await wait(options.warmupMs);
    const proxyBefore = cpuSeconds(options.proxyPid);
    const userFunctionBefore = cpuSeconds(options.userFunctionPid);
    const driverBefore = process.cpuUsage();
    const started = performance.now();
    measuring = true;
    await wait(options.measureMs);
    measuring = false;
    const seconds = (performance.now() - started) / 1000;
    const proxyCpu = cpuSeconds(options.proxyPid) - proxyBefore;
    const userFunctionCpu = cpuSeconds(options.userFunctionPid) - userFunctionBefore;
    const driver = process.cpuUsage(driverBefore);
    const commands = latencies.length;
    stopping = true;
    await Promise.race([running, failure]);
    const sorted = Float64Array.from(latencies).sort();
    const perCommand = (cpu: number): number => (commands === 0 ? 0 : (cpu * 1000) / commands);
    return {
      transport: options.transport,
      commands,
      seconds,
      commandsPerSecond: commands / seconds,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      proxyCpuMsPerCommand: perCommand(proxyCpu),
      userFunctionCpuMsPerCommand: perCommand(userFunctionCpu),
      driverCpuMsPerCommand: perCommand((driver.user + driver.system) / 1e6),
    };
  } finally {
    stopping = true;
    sender.close();
  }
}
