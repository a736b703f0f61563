/**
 * The soak's clients: gRPC through the proxy's public API, one writing loop per client, each command recorded in
 * the ledger with what became of it, and the read-back of an entity's state.
 */
import { performance } from "node:perf_hooks";
import { ClientError, createChannel, createClient, Status, type Channel } from "nice-grpc";
import {
  ShoppingCartDefinition,
  type ShoppingCartClient,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import { TalliesDefinition, type TalliesClient } from "./gen/com/example/soak/tally.js";
import type { Command, Kind, Ledger, Observed } from "./ledger.js";

/** The proxy's public API for both kinds. */
export class Api {
  readonly #channel: Channel;
  readonly cart: ShoppingCartClient;
  readonly tallies: TalliesClient;

  constructor(port: number) {
    // Reconnect within a second of the proxy coming back, not after grpc-js's default backoff of up to 2 minutes.
    this.#channel = createChannel(`127.0.0.1:${port}`, undefined, {
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1000,
    });
    this.cart = createClient(ShoppingCartDefinition, this.#channel);
    this.tallies = createClient(TalliesDefinition, this.#channel);
  }

  close(): void {
    this.#channel.close();
  }
}

/** Sends one uniquely identified command to an entity; its id must show in the state read back. */
export type Write = (api: Api, entity: string, id: string, signal: AbortSignal) => Promise<unknown>;

/** An entity's state as read back: how many times each id is in it, and its total count. */
export interface ReadBack {
  readonly observed: Observed;
  /** The cart's summed quantities; the tally's count. */
  readonly total: number;
}

export const WRITES: Record<Kind, Write> = {
  "event-sourced": (api, entity, id, signal) =>
    api.cart.addItem({ userId: entity, productId: id, name: id, quantity: 1 }, { signal }),
  value: (api, entity, id, signal) => api.tallies.record({ tallyId: entity, requestId: id }, { signal }),
};

/** Commands that leave no id behind, for the overload: one growing cart line, a tally's count. */
export const BUMPS: Record<Kind, Write> = {
  "event-sourced": (api, entity, _id, signal) =>
    api.cart.addItem({ userId: entity, productId: "load", name: "load", quantity: 1 }, { signal }),
  value: (api, entity, _id, signal) => api.tallies.bump({ tallyId: entity }, { signal }),
};

export async function readBack(api: Api, kind: Kind, entity: string, signal: AbortSignal): Promise<ReadBack> {
  const observed = new Map<string, number>();
  if (kind === "event-sourced") {
    const cart = await api.cart.getCart({ userId: entity }, { signal });
    let total = 0;
    for (const item of cart.items) {
      observed.set(item.productId, (observed.get(item.productId) ?? 0) + item.quantity);
      total += item.quantity;
    }
    return { observed, total };
  }
  const tally = await api.tallies.get({ tallyId: entity }, { signal });
  for (const id of tally.requestIds) observed.set(id, (observed.get(id) ?? 0) + 1);
  return { observed, total: tally.count.toNumber() };
}

/** What a failed call means for its command. */
export interface Failure {
  readonly outcome: "in-flight" | "refused";
  /** For the report; addresses and ports are masked so the same failure is counted as one message. */
  readonly message: string;
  /** False when the client got nothing a user could act on: no status, or a status without a message. */
  readonly clear: boolean;
}

export function classify(error: unknown, deadlineMs: number): Failure {
  if (error instanceof ClientError) {
    // grpc-js says this only when no transport was up for the call: it was never sent, so it cannot have landed.
    const refused = error.code === Status.UNAVAILABLE && /No connection established/.test(error.details);
    const details = error.details
      .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
      .replace(/\s+/g, " ")
      .trim();
    return {
      outcome: refused ? "refused" : "in-flight",
      message: `${Status[error.code]}: ${refused ? "no connection to the proxy" : details || "(no message)"}`,
      clear: refused || details !== "",
    };
  }
  // nice-grpc rejects with the signal's reason: AbortSignal.timeout's is a TimeoutError.
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError"))
    return {
      outcome: "in-flight",
      message: `no answer within the client's deadline of ${deadlineMs} ms`,
      clear: true,
    };
  return { outcome: "in-flight", message: `unexpected ${String(error)}`, clear: false };
}

/** How a client loop runs. */
export interface ClientOptions {
  readonly api: Api;
  readonly ledger: Ledger;
  readonly kind: Kind;
  /** The entity for the next command. */
  readonly entity: () => string;
  readonly write: Write;
  /** The id for the next command to `entity`: unique within it. */
  readonly nextId: (entity: string) => string;
  readonly cycle: number;
  readonly deadlineMs: number;
  /** Aborted to stop: the command in hand is finished and settled first. */
  readonly stop: AbortSignal;
  /** Sees every acknowledged command's latency. */
  readonly onLatency?: (ms: number) => void;
  /** Sees every failure. */
  readonly onFailure?: (failure: Failure, command: Command) => void;
}

/** Resolves after `ms` or at once when `stop` is aborted. */
function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener("abort", done);
  });
}

/**
 * One client: sends commands one after another until `stop`, settling each in the ledger. After a failure it
 * backs off (50 ms doubling to 1 s), as a real client would while the service is down, so an outage is not a
 * busy loop of refused calls.
 */
export async function runClient(options: ClientOptions): Promise<void> {
  let backoff = 0;
  while (!options.stop.aborted) {
    const entity = options.entity();
    const id = options.nextId(entity);
    const command = options.ledger.send(options.kind, entity, id, options.cycle);
    const started = performance.now();
    try {
      await options.write(options.api, entity, id, AbortSignal.timeout(options.deadlineMs));
      options.ledger.settle(command, "acknowledged");
      options.onLatency?.(performance.now() - started);
      backoff = 0;
    } catch (error) {
      const failure = classify(error, options.deadlineMs);
      options.ledger.settle(command, failure.outcome);
      options.onFailure?.(failure, command);
      backoff = Math.min(1000, backoff === 0 ? 50 : backoff * 2);
      await pause(backoff, options.stop);
    }
  }
}

/** Unique ids per entity: `r1`, `r2`, … */
export function idSequence(): (entity: string) => string {
  const next = new Map<string, number>();
  return (entity) => {
    const n = (next.get(entity) ?? 0) + 1;
    next.set(entity, n);
    return `r${n}`;
  };
}
