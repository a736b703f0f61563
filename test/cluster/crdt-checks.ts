/**
 * The CRDT checks, through the proxies' public gRPC API: replicated by Akka Distributed Data, each CRDT entity runs
 * on every node that serves it, so a change made through one node must show through the others.
 *
 * - convergence: a GCounter bumped through node A is seen through every node (entities already running there);
 * - write consistency `all` and `majority`: what every node shows the moment the call returns;
 * - streamed calls: a presence monitor on one node hears a user connect and disconnect on another, both ways;
 * - delete: an ORSet deleted through one node ends the entity on every node.
 */
import { performance } from "node:perf_hooks";
import { ClientError, createChannel, createClient, type Channel } from "nice-grpc";
import {
  FriendsDefinition,
  MessagesDefinition,
  PresenceDefinition,
  type FriendsClient,
  type MessagesClient,
  type PresenceClient,
  type PresenceStatus,
} from "../../examples/crdts/gen/com/example/chat/chat.js";

/** The chat services' clients through one node. */
export class ChatApi {
  readonly #channel: Channel;
  readonly messages: MessagesClient;
  readonly presence: PresenceClient;
  readonly friends: FriendsClient;

  constructor(
    readonly node: string,
    port: number,
  ) {
    this.#channel = createChannel(`127.0.0.1:${port}`, undefined, {
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1000,
    });
    this.messages = createClient(MessagesDefinition, this.#channel);
    this.presence = createClient(PresenceDefinition, this.#channel);
    this.friends = createClient(FriendsDefinition, this.#channel);
  }

  close(): void {
    this.#channel.close();
  }
}

const deadline = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(10_000) });

