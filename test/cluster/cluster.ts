/**
 * A Cloudstate cluster on one machine, for integration tests: N nodes, each the PostgreSQL-flavour proxy with
 * development mode off in front of its own user function, forming one Akka cluster on loopback through fixed seed
 * nodes. Event-sourced and value entities are sharded across the nodes and move when one leaves; CRDTs are
 * replicated between them. Nodes can be killed (`kill -9`), stopped (a graceful leave) and started again on the
 * same ports.
 *
 * Why these settings (Cloudstate 0.6.0, `cloudstate-common.conf` and `CloudStateProxyMain`): without development
 * mode the proxy starts Akka Management and cluster bootstrap, whose contact-point discovery is the Kubernetes API;
 * bootstrap steps aside when `akka.cluster.seed-nodes` is set, so every node gets the same seed list. Telemetry is
 * on whenever development mode is off, so each node needs its own metrics port, as it needs its own remoting and
 * management ports. `min-nr-of-members` stays at 2 for three nodes: with 3, a coordinator restarted after the
 * oldest node's death waits for three registered nodes and its shards stay unreachable until that node returns.
 */
import { CloudstateServer, type Logger, type ServableEntity } from "cloudstate-ts";
import { chooseProxySource, type ChosenProxySource, type ProxySource } from "../../devkit/launch/proxy-source.js";
import { memoryLogger } from "cloudstate-ts/testkit";
import { freePort, type Started } from "../../devkit/launch/processes.js";
import { startProxy, type PostgresConnection, type ProxyProcess } from "../../devkit/launch/proxy.js";
import { startUserFunctionProcess } from "../../devkit/launch/user-function.js";
import { Conditions } from "../../runtime/testkit/conditions.js";

/** The ports of one node, all on 127.0.0.1, fixed for the cluster's life so a restarted node comes back on them. */
export interface ClusterNodePorts {
  /** The proxy's public port (`HTTP_PORT`): gRPC, HTTP/JSON, reflection. */
  readonly http: number;
  /** Where the proxy finds this node's user function (`USER_FUNCTION_PORT`). */
  readonly userFunction: number;
  /** Akka remoting (`REMOTING_PORT`): the node's address in the cluster. */
  readonly remoting: number;
  /** Akka Management (`MANAGEMENT_PORT`): `/ready` and `/alive`. */
  readonly management: number;
  /** The Prometheus exporter (`METRICS_PORT`), on whenever development mode is off. */
  readonly metrics: number;
}

/** A node's user function as the cluster sees it: something it can stop cleanly or as a crash. */
export interface ClusterUserFunction {
  /** Ends it cleanly (SIGTERM, or a graceful server shutdown); resolves once it is gone. */
  stop(): Promise<void>;
  /** Ends it as `kill -9` would; resolves once it is gone. */
  kill(): Promise<void>;
  /** The child process, when it runs in one. */
  readonly process?: Started;
}

/** Which node a user function is started for. */
export interface ClusterNodeInfo {
  /** 0-based. */
  readonly index: number;
  /** `node-1`, `node-2`, … */
  readonly name: string;
  /** The port it must listen on, on 127.0.0.1. */
  readonly port: number;
}

/** Starts a node's user function; resolves once it listens. */
export type ClusterUserFunctionStarter = (node: ClusterNodeInfo) => Promise<ClusterUserFunction>;

/**
 * Serves `entities` in this process for each node (one server per node). Enough for most tests; a crash then
 * resets the connections but cannot kill a process: use {@link userFunctionScript} for `kill -9` tests.
 */
export function servedInProcess(
  entities: readonly ServableEntity[],
  options: { readonly logger?: (node: ClusterNodeInfo) => Logger } = {},
): ClusterUserFunctionStarter {
  return async (node) => {
    const server = new CloudstateServer({ entities, logger: options.logger?.(node) ?? memoryLogger() });
    await server.start({ host: "127.0.0.1", port: node.port });
    return { stop: () => server.shutdown(5000), kill: () => server.shutdown(0) };
  };
}

/** Runs a user function's script (`node [--import tsx] script`) in a child process for each node. */
export function userFunctionScript(
  script: string,
  options: {
    readonly cwd?: string;
    readonly env?: Readonly<Record<string, string>>;
    readonly onOutput?: (node: ClusterNodeInfo, chunk: string) => void;
  } = {},
): ClusterUserFunctionStarter {
  return async (node) => {
    const started = await startUserFunctionProcess({
      name: `user function (${node.name})`,
      script,
      port: node.port,
      env: { ...options.env, CLUSTER_NODE: node.name },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.onOutput === undefined ? {} : { onOutput: (chunk: string) => options.onOutput?.(node, chunk) }),
    });
    return {
      process: started,
      stop: () => started.stop("SIGTERM", 15_000),
      kill: () => started.stop("SIGKILL"),
    };
  };
}

