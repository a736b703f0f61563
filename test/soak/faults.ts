/**
 * The system under test (the soak's user function and the PostgreSQL proxy in front of it, on fixed ports so
 * clients and the proxy find them again after a restart) and the faults injected into it.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import {
  startProxy,
  startUserFunctionProcess,
  type PostgresConnection,
  type ProxyProcess,
  type Started,
} from "cloudstate-ts-devkit";

const HERE = new URL(".", import.meta.url).pathname;

/** Appends every started process's output to `<dir>/<name>.log`, one file per name across restarts. */
export class Logs {
  readonly #streams = new Map<string, WriteStream>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  sink(name: string): (chunk: string) => void {
    let stream = this.#streams.get(name);
    if (stream === undefined) {
      stream = createWriteStream(join(this.dir, `${name}.log`), { flags: "w" });
      this.#streams.set(name, stream);
    }
    const target = stream;
    return (chunk) => void target.write(chunk);
  }

  /** Marks a restart in a log, so each process's lines can be told apart. */
  note(name: string, line: string): void {
    this.sink(name)(`\n===== ${new Date().toISOString()} ${line} =====\n`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#streams.values()].map((s) => new Promise((resolve) => s.end(resolve))));
  }
}

/** Where the system's processes listen and how they are started. */
export interface SystemConfig {
  readonly proxyClasspath: string;
  readonly postgres: PostgresConnection;
  readonly userFunctionPort: number;
  readonly proxyPort: number;
  readonly logs: Logs;
}

/** The user function and the proxy, each started, killed and restarted on its own. */
export class System {
  #userFunction: Started | undefined;
  #proxy: ProxyProcess | undefined;
  #userFunctionStarts = 0;
  #proxyStarts = 0;

  constructor(readonly config: SystemConfig) {}

  get userFunction(): Started | undefined {
    return this.#userFunction;
  }

  get proxy(): Started | undefined {
    return this.#proxy?.process;
  }

  /** Starts the user function; resolves once it listens. */
  async startUserFunction(): Promise<void> {
    if (this.#userFunction !== undefined && !this.#userFunction.exited) throw new Error("user function already up");
    this.#userFunctionStarts++;
    this.config.logs.note("user-function", `start #${this.#userFunctionStarts}`);
    this.#userFunction = await startUserFunctionProcess({
      name: "user function (soak)",
      script: join(HERE, "user-function.ts"),
      port: this.config.userFunctionPort,
      onOutput: this.config.logs.sink("user-function"),
    });
  }

  /** Starts the proxy; resolves once it discovered the user function and serves its port. */
  async startProxy(): Promise<void> {
    if (this.#proxy !== undefined && !this.#proxy.process.exited) throw new Error("proxy already up");
    this.#proxyStarts++;
    this.config.logs.note("proxy", `start #${this.#proxyStarts}`);
    this.#proxy = await startProxy({
      classpath: this.config.proxyClasspath,
      flavour: "postgres",
      postgres: this.config.postgres,
      userFunctionPort: this.config.userFunctionPort,
      port: this.config.proxyPort,
      // The proxy's jar logs every command at DEBUG (slf4j-simple): megabytes a minute under the soak's load.
      jvmOptions: ["-Dorg.slf4j.simpleLogger.log.io.cloudstate.proxy=info", "-Dakka.log-dead-letters=100"],
      onOutput: this.config.logs.sink("proxy"),
    });
  }

  /** `kill -9` of the user function (its whole process group); resolves once it is gone. */
  async killUserFunction(): Promise<void> {
    await this.#userFunction?.stop("SIGKILL");
  }

  async killProxy(): Promise<void> {
    await this.#proxy?.process.stop("SIGKILL");
  }

  /** SIGTERM: the user function finishes the commands in hand and ends its streams. */
  async stopUserFunction(): Promise<void> {
    await this.#userFunction?.stop("SIGTERM", 15_000);
  }

  /** SIGTERM: the proxy's coordinated shutdown (about 10 s with cluster sharding). */
  async stopProxy(): Promise<void> {
    await this.#proxy?.process.stop("SIGTERM", 30_000);
  }

  /** Stops both, proxy first; never throws. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.stopProxy()]);
    await Promise.allSettled([this.stopUserFunction()]);
  }
}

/** A fault injected while clients send commands; resolves once the system is started again. */
export interface Fault {
  readonly name: string;
  /**
   * The user function is unreachable for a while under a proxy that stays up, so the proxy's streams to it fail:
   * Cloudstate 0.6.0's proxy then keeps value entities as zombies that never answer again (see
   * {@link VALUE_ENTITY_ZOMBIES}).
   */
  readonly failsStreamsUnderLiveProxy?: boolean;
  inject(system: System): Promise<void>;
}

