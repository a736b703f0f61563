/**
 * `npm run cluster`: three Cloudstate nodes on one machine, each the PostgreSQL proxy (development mode off) in
 * front of its own user-function process, forming one Akka cluster on loopback (the testkit's cluster mode).
 *
 *   npm run cluster                the full run (about 4 minutes on a busy 2-core machine)
 *   npm run cluster -- --short     CI's run: fewer entities, shorter load (3 to 4 minutes)
 *   npm run cluster -- --fixes     behind the fixes artifact (not upstream) instead of the released proxy
 *   npm run cluster -- --heap=256m each proxy's -Xmx
 *
 * Checks, through the proxies' public gRPC API with clients spread over all nodes: entities spread over the three
 * user functions; commands per second through one node and through three; `kill -9` of the oldest node (proxy and
 * user function) while clients write, the time until its entities are served again by the survivors (recovered
 * from PostgreSQL), its restart and the shards rebalanced onto it; a rolling restart of every node (the first
 * stop timed as a graceful leave); every acknowledged command read back through every node; then CRDTs changed
 * through one node and seen through the others, write consistency `all` and `majority`, a streamed presence
 * monitor on one node hearing a user connect and disconnect on another (both ways), and a delete ending the entity
 * everywhere. Exits 1 on any lost command or failed check. Logs in cluster-results/logs/, figures in
 * cluster-results/summary.json. Every process started is stopped on every path.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CloudstateCluster, userFunctionScript, type ClusterNode } from "./cluster.js";
import { retryUntil, startPostgres, type Postgres } from "cloudstate-ts-devkit";
import { commandLine } from "../support/cli-args.js";
import { ROOT } from "../support/root.js";
import { Api, idSequence, readBack } from "../soak/clients.js";
import { Logs } from "../soak/faults.js";
import { addCounts, compare, isClean, KINDS, Ledger, zeroCounts, type Counts, type Kind } from "../soak/ledger.js";
import { formatCounts, formatFailures } from "../soak/report.js";
import {
  ChatApi,
  checkConsistency,
  checkConvergence,
  checkDelete,
  checkPresence,
  holdPresence,
  type CheckResult,
  type HeldPresence,
} from "./crdt-checks.js";
import { FirstCommands } from "./first-commands.js";
import { PeakMemory } from "./memory.js";
import { SERVICE, servedAgain, spread, WriterPool, type EntityRef } from "./writers.js";

const { values: args } = commandLine("cluster", "usage: npm run cluster -- [--short] [--fixes] [--heap=256m]", {
  options: {
    short: { type: "boolean", default: false },
    fixes: { type: "boolean", default: false },
    heap: { type: "string", default: "256m" },
  },
});
if (!/^\d+[mg]$/.test(args.heap)) throw new Error(`--heap must look like 256m or 1g, got ${args.heap}`);
const short = args.short;
const plan = {
  mode: `${short ? "short" : "full"}${args.fixes ? ", fixes artifact" : ", released proxy"}`,
  heap: args.heap,
  /** Entities per kind written through the kill and the rolling restart. */
  entitiesPerKind: short ? 6 : 15,
  /** Clients per kind for the throughput comparison, and how long each of its two runs lasts. */
  loadClientsPerKind: short ? 6 : 12,
  loadMs: short ? 8_000 : 20_000,
  convergenceRounds: short ? 3 : 9,
  deadlineMs: 10_000,
};

const HERE = new URL(".", import.meta.url).pathname;
const RESULTS = join(ROOT, "cluster-results");
const began = performance.now();
const seconds = (): string => ((performance.now() - began) / 1000).toFixed(1).padStart(6);
const log = (line: string): void => console.log(`[${seconds()} s] ${line}`);
const problems: string[] = [];
const report: string[] = [];
const say = (line: string): void => {
  report.push(line);
  log(line);
};
const figures: Record<string, unknown> = {};

const logs = new Logs(join(RESULTS, "logs"));
const firsts = new FirstCommands();
const ledger = new Ledger();
const nextId = idSequence();
const PHASES = { spread: 1, load1: 2, load3: 3, kill: 4, rolling: 5 } as const;
let postgres: Postgres | undefined;
let cluster: CloudstateCluster | undefined;
let memory: PeakMemory | undefined;
const apis: Api[] = [];
const chats: ChatApi[] = [];
const pools: WriterPool[] = [];

