/**
 * A private PostgreSQL cluster for integration tests: installed from Debian's packages if missing (as root),
 * created in a temporary folder, listening on 127.0.0.1 at a free port (never the system's cluster on 5432), with
 * the role and database the PostgreSQL proxy expects. The server runs in the foreground under the process
 * registry of processes.ts, so it is killed on every exit path like the proxy; its folder is removed on exit too.
 */
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atExit } from "./lifecycle.js";
import { freePort, startProcess, type Started } from "./processes.js";
import type { PostgresConnection } from "./proxy.js";

/** The role, password and database the proxy connects with. */
const ROLE = "cloudstate";

/** A running cluster. */
export interface Postgres {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Where the PostgreSQL proxy connects: pass it as `postgres` to `startProxy` or the test environment. */
  readonly connection: PostgresConnection;
  /** Runs SQL as the superuser in the proxy's database; returns psql's unaligned output. */
  query(sql: string): string;
  /** Fast shutdown, then the folder is removed. */
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** The bin folder of the newest installed PostgreSQL, or undefined. */
function installedBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin/initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], "bin");
}

function run(command: string, args: readonly string[], what: string): string {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.error !== undefined) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Installs Debian's `postgresql` package when no PostgreSQL is there; returns its bin folder. */
export function ensurePostgresInstalled(log: (line: string) => void): string {
  const found = installedBin();
  if (found !== undefined) return found;
  if (!isRoot)
    throw new Error(
      "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); as root: apt-get install postgresql",
    );
  log("PostgreSQL is not installed: apt-get install postgresql (Debian's package)");
  run("apt-get", ["update", "-q"], "apt-get update");
  run("apt-get", ["install", "-y", "-q", "--no-install-recommends", "postgresql"], "apt-get install postgresql");
  const installed = installedBin();
  if (installed === undefined) throw new Error("apt-get installed postgresql but no initdb is in /usr/lib/postgresql");
  return installed;
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user the package creates. */
function asOwner(command: string, args: readonly string[]): [string, string[]] {
  return isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
}

function ownerIds(): { uid: number; gid: number } {
  const uid = Number(run("id", ["-u", "postgres"], "id -u postgres").trim());
  const gid = Number(run("id", ["-g", "postgres"], "id -g postgres").trim());
  return { uid, gid };
}

/** How to start a private cluster. */
export interface PostgresOptions {
  /** Told what is being installed or started. Default: nothing is said. */
  readonly log?: (line: string) => void;
  /** The port; a free one unless given. */
  readonly port?: number;
  /** `max_connections`; each proxy holds up to 25 connections. Default 100. */
  readonly maxConnections?: number;
}

/**
 * Creates and starts a private cluster; `stop()` shuts it down and removes its folder. On any failure, what was
 * started is stopped and the folder removed before throwing.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const log = options.log ?? ((): void => undefined);
  const bin = ensurePostgresInstalled(log);
  const chosen = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "cloudstate-pg-"));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  // Also on an exit this module does not see coming (an uncaught error, Ctrl-C).
  atExit(removeDir);
  let server: Started | undefined;
  try {
    if (isRoot) {
      const { uid, gid } = ownerIds();
      chownSync(dir, uid, gid);
    }
    const data = join(dir, "data");
    run(
      ...asOwner(join(bin, "initdb"), [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--no-sync",
      ]),
      "initdb",
    );
    server = startProcess(
      "postgres",
      ...asOwner(join(bin, "postgres"), [
        "-D",
        data,
        "-c",
        "listen_addresses=127.0.0.1",
        "-p",
        String(chosen),
        "-k",
        dir,
        "-c",
        `max_connections=${options.maxConnections ?? 100}`,
      ]),
      {},
    );
    await server.waitFor(/database system is ready to accept connections/, 60_000);
    const psql = (database: string, sql: string): string =>
      run(
        ...asOwner("psql", [
          "-h",
          dir,
          "-p",
          String(chosen),
          "-U",
          "postgres",
          "-d",
          database,
          "-v",
          "ON_ERROR_STOP=1",
          "-qAt",
          "-c",
          sql,
        ]),
        `psql ${sql.slice(0, 60)}`,
      );
    psql("postgres", `CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE}'`);
    psql("postgres", `CREATE DATABASE ${ROLE} OWNER ${ROLE}`);
    const running = server;
    return {
      port: chosen,
      connection: { host: "127.0.0.1", port: chosen, database: ROLE, user: ROLE, password: ROLE },
      query: (sql) => psql(ROLE, sql),
      async stop() {
        // SIGINT is PostgreSQL's fast shutdown: connections are cut, the cluster is left consistent.
        await running.stop("SIGINT", 10_000);
        removeDir();
      },
    };
  } catch (error) {
    await server?.stop("SIGINT", 5_000);
    removeDir();
    throw error;
  }
}