/** How to start a cluster. */
export interface ClusterOptions {
  /** The one database every node shares (see `startPostgres`; give it `maxConnections` above 25 per node). */
  readonly postgres: PostgresConnection;
  /** Each node's user function: entities served in this process, or a starter such as {@link userFunctionScript}. */
  readonly userFunction: readonly ServableEntity[] | ClusterUserFunctionStarter;
  /** How many nodes. Default 3. */
  readonly nodes?: number;
  /** The fixes artifact (not upstream) first on every proxy's classpath. Default false: the released proxy. */
  readonly fixes?: boolean;
  /** The proxies' classpath; resolved with Maven (PostgreSQL flavour, {@link fixes}) unless given. */
  readonly classpath?: string;
  /** Where the proxies come from when no classpath is given: see `ProxyOptions.source`. Default `auto`. */
  readonly source?: ProxySource;
  /** The PostgreSQL proxy's image when they run from one: see `ProxyOptions.image`. */
  readonly image?: string;
  /** Each proxy's `-Xmx`. Default `256m`: three proxies and three user functions fit on a small machine. */
  readonly heap?: string;
  /** `akka.cluster.split-brain-resolver.stable-after`: how long after a node becomes unreachable it is downed. Default `5s` (Akka's is 20 s). */
  readonly stableAfter?: string;
  /** `akka.cluster.min-nr-of-members`. Default 2 (see the module's comment on why not the node count). */
  readonly minMembers?: number;
  /** More JVM options for every proxy, after the cluster's own. */
  readonly jvmOptions?: readonly string[];
  /** More environment variables for every proxy. */
  readonly env?: Readonly<Record<string, string>>;
  /** Sees each chunk a node's proxy prints. */
  readonly onOutput?: (node: ClusterNode, chunk: string) => void;
  /** Told of membership changes as the proxies log them (a node up, removed). */
  readonly onMemberEvent?: (event: MemberEvent) => void;
  /** How long a node may take to be ready (JVM start on a loaded machine included). Default 180 s. */
  readonly timeoutMs?: number;
}

/** A membership change, as the cluster's leader logged it. */
export interface MemberEvent {
  /** `up`: the leader moved the node to Up (it joined); `removed`: the leader removed it (it left or was downed). */
  readonly kind: "up" | "removed";
  /** The node it is about (undefined for an address no node of this cluster has). */
  readonly node: ClusterNode | undefined;
  /** Its Akka address, `akka://cloudstate-proxy@127.0.0.1:<remoting port>`. */
  readonly address: string;
  /** The node whose proxy logged it (the leader at the time). */
  readonly loggedBy: ClusterNode;
}

const MEMBER_UP = /Leader is moving node \[(akka:\/\/[^\]]+)\] to \[Up\]/;
const MEMBER_REMOVED = /Leader is removing (?:unreachable|confirmed Exiting|exiting) node \[(akka:\/\/[^\]]+)\]/;
/** Akka's system name in the proxy. */
const SYSTEM = "cloudstate-proxy";

/** One node: a proxy and its user function. */
export class ClusterNode {
  #proxy: ProxyProcess | undefined;
  #userFunction: ClusterUserFunction | undefined;
  #starts = 0;
  /** The unfinished last line of the proxy's output, for the membership watch. */
  #partial = "";

  constructor(
    /** The cluster this node belongs to. */
    readonly cluster: CloudstateCluster,
    /** The node's position in {@link CloudstateCluster.nodes}, 0-based. */
    readonly index: number,
    /** The ports this node's proxy and user function use, fixed for its whole life (restarts included). */
    readonly ports: ClusterNodePorts,
  ) {}

  /** `node-1`, `node-2`, … */
  get name(): string {
    return `node-${this.index + 1}`;
  }

  /** `127.0.0.1:<http port>`, for gRPC clients of this node's proxy. */
  get address(): string {
    return `127.0.0.1:${this.ports.http}`;
  }

  /** `http://127.0.0.1:<http port>`, for HTTP/JSON. */
  get httpUrl(): string {
    return `http://${this.address}`;
  }

  /** This node's address in the Akka cluster. */
  get akkaAddress(): string {
    return `akka://${SYSTEM}@127.0.0.1:${this.ports.remoting}`;
  }

  /** The running proxy, if any. */
  get proxy(): ProxyProcess | undefined {
    return this.#proxy;
  }

  /** The running user function, if any. */
  get userFunction(): ClusterUserFunction | undefined {
    return this.#userFunction;
  }

  /** True while the proxy runs. */
  get running(): boolean {
    return this.#proxy !== undefined && !this.#proxy.process.exited;
  }

  /** How many times this node was started. */
  get starts(): number {
    return this.#starts;
  }