/** Entity sets written to. */
const entities = (prefix: string, perKind: number): EntityRef[] =>
  KINDS.flatMap((kind) =>
    Array.from({ length: perKind }, (_, i) => ({ kind, entity: `${prefix}-${SERVICE[kind]}-${i + 1}` })),
  );
const main = entities("e", plan.entitiesPerKind);

function startPool(phase: number, refs: readonly EntityRef[], nodeOf?: (index: number) => number): WriterPool {
  const pool = new WriterPool({
    apis,
    ledger,
    entities: refs,
    nextId,
    phase,
    deadlineMs: plan.deadlineMs,
    ...(nodeOf === undefined ? {} : { nodeOf }),
  });
  pools.push(pool);
  return pool;
}

/** Waits for `more` acknowledgements of each kind. */
function acknowledged(more: number, what: string): Promise<void[]> {
  return Promise.all(KINDS.map((kind) => ledger.waitForAcknowledged(kind, more, 180_000, what)));
}

/** The main entities whose current home is `node`'s user function. */
function homedOn(node: ClusterNode): EntityRef[] {
  return main.filter((ref) => firsts.homes(SERVICE[ref.kind]).get(ref.entity) === node.name);
}

/**
 * After `node` went away at `since`: the time until every entity it served answers through the others, and
 * whether the survivors' user functions found their state (snapshot plus events, or the stored value).
 */
async function handoff(
  node: ClusterNode,
  homed: readonly EntityRef[],
  since: number,
  what: string,
  /** Fail unless some entity is seen arriving with its state (true when the survivors never served them). */
  expectArrivals: boolean,
): Promise<number> {
  const survivors = apis.filter((_, i) => cluster?.nodes[i] !== node);
  const times = await servedAgain(homed, survivors, since, 180_000);
  const { median, max } = spread(times);
  // A survivor's user function prints a line the first time it handles an entity; one that had served the entity
  // before (earlier in the run) prints none. A line with an empty state for an entity with acknowledged commands
  // would be a handoff that lost its state.
  const lines = firsts.since(since, (f) => f.node !== node.name);
  const line = (ref: EntityRef) => lines.find((f) => f.service === SERVICE[ref.kind] && f.entity === ref.entity);
  const withState = homed.filter((ref) => (line(ref)?.stateSize ?? 0) > 0).length;
  const empty = homed.filter((ref) => line(ref)?.stateSize === 0);
  say(
    `${what}: its ${homed.length} entities served again through the others after median ` +
      `${(median / 1000).toFixed(1)} s, all after ${(max / 1000).toFixed(1)} s; on the survivors' user functions ` +
      `${withState} arrived with their state, ${empty.length} empty, ` +
      `${homed.length - withState - empty.length} had been served there before`,
  );
  if (empty.length > 0)
    problems.push(`${what}: ${empty.map((r) => r.entity).join(", ")} arrived on a survivor with an empty state`);
  if (expectArrivals && homed.length > 0 && withState === 0)
    problems.push(`${what}: no entity was seen arriving with its state`);
  return max;
}

/** Reads every entity written back through every node and compares it with the ledger. */
async function verifyEverywhere(): Promise<Record<Kind, Counts>> {
  const totals: Record<Kind, Counts> = { "event-sourced": zeroCounts(), value: zeroCounts() };
  const perPhase = new Map<number, Record<Kind, Counts>>();
  let disagreements = 0;
  for (const kind of KINDS) {
    for (const [entity, commands] of ledger.byEntity(kind)) {
      const reads = [];
      for (const api of apis)
        reads.push(
          await retryUntil(
            `reading ${kind} ${entity}`,
            () => readBack(api, kind, entity, AbortSignal.timeout(20_000)),
            120_000,
          ),
        );
      const [first, ...others] = reads;
      if (first === undefined) continue;
      const shown = (observed: ReadonlyMap<string, number>): string => JSON.stringify([...observed].sort());
      if (others.some((other) => shown(other.observed) !== shown(first.observed))) {
        disagreements++;
        problems.push(`${kind} ${entity}: the nodes read back different states`);
      }
      const all = compare(commands, first.observed);
      addCounts(totals[kind], all.counts);
      if (all.lostIds.length > 0) problems.push(`${kind} ${entity}: lost ${all.lostIds.slice(0, 10).join(", ")}`);
      if (all.duplicatedIds.length > 0)
        problems.push(`${kind} ${entity}: applied twice ${all.duplicatedIds.join(", ")}`);
      for (const phase of Object.values(PHASES)) {
        const counts = perPhase.get(phase) ?? { "event-sourced": zeroCounts(), value: zeroCounts() };
        addCounts(counts[kind], compare(commands, first.observed, (c) => c.cycle === phase).counts);
        perPhase.set(phase, counts);
      }
    }
  }
  const entitiesRead = KINDS.reduce((n, kind) => n + ledger.byEntity(kind).size, 0);
  say(
    `read back: ${entitiesRead} entities through each of ${apis.length} nodes; ` +
      `${entitiesRead - disagreements} of ${entitiesRead} identical on every node`,
  );
  for (const [name, phase] of Object.entries(PHASES)) {
    const counts = perPhase.get(phase);
    if (counts === undefined) continue;
    for (const kind of KINDS) figures[`counts.${name}.${kind}`] = counts[kind];
    if (name === "kill" || name === "rolling")
      for (const kind of KINDS)
        say(
          `  during the ${name === "kill" ? "kill -9" : "rolling restart"}: ${kind.padEnd(13)} ${formatCounts(counts[kind])}`,
        );
  }
  return totals;
}

