/** `--postgres postgres://user:password@host:port/database` as the proxy's connection settings. */
import type { PostgresConnection } from "../launch/proxy.js";
import { UsageError } from "./usage.js";

/** Parses a PostgreSQL URL; port 5432 and database `cloudstate` unless given. */
export function parsePostgresUrl(text: string): PostgresConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--postgres must be a URL such as postgres://cloudstate:secret@127.0.0.1:5432/cloudstate, got "${text}"`,
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new UsageError(`--postgres must be a postgres:// URL, got "${text}"`);
  }
  if (url.username === "" || url.hostname === "") {
    throw new UsageError(`--postgres needs a user and a host (postgres://user:password@host:port/db), got "${text}"`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "cloudstate";
  return {
    host: url.hostname,
    port: url.port === "" ? 5432 : Number(url.port),
    database,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}
