/** The `cloudstate-ts` command's usage text and its usage error. */

export const USAGE = `Usage: cloudstate-ts <command> [options]

Commands:
  dev      regenerate, build, start the user function and the development-mode proxy; restart on edits
           [--port N (9000)] [--user-function-port N] [--fixes] [--entry dist/src/main.js]
           [--proxy-image] [--image NAME:TAG] [--inspector-port N (9001; 0 a free one)] [--no-inspector]
           the inspector (a page, and the API of \`inspect\`) is served on 127.0.0.1 at the port printed
  inspect  what the running dev session's inspector shows: the entities, or one entity's state, journal and
           commands (ENTITY: Service/id, or the id alone)
           [ENTITY] [--json] [--inspector-port N (9001)]
  proxy    start the Cloudstate 0.6.0 proxy alone, in front of a user function already running
           [--port N (9000)] [--user-function-port N (8080)] [--postgres postgres://user:password@host:port/db]
           [--fixes] [--proxy-image] [--image NAME:TAG]
  gen      run buf generate with the project's buf.gen.yaml (also where npm hoisted cloudstate-ts to a parent),
           then record the types its entities store in cloudstate.lock.json; writes nothing while a locked type
           would no longer be readable
           [--check: regenerate into a temporary folder and fail if gen/ differs, a locked type is no longer
           readable or the lock lacks a type; writes nothing]
  help     this text

--fixes puts io.cloudstate:cloudstate-proxy-fixes_2.13:0.6.0 (not upstream) first on the proxy's classpath.
The proxy runs on the JVM from the classpath Maven resolves (io.cloudstate:cloudstate-proxy-core_2.13:0.6.0 in
~/.m2), or, when that does not resolve, from its container image with podman or Docker
(cloudstateio/cloudstate-proxy-core:0.6.0, or cloudstate-proxy-postgres with --postgres). --proxy-image asks for
the image; --image NAME:TAG names another (so do CLOUDSTATE_PROXY_IMAGE and CLOUDSTATE_POSTGRES_PROXY_IMAGE);
CLOUDSTATE_PROXY_SOURCE=image|maven|auto chooses for every command and the testkit.`;

/** A wrong command line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A port number from a flag's text. */
export function portOf(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--${flag} must be a port number (1 to 65535), got "${text}"`);
  }
  return port;
}