/** One timed run of the same load, through the nodes `nodeOf` picks; acknowledged commands per second. */
async function load(phase: number, prefix: string, nodeOf: (index: number) => number): Promise<number> {
  const refs = entities(prefix, plan.loadClientsPerKind);
  const before = KINDS.reduce((n, kind) => n + ledger.acknowledged(kind), 0);
  const at = performance.now();
  const pool = startPool(phase, refs, nodeOf);
  await new Promise((resolve) => setTimeout(resolve, plan.loadMs));
  await pool.stop();
  const elapsed = (performance.now() - at) / 1000;
  const after = KINDS.reduce((n, kind) => n + ledger.acknowledged(kind), 0);
  return (after - before) / elapsed;
}

/**
 * Reports whether a monitor heard a user go offline whose node went away. The 0.6.0 proxy does not tell it (see
 * holdPresence): counted as a known proxy limitation, not as a failure of this library.
 */
function presenceAfterLoss(held: HeldPresence, heard: boolean, what: string, listener: ChatApi): void {
  const line = heard
    ? `presence: ${held.userId}, connected through the node lost in the ${what}: offline heard on ${listener.node}`
    : `presence: ${held.userId}, connected through the node lost in the ${what}: still online on ` +
      `${listener.node} 15 s after the node was removed (KNOWN PROXY LIMITATION: a Vote is not re-tallied when a member leaves)`;
  say(line);
  figures[`presenceOfflineHeardAfter ${what}`] = heard;
}

function take(result: CheckResult): void {
  for (const line of result.lines) say(line);
  problems.push(...result.problems);
  Object.assign(figures, result.figures);
}

