/** The command line: `create-cloudstate-ts DIR [--template T] [--name N]`. */
import { parseArgs } from "node:util";
import { create, CreateError, shown, type Created } from "./create.js";
import { DEFAULT_TEMPLATE, TEMPLATE_NAMES } from "./templates.js";

export const USAGE = `Usage: create-cloudstate-ts DIR [--template ${TEMPLATE_NAMES.join("|")}] [--name NAME]

Creates a Cloudstate user function project in DIR (a new or empty folder).
  --template, -t  the entity kind to start from (default ${DEFAULT_TEMPLATE})
  --name          the service name (default DIR's name): npm package, Kubernetes resources, image
  --help, -h      this text
CLOUDSTATE_TS, if set, names a cloudstate-ts package tarball to use instead of the npm registry's.`;

/** A wrong command line; the message says what is wrong. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** What the command line asks for. */
export type Request =
  | { readonly help: true }
  | { readonly help: false; readonly dir: string; readonly template: string; readonly name?: string };

/** Parses the arguments (after `node bin.js`); throws {@link UsageError} on unknown flags or a missing DIR. */
export function parseCommandLine(args: readonly string[]): Request {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        template: { type: "string", short: "t" },
        name: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help === true) return { help: true };
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined) throw new UsageError("missing DIR: the folder to create the project in");
  if (extra.length > 0) throw new UsageError(`one DIR only, got also ${extra.join(" ")}`);
  const template = parsed.values.template ?? DEFAULT_TEMPLATE;
  return parsed.values.name === undefined
    ? { help: false, dir, template }
    : { help: false, dir, template, name: parsed.values.name };
}

function nextSteps(created: Created): string {
  return `Created ${created.name} (${created.template}) in ${shown(created.dir)}: ${created.files.length} files.

Next:
  cd ${shown(created.dir)}
  npm install              # also generates gen/ from proto/
  npm test                 # type check and unit tests
  npm run test:integration # behind the real Cloudstate proxy (Java 17 and Maven)
  npm run dev              # the service and the proxy, restarted on edits`;
}

/** Runs the command; returns the exit code. */
export function main(args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  try {
    const request = parseCommandLine(args);
    if (request.help) {
      console.log(USAGE);
      return 0;
    }
    const tarball = env["CLOUDSTATE_TS"];
    const created = create({
      dir: request.dir,
      template: request.template,
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(tarball === undefined || tarball === "" ? {} : { libraryTarball: tarball }),
    });
    console.log(nextSteps(created));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`create-cloudstate-ts: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof CreateError) {
      console.error(`create-cloudstate-ts: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