  /**
   * Starts the user function, then the proxy; resolves once the proxy is online and its `/ready` check answers
   * 200 (which is also what makes the JDBC proxy create its tables when development mode is off).
   */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const options = this.cluster.options;
    this.#starts++;
    const info: ClusterNodeInfo = { index: this.index, name: this.name, port: this.ports.userFunction };
    this.#userFunction = await this.cluster.userFunctionStarter(info);
    const timeoutMs = options.timeoutMs ?? 180_000;
    try {
      this.#partial = "";
      this.#proxy = await startProxy({
        name: `proxy (${this.name})`,
        flavour: "postgres",
        devMode: false,
        postgres: options.postgres,
        ...(this.cluster.proxySource.kind === "maven"
          ? { classpath: this.cluster.proxySource.classpath }
          : { source: "image" as const, image: this.cluster.proxySource.image }),
        userFunctionPort: this.ports.userFunction,
        port: this.ports.http,
        env: {
          REMOTING_PORT: String(this.ports.remoting),
          MANAGEMENT_PORT: String(this.ports.management),
          METRICS_HOST: "127.0.0.1",
          METRICS_PORT: String(this.ports.metrics),
          ...options.env,
        },
        jvmOptions: [
          `-Xmx${options.heap ?? "256m"}`,
          "-Dakka.management.http.hostname=127.0.0.1",
          ...this.cluster.nodes.map((node, i) => `-Dakka.cluster.seed-nodes.${i}=${node.akkaAddress}`),
          `-Dakka.cluster.split-brain-resolver.stable-after=${options.stableAfter ?? "5s"}`,
          `-Dakka.cluster.min-nr-of-members=${options.minMembers ?? 2}`,
          ...(options.jvmOptions ?? []),
        ],
        waitUntil: "started",
        timeoutMs,
        onOutput: (chunk) => this.#output(chunk),
      });
      await this.#proxy.process.waitFor(/CloudState proxy online at/, timeoutMs);
      await this.waitReady(timeoutMs);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  #output(chunk: string): void {
    this.cluster.options.onOutput?.(this, chunk);
    const lines = (this.#partial + chunk).split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) {
      const up = MEMBER_UP.exec(line);
      if (up?.[1] !== undefined) this.cluster.memberEvent("up", up[1], this);
      const removed = MEMBER_REMOVED.exec(line);
      if (removed?.[1] !== undefined) this.cluster.memberEvent("removed", removed[1], this);
    }
  }

  /** Whether the proxy's readiness check (`GET /ready` on the management port) answers 200 now. */
  async ready(): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.ports.management}/ready`, {
        signal: AbortSignal.timeout(5000),
      });
      await response.body?.cancel();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Resolves once `/ready` answers 200; fails when the proxy exits first or after `timeoutMs`. */
  async waitReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.ready())) {
      const proxy = this.#proxy?.process;
      if (proxy === undefined || proxy.exited)
        throw new Error(`${this.name}: the proxy exited before it was ready:\n${proxy?.tail() ?? ""}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name}: /ready did not answer 200 within ${timeoutMs} ms:\n${proxy.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** `kill -9` of the proxy and the user function at once; resolves once both are gone. */
  async kill(): Promise<void> {
    await Promise.allSettled([this.#proxy?.kill(), this.#userFunction?.kill()]);
    this.#proxy = undefined;
    this.#userFunction = undefined;
  }

  /**
   * A graceful leave: SIGTERM to the proxy (its coordinated shutdown leaves the cluster and hands its shards
   * off), then the user function is stopped cleanly.
   */
  async stop(): Promise<void> {
    await this.#proxy?.process.stop("SIGTERM", 30_000);
    await this.#userFunction?.stop();
    this.#proxy = undefined;
    this.#userFunction = undefined;
  }

  /** Stops (or kills, with `kill: true`) and starts again on the same ports. */
  async restart(options: { readonly kill?: boolean } = {}): Promise<void> {
    await (options.kill === true ? this.kill() : this.stop());
    await this.start();
  }
}

/**
 * N proxies in one Akka cluster on loopback, each in front of its own user function, all on one PostgreSQL
 * database.
 *
 * ```ts
 * const postgres = await startPostgres({ maxConnections: 150 });
 * await using cluster = await CloudstateCluster.start({ postgres: postgres.connection, userFunction: [counter] });
 * const [a, b] = cluster.nodes;   // a.address, b.address: gRPC through either proxy
 * await a.kill();                 // its entities move to the survivors
 * await a.start();                // and it rejoins
 * ```
 */
export class CloudstateCluster implements AsyncDisposable {
  /** Every node, in index order, whether running or stopped. */
  readonly nodes: readonly ClusterNode[];
  /**
   * What every proxy runs: {@link ClusterOptions.classpath}, the one resolved with Maven, or (when Maven cannot
   * resolve it, or when asked) the PostgreSQL proxy's image. Decided once, so every node runs the same proxy.
   */
  readonly proxySource: ChosenProxySource;
  /** How each node's user function is started: the given starter, or one that serves the entities in process. */
  readonly userFunctionStarter: ClusterUserFunctionStarter;
  /** The Akka addresses the leader last moved to Up and has not removed since. */
  readonly #up = new Set<string>();
  /** The same addresses in the order they were moved to Up: Akka's oldest member first. */
  #upOrder: string[] = [];
  readonly #conditions = new Conditions();

  private constructor(
    /** The options the cluster was started with. */
    readonly options: ClusterOptions,
    ports: readonly ClusterNodePorts[],
  ) {
    this.proxySource =
      options.classpath !== undefined
        ? { kind: "maven", classpath: options.classpath }
        : chooseProxySource({
            flavour: "postgres",
            fixes: options.fixes ?? false,
            ...(options.source === undefined ? {} : { source: options.source }),
            ...(options.image === undefined ? {} : { image: options.image }),
          });
    const given = options.userFunction;
    this.userFunctionStarter = typeof given === "function" ? given : servedInProcess(given);
    this.nodes = ports.map((p, index) => new ClusterNode(this, index, p));
  }

  /**
   * Picks free ports for every node, starts all nodes at once and resolves once every proxy is online and ready
   * and all of them are members. Stops whatever started if any step fails.
   */
  static async start(options: ClusterOptions): Promise<CloudstateCluster> {
    const count = options.nodes ?? 3;
    if (!Number.isInteger(count) || count < 1) throw new Error(`a cluster needs a whole number of nodes, got ${count}`);
    const ports: ClusterNodePorts[] = [];
    const taken = new Set<number>();
    const fresh = async (): Promise<number> => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) {
          taken.add(port);
          return port;
        }
      }
    };
    for (let i = 0; i < count; i++)
      ports.push({
        http: await fresh(),
        userFunction: await fresh(),
        remoting: await fresh(),
        management: await fresh(),
        metrics: await fresh(),
      });
    const cluster = new CloudstateCluster(options, ports);
    try {
      const started = await Promise.allSettled(cluster.nodes.map((node) => node.start()));
      const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      await cluster.waitForMembers(count, options.timeoutMs ?? 180_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The node whose Akka address is `address`. */
  nodeAt(address: string): ClusterNode | undefined {
    return this.nodes.find((node) => node.akkaAddress === address);
  }

  /** The nodes the leader moved to Up and has not removed since, as logged. */
  get members(): ClusterNode[] {
    return this.nodes.filter((node) => this.#up.has(node.akkaAddress));
  }

  /**
   * The oldest member (the first the leader moved to Up of those still members): it hosts the cluster singletons,
   * such as the shard coordinators, so its loss is the hardest case for a handoff.
   */
  get oldest(): ClusterNode | undefined {
    const first = this.#upOrder[0];
    return first === undefined ? undefined : this.nodeAt(first);
  }

  /** @internal Called by a node for each membership line its proxy logs. */
  memberEvent(kind: MemberEvent["kind"], address: string, loggedBy: ClusterNode): void {
    const known = this.#up.has(address);
    if (kind === "up" && !known) {
      this.#up.add(address);
      this.#upOrder.push(address);
    } else if (kind === "removed" && known) {
      this.#up.delete(address);
      this.#upOrder = this.#upOrder.filter((a) => a !== address);
    } else return;
    this.options.onMemberEvent?.({ kind, node: this.nodeAt(address), address, loggedBy });
    this.#conditions.changed();
  }

  /** Resolves once `count` nodes are members (Up, as logged by the leader); fails after `timeoutMs`. */
  waitForMembers(count: number, timeoutMs = 120_000): Promise<void> {
    return this.#waitUntil(() => this.#up.size === count, `${count} members up`, timeoutMs);
  }

  /** Resolves once `node` is no member any more (downed after a crash, or left); fails after `timeoutMs`. */
  waitForRemoved(node: ClusterNode, timeoutMs = 120_000): Promise<void> {
    return this.#waitUntil(() => !this.#up.has(node.akkaAddress), `${node.name} removed`, timeoutMs);
  }

  #waitUntil(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return this.#conditions.waitUntil(done, timeoutMs, () => {
      const members = this.members.map((node) => node.name).join(", ") || "none";
      return new Error(`the cluster did not reach "${what}" within ${timeoutMs} ms (members: ${members})`);
    });
  }

  /** Stops every node (proxies first, at once); never throws. */
  async stop(): Promise<void> {
    await Promise.allSettled(
      this.nodes.map((node) => node.proxy?.process.stop("SIGTERM", 20_000) ?? Promise.resolve()),
    );
    await Promise.allSettled(this.nodes.map((node) => node.stop()));
  }

  /** Stops the cluster as {@link stop} does, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