/**
 * A defect of the Cloudstate 0.6.0 proxy, not of this library: its `ValueEntityRelay` tests a failed stream with
 * `case ValueEntity.StreamFailed =>` (the companion object) where the event-sourced relay has
 * `case _: StreamFailed =>`. So when a value entity's stream to the user function fails (the user function
 * crashed, or is down while a command starts the entity again) the relay never stops, its supervisor never stops,
 * and the entity id stays bound to a dead actor: every later command to it is a dead letter and times out, until
 * the proxy restarts. Passivation cannot help, as its stop message goes to the dead actor too. Nothing
 * acknowledged is lost: the state is in PostgreSQL, and a restarted proxy serves it.
 */
export const VALUE_ENTITY_ZOMBIES =
  "Cloudstate 0.6.0 proxy defect: a value entity whose user-function stream failed is never restarted " +
  "(ValueEntityRelay ignores StreamFailed), so its commands time out until the proxy restarts";

/**
 * Another defect of the 0.6.0 proxy: its `ValueEntity` (valueentity/Entity.scala) persists an update in a Future
 * and, in that Future's callback, replies and takes the next queued command (`commandHandled()`), changing the
 * actor's state off the actor's thread while the actor enqueues new commands. Under concurrent commands to one
 * value entity the queue update can be lost both ways, and a queued command then runs twice: the second reply goes
 * to the already answered client's completed ask, which forwards it to dead letters. Recognised per entity by that
 * dead letter, one per extra application.
 */
export const VALUE_ENTITY_DOUBLE_RUN =
  "Cloudstate 0.6.0 proxy defect: under concurrent commands a value entity can run a queued command twice " +
  "(valueentity/Entity.scala takes the next command in a Future callback, off the actor), the second reply a dead letter";

/** The proxy's log line for the second reply of a value entity's command that ran twice. */
export function doubleRunReply(entity: string): RegExp {
  const id = entity.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    `UserFunctionReply\\] from Actor\\[[^\\]]*/sharding/soak-tallies/\\d+/${id}/entity#[^\\]]*\\] to Actor\\[[^\\]]*/deadLetters\\] was not delivered`,
    "g",
  );
}

/** The proxy's log line for a command sent to a dead value entity actor. */
export const DEAD_VALUE_ENTITY =
  /EntityCommand\] .* to Actor\[[^\]]*\/sharding\/soak-tallies\/\d+\/[^/]+\/entity#[^\]]*\] was not delivered/;

export const FAULTS: readonly Fault[] = [
  {
    name: "kill -9 of the user function",
    failsStreamsUnderLiveProxy: true,
    async inject(system) {
      await system.killUserFunction();
      await system.startUserFunction();
    },
  },
  {
    name: "kill -9 of the proxy",
    async inject(system) {
      await system.killProxy();
      await system.startProxy();
    },
  },
  {
    name: "kill -9 of the proxy and the user function",
    async inject(system) {
      await Promise.all([system.killProxy(), system.killUserFunction()]);
      await system.startUserFunction();
      await system.startProxy();
    },
  },
  {
    name: "restart of the proxy (SIGTERM), user function up",
    async inject(system) {
      await system.stopProxy();
      await system.startProxy();
    },
  },
  {
    name: "restart of the user function (SIGTERM) mid-stream",
    failsStreamsUnderLiveProxy: true,
    async inject(system) {
      await system.stopUserFunction();
      await system.startUserFunction();
    },
  },
];