/** Polls `read` every 20 ms until `wanted` holds; the time from `since` to then, in ms. */
async function until<T>(
  read: () => Promise<T>,
  wanted: (value: T) => boolean,
  since: number,
  what: string,
  timeoutMs = 30_000,
): Promise<number> {
  const end = since + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (wanted(value)) return performance.now() - since;
      last = value;
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (performance.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The result of one check: report lines, problems, figures. */
export interface CheckResult {
  readonly lines: string[];
  readonly problems: string[];
  readonly figures: Record<string, number | number[]>;
}

/**
 * A GCounter bumped through each node in turn, `rounds` times, with the entity already running on every node
 * (so the others learn of the change from the replicator, not from a fresh read): the time until every node
 * shows it.
 */
export async function checkConvergence(apis: readonly ChatApi[], rounds: number): Promise<CheckResult> {
  const times: number[] = [];
  let converged = 0;
  const problems: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const writer = apis[round % apis.length];
    if (writer === undefined) continue;
    const roomId = `converge-${round}-${Date.now()}`;
    for (const api of apis) await api.messages.get({ roomId }, deadline());
    const at = performance.now();
    await writer.messages.posted({ roomId, author: "a" }, deadline());
    try {
      const each = await Promise.all(
        apis.map((api) =>
          until(
            () => api.messages.get({ roomId }, deadline()),
            (count) => count.value.toNumber() === 1,
            at,
            `the post through ${writer.node} on ${api.node}`,
          ),
        ),
      );
      times.push(Math.max(...each));
      converged++;
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return {
    lines: [
      `GCounter bumped through each node in turn (${rounds} rounds): converged on ${apis.length} of ${apis.length} ` +
        `nodes in ${converged} of ${rounds} rounds; slowest node after median ${median.toFixed(0)} ms, ` +
        `max ${Math.max(...times).toFixed(0)} ms`,
    ],
    problems,
    figures: { convergenceMs: times.map(Math.round) },
  };
}

/**
 * A post with write consistency `all` or `majority` through node A; the moment it returns, every node is asked,
 * once with the entity already running on it (it learns of changes through its replicator subscription) and once
 * on a fresh entity (its first read is of the local replica). Then the time until all show it.
 */
export async function checkConsistency(
  apis: readonly ChatApi[],
  consistency: "all" | "majority",
): Promise<CheckResult> {
  const [writer] = apis;
  if (writer === undefined) throw new Error("no nodes");
  const lines: string[] = [];
  const problems: string[] = [];
  const figures: Record<string, number> = {};
  for (const started of [false, true]) {
    const roomId = `${consistency}-${started ? "running" : "fresh"}-${Date.now()}`;
    if (started) for (const api of apis) await api.messages.get({ roomId }, deadline());
    const before = performance.now();
    await writer.messages.posted({ roomId, author: "a" }, deadline());
    const at = performance.now();
    figures[`${consistency}${started ? "Running" : "Fresh"}WriteMs`] = Math.round(at - before);
    const atOnce = await Promise.all(
      apis.map(async (api) => (await api.messages.get({ roomId }, deadline())).value.toNumber() === 1),
    );
    const seen = atOnce.filter(Boolean).length;
    let convergedMs = Number.NaN;
    try {
      const each = await Promise.all(
        apis.map((api) =>
          until(
            () => api.messages.get({ roomId }, deadline()),
            (c) => c.value.toNumber() === 1,
            at,
            `${consistency} on ${api.node}`,
          ),
        ),
      );
      convergedMs = Math.max(...each);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
    figures[`${consistency}${started ? "Running" : "Fresh"}ConvergedMs`] = Math.round(convergedMs);
    const where = started ? "entity running on every node" : "fresh entity on the other nodes";
    lines.push(
      `write consistency ${consistency} (${where}): the call took ${(at - before).toFixed(0)} ms; ` +
        `visible at once on ${seen} of ${apis.length} nodes; converged on ${apis.length} of ${apis.length} nodes ` +
        `${Number.isNaN(convergedMs) ? "NOT within 30 s" : `after ${convergedMs.toFixed(0)} ms`}`,
    );
    // With `all`, every replica has the change when the call returns: a fresh entity, which reads its local
    // replica, must show it. One already running learns of it from its subscription, a moment later.
    if (consistency === "all" && !started && seen !== apis.length)
      problems.push(`write consistency all: a fresh read showed the change on only ${seen} of ${apis.length} nodes`);
    if (consistency === "majority" && !started && seen < Math.floor(apis.length / 2) + 1)
      problems.push(`write consistency majority: a fresh read showed the change on only ${seen} nodes`);
  }
  return { lines, problems, figures };
}

/**
 * Reads a server stream one message at a time, with a timeout per message. A read that timed out stays pending
 * and is the one the next read waits on, so no message is lost to an abandoned read.
 */
class StreamReader<T> {
  readonly #iterator: AsyncIterator<T>;
  #pending: Promise<IteratorResult<T>> | undefined;
  constructor(stream: AsyncIterable<T>) {
    this.#iterator = stream[Symbol.asyncIterator]();
  }
  async next(timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing heard within ${timeoutMs} ms`)), timeoutMs);
    });
    const pending = this.#pending ?? this.#iterator.next();
    this.#pending = pending;
    try {
      const result = await Promise.race([pending, timeout]);
      this.#pending = undefined;
      if (result.done === true) throw new Error(`${what}: the stream ended`);
      return result.value;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Waits for a presence status with `online`, skipping others. */
async function hear(reader: StreamReader<PresenceStatus>, online: boolean, what: string): Promise<PresenceStatus> {
  const end = performance.now() + 30_000;
  for (;;) {
    const status = await reader.next(Math.max(1, end - performance.now()), what);
    if (status.online === online) return status;
  }
}

/**
 * A presence monitor (a streamed call) on `listener` hears a user connect through `speaker` (another streamed
 * call, held open) and disconnect (the call cancelled).
 */
export async function checkPresence(listener: ChatApi, speaker: ChatApi, listenerIndex: number): Promise<CheckResult> {
  const userId = `presence-${speaker.node}-${listener.node}-${Date.now()}`;
  const lines: string[] = [];
  const problems: string[] = [];
  const figures: Record<string, number> = {};
  const monitorAbort = new AbortController();
  const connectAbort = new AbortController();
  try {
    const monitor = new StreamReader(listener.presence.monitor({ userId }, { signal: monitorAbort.signal }));
    const first = await monitor.next(30_000, `the monitor on ${listener.node}`);
    if (first.online) problems.push(`${userId} online before anyone connected`);
    const connectAt = performance.now();
    const connection = new StreamReader(speaker.presence.connect({ userId }, { signal: connectAbort.signal }));
    await connection.next(30_000, `the connection on ${speaker.node}`);
    try {
      await hear(monitor, true, `online, on ${listener.node}`);
      figures["onlineHeardMs"] = Math.round(performance.now() - connectAt);
      lines.push(
        `presence: ${userId} connected through ${speaker.node}; online heard on node ${listenerIndex + 1} ` +
          `after ${figures["onlineHeardMs"]} ms`,
      );
    } catch (error) {
      problems.push(`presence: online through ${speaker.node} not heard on ${listener.node}: ${String(error)}`);
      return { lines, problems, figures };
    }
    const disconnectAt = performance.now();
    connectAbort.abort();
    try {
      await hear(monitor, false, `offline, on ${listener.node}`);
      figures["offlineHeardMs"] = Math.round(performance.now() - disconnectAt);
      lines.push(
        `presence: ${userId} disconnected from ${speaker.node}; offline heard on node ${listenerIndex + 1} ` +
          `after ${figures["offlineHeardMs"]} ms`,
      );
    } catch (error) {
      problems.push(`presence: offline through ${speaker.node} not heard on ${listener.node}: ${String(error)}`);
    }
  } finally {
    connectAbort.abort();
    monitorAbort.abort();
  }
  return { lines, problems, figures };
}

/**
 * An ORSet (a user's friends) filled through node A and seen on every node, then deleted through A: every node
 * must then answer that the entity is deleted.
 */
export async function checkDelete(apis: readonly ChatApi[]): Promise<CheckResult> {
  const [writer] = apis;
  if (writer === undefined) throw new Error("no nodes");
  const userId = `forgetful-${Date.now()}`;
  const problems: string[] = [];
  await writer.friends.add({ userId, friend: { userId: "pal", name: "Pal" } }, deadline());
  const seenAt = performance.now();
  await Promise.all(
    apis.map((api) =>
      until(
        () => api.friends.list({ userId }, deadline()),
        (list) => list.friends.some((f) => f.userId === "pal"),
        seenAt,
        `the friend on ${api.node}`,
      ),
    ),
  );
  const at = performance.now();
  await writer.friends.forget({ userId }, deadline());
  const ended = await Promise.all(
    apis.map(async (api) => {
      try {
        await until(
          async () => {
            try {
              await api.friends.list({ userId }, deadline());
              return "answered";
            } catch (error) {
              return error instanceof ClientError ? error.details : String(error);
            }
          },
          (answer) => /deleted/i.test(answer),
          at,
          `the delete on ${api.node}`,
        );
        return true;
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
        return false;
      }
    }),
  );
  const count = ended.filter(Boolean).length;
  return {
    lines: [
      `delete: an ORSet deleted through ${writer.node}; "Entity deleted" on ${count} of ${apis.length} nodes ` +
        `after ${(performance.now() - at).toFixed(0)} ms`,
    ],
    problems,
    figures: { deleteMs: Math.round(performance.now() - at) },
  };
}

/** How long the user stays connected for the re-tally: several times Akka's notify-subscribers-interval. */
const RETALLY_HOLD_MS = 2000;

/** A user connected through one node, watched from another, for the checks that take the first node away. */
export interface HeldPresence {
  readonly userId: string;
  /** After the speaker's node went away: whether the listener heard the user go offline within `timeoutMs`. */
  offlineHeard(timeoutMs: number): Promise<boolean>;
  /**
   * The workaround: any later change of the Vote's data makes every proxy tally it again over the members that
   * are up. The user connects through `other` and disconnects; true when the monitor then heard it offline.
   */
  retally(other: ChatApi, timeoutMs: number): Promise<boolean>;
  close(): void;
}

/**
 * Connects a user through `speaker` and resolves once a monitor on `listener` heard it online. The caller then
 * takes the speaker's node away (kill -9, SIGTERM) and asks whether the monitor heard the user go offline: the
 * 0.6.0 proxy tallies a Vote over the members that are up, but only recomputes it when the CRDT's data changes,
 * never when a member leaves, so a monitor elsewhere is not told.
 */
export async function holdPresence(speaker: ChatApi, listener: ChatApi): Promise<HeldPresence> {
  const userId = `held-${speaker.node}-${Date.now()}`;
  const monitorAbort = new AbortController();
  const connectAbort = new AbortController();
  const close = (): void => {
    connectAbort.abort();
    monitorAbort.abort();
  };
  try {
    const monitor = new StreamReader(listener.presence.monitor({ userId }, { signal: monitorAbort.signal }));
    await monitor.next(30_000, `the monitor on ${listener.node}`);
    const connection = new StreamReader(speaker.presence.connect({ userId }, { signal: connectAbort.signal }));
    await connection.next(30_000, `the connection on ${speaker.node}`);
    // The proxy ends the held call when its node goes: nothing more is read from it.
    await hear(monitor, true, `online, on ${listener.node}`);
    const offlineHeard = async (timeoutMs: number): Promise<boolean> => {
      const end = performance.now() + timeoutMs;
      try {
        for (;;) {
          const status = await monitor.next(Math.max(1, end - performance.now()), "offline");
          if (!status.online) return true;
        }
      } catch {
        return false;
      }
    };
    return {
      userId,
      offlineHeard,
      retally: async (other, timeoutMs) => {
        const again = new AbortController();
        const connection = new StreamReader(other.presence.connect({ userId }, { signal: again.signal }));
        await connection.next(30_000, `the second connection on ${other.node}`);
        // The user stays online a moment, as a real one would: the replicator tells other nodes' entities of
        // changes in batches (every 500 ms), and a vote flipped and flipped back within one batch is no change
        // to them, so nothing would be tallied again.
        await new Promise((resolve) => setTimeout(resolve, RETALLY_HOLD_MS));
        again.abort();
        return offlineHeard(timeoutMs);
      },
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}
