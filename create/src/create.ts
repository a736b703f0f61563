/**
 * Writes a new project: checks everything first (template, service name, target folder, the library tarball),
 * renders every file in memory, and only then writes; a failed write removes what it wrote.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { projectPackage, type LibrarySource } from "./project-package.js";
import { ABOUT, isTemplateName, layersOf, serviceNameProblem, TEMPLATE_NAMES, type TemplateName } from "./templates.js";
import { CLOUDSTATE_VERSION } from "./versions.js";

/** A problem with what the user asked for; nothing has been written. */
export class CreateError extends Error {
  override readonly name = "CreateError";
}

/** What to create. */
export interface CreateOptions {
  /** The project folder: created, or an existing empty one. */
  readonly dir: string;
  /** One of the template names. */
  readonly template: string;
  /** The service name; default the folder's name. */
  readonly name?: string;
  /**
   * A cloudstate-ts package tarball to depend on instead of the registry's (`CLOUDSTATE_TS`); the plugin's and
   * the devkit's tarballs of the same version must be beside it.
   */
  readonly libraryTarball?: string;
  /** Where the templates are; default the package's own. */
  readonly templatesDir?: string;
}

/** What was created. */
export interface Created {
  readonly dir: string;
  readonly name: string;
  readonly template: TemplateName;
  /** The files written, relative to {@link dir}, sorted. */
  readonly files: readonly string[];
}

const TEMPLATES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "templates");

/** Files npm would drop from the package (`.gitignore`) are kept as `_name` and written as `.name`. */
function targetName(path: string): string {
  return path
    .split("/")
    .map((part) => (part.startsWith("_") ? `.${part.slice(1)}` : part))
    .join("/")
    .replace(/\.tmpl$/, "");
}

function walk(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? walk(join(dir, entry.name), path) : [path];
  });
}

function render(text: string, tokens: Readonly<Record<string, string>>): string {
  return text.replace(/__([A-Z_]+)__/g, (whole, key: string) => tokens[key] ?? whole);
}

function checkTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new CreateError(`${dir} exists and is not a folder; nothing was written`);
  const entries = readdirSync(dir);
  if (entries.length > 0) {
    const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? ", ..." : "");
    throw new CreateError(
      `${dir} is not empty (${shown}); choose a new folder or empty this one. Nothing was written.`,
    );
  }
}

/** The tarballs `npm pack` writes for cloudstate-ts and its two development packages, released together. */
export interface Tarballs {
  /** cloudstate-ts: the runtime, a dependency. */
  readonly runtime: string;
  /** protoc-gen-cloudstate: the plugin, a development dependency. */
  readonly plugin: string;
  /** cloudstate-ts-devkit: the `cloudstate-ts` command and the integration testkit, a development dependency. */
  readonly devkit: string;
}

/**
 * The tarballs to depend on: `path` names cloudstate-ts's (`cloudstate-ts-<version>.tgz`), and the plugin's and
 * the devkit's of the same version are beside it, as `npm pack` names them.
 */
function checkTarballs(path: string): Tarballs {
  const runtime = resolve(path);
  const version = /^cloudstate-ts-(\d[^/]*)\.tgz$/.exec(basename(runtime))?.[1];
  if (!existsSync(runtime) || !statSync(runtime).isFile() || version === undefined) {
    throw new CreateError(
      `CLOUDSTATE_TS must name a cloudstate-ts package tarball (the cloudstate-ts-<version>.tgz \`npm pack\` writes), ` +
        `got ${path}; nothing was written`,
    );
  }
  const beside = (name: string): string => join(dirname(runtime), `${name}-${version}.tgz`);
  const tarballs = { runtime, plugin: beside("protoc-gen-cloudstate"), devkit: beside("cloudstate-ts-devkit") };
  const missing = [tarballs.plugin, tarballs.devkit].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new CreateError(
      `CLOUDSTATE_TS names ${basename(runtime)}, but ${missing.map((file) => basename(file)).join(" and ")} ` +
        `${missing.length > 1 ? "are" : "is"} not beside it (\`npm pack\` each package into one folder); nothing was written`,
    );
  }
  return tarballs;
}

/** Creates the project; throws {@link CreateError} (having written nothing) when the request is wrong. */
export function create(options: CreateOptions): Created {
  const template = options.template;
  if (!isTemplateName(template)) {
    throw new CreateError(
      `unknown template "${template}"; the templates are ${TEMPLATE_NAMES.join(", ")}. Nothing was written.`,
    );
  }
  const dir = resolve(options.dir);
  const name = options.name ?? basename(dir);
  const problem = serviceNameProblem(name);
  if (problem !== undefined) throw new CreateError(`${problem}. Nothing was written.`);
  checkTarget(dir);
  const tarballs = options.libraryTarball === undefined ? undefined : checkTarballs(options.libraryTarball);

  // Everything in memory first.
  const templatesDir = options.templatesDir ?? TEMPLATES_DIR;
  const stateful = layersOf(template).includes("with-store");
  const tokens = {
    SERVICE_NAME: name,
    CLOUDSTATE_VERSION,
    TEMPLATE: template,
    ABOUT: ABOUT[template],
    PLAIN_EXTRA: stateful ? " and `deploy/postgres-credentials.yaml`" : "",
  };
  const files = new Map<string, string>();
  for (const layer of layersOf(template)) {
    const layerDir = join(templatesDir, layer);
    for (const path of walk(layerDir)) {
      files.set(targetName(path), render(readFileSync(join(layerDir, path), "utf8"), tokens));
    }
  }
  const vendored = (file: string): string => `vendor/${basename(file)}`;
  const library: LibrarySource =
    tarballs === undefined
      ? { kind: "registry" }
      : {
          kind: "tarball",
          files: {
            runtime: vendored(tarballs.runtime),
            plugin: vendored(tarballs.plugin),
            devkit: vendored(tarballs.devkit),
          },
        };
  files.set("package.json", `${JSON.stringify(projectPackage(name, template, library), null, 2)}\n`);

  const existed = existsSync(dir);
  try {
    for (const [path, content] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    if (tarballs !== undefined) {
      mkdirSync(join(dir, "vendor"), { recursive: true });
      for (const tarball of [tarballs.runtime, tarballs.plugin, tarballs.devkit]) {
        copyFileSync(tarball, join(dir, vendored(tarball)));
        files.set(vendored(tarball), "");
      }
    }
  } catch (error) {
    if (existed) for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    else rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, name, template, files: [...files.keys()].sort() };
}

/** `path` relative to the working directory, for messages. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}