log(`cluster (${plan.mode}): 3 nodes, proxies with -Xmx${plan.heap}; logs in ${join(RESULTS, "logs")}`);
try {
  postgres = await startPostgres({ log, maxConnections: 150 });
  log(`PostgreSQL: private cluster on 127.0.0.1:${postgres.port} (max_connections 150; 25 per proxy)`);
  const clusterStart = performance.now();
  cluster = await CloudstateCluster.start({
    postgres: postgres.connection,
    fixes: args.fixes,
    heap: plan.heap,
    userFunction: userFunctionScript(join(HERE, "user-function.ts"), {
      onOutput: (node, chunk) => {
        firsts.add(node.name, chunk, performance.now());
        logs.sink(`${node.name}-user-function`)(chunk);
      },
    }),
    // The proxy logs every command at DEBUG: megabytes a minute under load.
    jvmOptions: ["-Dorg.slf4j.simpleLogger.log.io.cloudstate.proxy=info", "-Dakka.log-dead-letters=100"],
    onOutput: (node, chunk) => logs.sink(`${node.name}-proxy`)(chunk),
    onMemberEvent: (event) =>
      log(`member ${event.kind}: ${event.node?.name ?? "?"} (${event.address}), logged by ${event.loggedBy.name}`),
  });
  const nodes = cluster.nodes;
  for (const node of nodes)
    log(
      `${node.name}: gRPC ${node.address}, user function :${node.ports.userFunction}, remoting ` +
        `:${node.ports.remoting}, management :${node.ports.management}, metrics :${node.ports.metrics}`,
    );
  say(
    `${cluster.members.length} members up after ${((performance.now() - clusterStart) / 1000).toFixed(1)} s ` +
      `(oldest: ${cluster.oldest?.name ?? "?"})`,
  );
  const running = cluster;
  memory = new PeakMemory(() => {
    const targets = new Map<string, number | undefined>();
    for (const node of running.nodes) {
      targets.set(`${node.name} proxy`, node.proxy?.process.child.pid);
      targets.set(`${node.name} user function`, node.userFunction?.process?.child.pid);
    }
    return targets;
  });
  for (const node of nodes) apis.push(new Api(node.ports.http));
  for (const node of nodes) chats.push(new ChatApi(node.name, node.ports.http));
  // Online and ready; the shards may still be starting, so the first reads are retried.
  for (const [i, api] of apis.entries())
    for (const kind of KINDS)
      await retryUntil(
        `a first ${kind} read through node-${i + 1}`,
        () => readBack(api, kind, `warm-up-${i}`, AbortSignal.timeout(20_000)),
        120_000,
      );

  // Spread: the main entities written through all three nodes until every one was handled somewhere.
  let pool = startPool(PHASES.spread, main);
  await firsts.waitUntil(
    () => main.every((ref) => firsts.homes(SERVICE[ref.kind]).has(ref.entity)),
    "a first command for every entity",
    180_000,
  );
  await acknowledged(plan.entitiesPerKind * 2, "spread");
  await pool.stop();
  const byNode = firsts.countByNode(["cart", "tally"]);
  say(
    `entities spread: ${nodes.map((n) => `${n.name} ${byNode.get(n.name) ?? 0}`).join(", ")} ` +
      `(entities whose first command each user function handled)`,
  );
  if (nodes.some((n) => (byNode.get(n.name) ?? 0) === 0))
    problems.push("entities were not spread over all three nodes");

  // Throughput: the same load through one node, then through all three.
  const oneNode = await load(PHASES.load1, "l1", () => 0);
  const threeNodes = await load(PHASES.load3, "l3", (i) => i % nodes.length);
  figures["commandsPerSecond"] = { oneNode: Math.round(oneNode), threeNodes: Math.round(threeNodes) };
  say(
    `throughput (${plan.loadClientsPerKind * 2} clients, ${plan.loadMs / 1000} s each): ${oneNode.toFixed(0)} ` +
      `commands/s through 1 node, ${threeNodes.toFixed(0)} commands/s through 3 nodes`,
  );

  // kill -9 of the oldest node while clients write.
  pool = startPool(PHASES.kill, main);
  await acknowledged(plan.entitiesPerKind, "before the kill");
  const victim = cluster.oldest ?? nodes[0];
  if (victim === undefined) throw new Error("no node to kill");
  const homed = homedOn(victim);
  const victimIndex = nodes.indexOf(victim);
  const watcher = chats[(victimIndex + 1) % chats.length];
  const victimChat = chats[victimIndex];
  if (watcher === undefined || victimChat === undefined) throw new Error("no chat clients");
  const killedPresence = await holdPresence(victimChat, watcher);
  log(`kill -9 of ${victim.name} (the oldest member), proxy and user function, serving ${homed.length} entities`);
  const killAt = performance.now();
  await victim.kill();
  // Watched from the kill on, so the time is the downing's, not the end of the wait below.
  const downed = cluster.waitForRemoved(victim, 180_000).then(() => performance.now() - killAt);
  downed.catch(() => undefined);
  const killServedMs = await handoff(victim, homed, killAt, `kill -9 of ${victim.name}`, true);
  figures["killToDownedMs"] = Math.round(await downed);
  const heardAfterKill = await killedPresence.offlineHeard(15_000);
  presenceAfterLoss(killedPresence, heardAfterKill, `kill -9 of ${victim.name}`, watcher);
  if (!heardAfterKill) {
    // The workaround in docs/cluster.md: a later vote change anywhere re-tallies over the members up.
    // Through the third node: a vote changed on the listener's own node is applied there without a re-tally.
    const third = chats[(victimIndex + 2) % chats.length];
    if (third === undefined) throw new Error("three nodes expected");
    const heard = await killedPresence.retally(third, 15_000);
    say(
      `presence workaround: the user connected and disconnected once more through ${third.node}: ` +
        `${heard ? "offline heard" : "STILL NOT offline"} on ${watcher.node}`,
    );
    if (!heard) problems.push("presence: a later vote change did not re-tally the lost node's vote");
  }
  killedPresence.close();
  figures["killToServedMs"] = Math.round(killServedMs);
  const restartAt = performance.now();
  await victim.start();
  await cluster.waitForMembers(nodes.length, 180_000);
  say(
    `${victim.name} restarted and rejoined after ${((performance.now() - restartAt) / 1000).toFixed(1)} s: 3 members up`,
  );
  await firsts.waitUntil(
    () => firsts.since(restartAt, (f) => f.node === victim.name && f.stateSize > 0).length > 0,
    `shards rebalanced onto ${victim.name}`,
    120_000,
  );
  const rebalanced = firsts.since(restartAt, (f) => f.node === victim.name && f.stateSize > 0).length;
  say(`rebalance: ${victim.name}'s new user function took over entities with their state (${rebalanced} so far)`);
  await acknowledged(plan.entitiesPerKind, "after the kill");
  await pool.stop();
  for (const line of formatFailures(pool.failures, 4)) log(`  failures: ${line}`);

  // Rolling restart: each node stopped (SIGTERM) and started again in turn, clients writing throughout.
  pool = startPool(PHASES.rolling, main);
  await acknowledged(plan.entitiesPerKind, "before the rolling restart");
  for (const [i, node] of nodes.entries()) {
    const leaving = homedOn(node);
    const at = performance.now();
    log(`rolling restart: SIGTERM to ${node.name} (serving ${leaving.length} entities)`);
    if (i === 0) {
      const listener = chats[(i + 1) % chats.length];
      const speaker = chats[i];
      if (listener === undefined || speaker === undefined) throw new Error("no chat clients");
      const held = await holdPresence(speaker, listener);
      const stopped = node.stop();
      const leaveMs = await handoff(node, leaving, at, `graceful leave of ${node.name}`, false);
      figures["gracefulLeaveServedMs"] = Math.round(leaveMs);
      await stopped;
      await cluster.waitForRemoved(node, 120_000);
      presenceAfterLoss(held, await held.offlineHeard(15_000), `graceful leave of ${node.name}`, listener);
      held.close();
    } else await node.stop();
    await node.start();
    await cluster.waitForMembers(nodes.length, 180_000);
    log(`rolling restart: ${node.name} back after ${((performance.now() - at) / 1000).toFixed(1)} s; 3 members up`);
    await acknowledged(4, `after restarting ${node.name}`);
  }
  await pool.stop();
  const refusedLines = formatFailures(pool.failures, 4);
  say(`rolling restart: ${refusedLines.length === 0 ? "no command failed" : "failed commands, by message:"}`);
  for (const line of refusedLines) say(`  ${line}`);
  const unclear = pools.reduce((n, p) => n + p.unclear, 0);
  if (unclear > 0) problems.push(`${unclear} failed commands had no clear message`);

  const totals = verifyEverywhere();
  for (const [kind, counts] of Object.entries(await totals)) {
    say(`${kind.padEnd(13)} ${formatCounts(counts)}`);
    if (!isClean(counts)) problems.push(`${kind}: ${formatCounts(counts)}`);
  }

  // CRDTs.
  take(await checkConvergence(chats, plan.convergenceRounds));
  take(await checkConsistency(chats, "all"));
  take(await checkConsistency(chats, "majority"));
  const [a, , c] = chats;
  if (a === undefined || c === undefined) throw new Error("three nodes expected");
  take(await checkPresence(c, a, 2));
  take(await checkPresence(a, c, 0));
  take(await checkDelete(chats));
} catch (error) {
  problems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  for (const node of cluster?.nodes ?? [])
    if (node.proxy !== undefined)
      console.error(`\n--- ${node.name} proxy, last lines ---\n${node.proxy.process.tail(20)}`);
} finally {
  await Promise.allSettled(pools.map((pool) => pool.stop()));
  memory?.stop();
  for (const api of apis) api.close();
  for (const chat of chats) chat.close();
  await cluster?.stop();
  await postgres?.stop();
  await logs.close();
}

const peaks = [...(memory?.peaks ?? new Map<string, number>())].sort(([x], [y]) => x.localeCompare(y));
figures["peakRssMiB"] = Object.fromEntries(peaks.map(([name, mib]) => [name, Math.round(mib)]));
console.log(`\n== cluster (${plan.mode}) summary: ${seconds().trim()} s ==`);
for (const line of report) console.log(line);
console.log(`peak memory (RSS): ${peaks.map(([name, mib]) => `${name} ${mib.toFixed(0)} MiB`).join(", ")}`);
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  join(RESULTS, "summary.json"),
  JSON.stringify({ plan, seconds: Number(seconds()), report, figures, problems }, null, 2),
);
if (problems.length > 0) {
  console.log(`\nFAILED:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log("\nOK: lost 0 for every kind; every check passed");
