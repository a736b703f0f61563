/**
 * The templates deployed as deployed: for each, a project created from the packed tarballs, its image built with
 * `podman build` from its own Dockerfile (unchanged), and its `deploy/plain/deployment.yaml` run with `podman kube
 * play` — the user function and the proxy sidecar (the stand-in 0.6.0 proxy images, see images.ts) in one pod on
 * the host's network, PostgreSQL beside it for the templates that keep state. Checked through the proxy: gRPC and
 * HTTP/JSON answer (and the user function's own Prometheus endpoint counts them), the probes the manifest names
 * pass, the state survives `kube down` and `kube play`, the user function's container killed alone is served
 * again, and it stops on SIGTERM within the pod's grace period.
 * Prints what the image holds and the times measured. Everything the suite started is removed on every path.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseDocument } from "yaml";
import { freePort, retryUntil, startPostgres, type Postgres } from "../../devkit/index.js";
import { createProject, packAll, userEnv, type Tarballs } from "../support/packages.js";
import { ensureImages, nodeImage } from "./images.js";
import { NODE_LINE } from "./node-line.js";
import { forHost, gracePeriodSeconds, probesOf, type HostPorts } from "./pod-manifest.js";
import { assertCanRunContainers, ensurePodman, podman } from "./podman.js";
import { TEMPLATE_CHECKS, type Served, type TemplateChecks } from "./template-checks.js";

const note = (line: string): void => console.log(`# ${line}`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** What the suite made and must remove: pods (by their manifest file), secrets and images. */
class Made {
  readonly #manifests = new Set<string>();
  readonly #secrets = new Set<string>();
  readonly #images = new Set<string>();

  playing(manifest: string): void {
    this.#manifests.add(manifest);
  }
  down(manifest: string): void {
    podman(["kube", "down", manifest], { allowFailure: true });
    this.#manifests.delete(manifest);
  }
  secret(name: string): void {
    this.#secrets.add(name);
  }
  image(name: string): void {
    this.#images.add(name);
  }
  /** Removes everything left, in order; reports what could not be removed instead of throwing half-way. */
  removeAll(): string[] {
    const problems: string[] = [];
    const attempt = (args: string[]): void => {
      const result = podman(args, { allowFailure: true });
      if (result.status !== 0 && !/no such|not found|no pod|does not exist/i.test(result.stderr)) {
        problems.push(`podman ${args.join(" ")}: ${result.stderr.trim()}`);
      }
    };
    for (const manifest of this.#manifests) attempt(["kube", "down", manifest]);
    for (const secret of this.#secrets) attempt(["secret", "rm", secret]);
    for (const image of this.#images) attempt(["rmi", "--force", image]);
    this.#manifests.clear();
    this.#secrets.clear();
    this.#images.clear();
    return problems;
  }
}

/** GET `url` answers 200 now. */
async function answers200(url: string): Promise<void> {
  const response = await fetch(url);
  await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
}

/** The container `name` of the pod the Deployment `deployment` made (podman names them `<pod>-<name>`). */
function containerOf(deployment: string, name: string): string {
  const out = podman(["ps", "--all", "--format", "{{.Names}}"]).stdout;
  const found = out.split("\n").find((line) => line.startsWith(`${deployment}-pod`) && line.endsWith(`-${name}`));
  assert.ok(found !== undefined, `the pod of ${deployment} has a container ${name}: ${out}`);
  return found;
}

describe("templates in containers: podman build, podman kube play, through the proxy", { timeout: 3_600_000 }, () => {
  const base = mkdtempSync(join(tmpdir(), "cloudstate-containers-"));
  const made = new Made();
  let tarballs: Tarballs | undefined;
  let postgres: Postgres | undefined;
  // Interrupted (Ctrl-C, a runner's SIGTERM or timeout), after() does not run, but 'exit' does; removing is
  // synchronous, so it can run there. The testkit's own handlers stop PostgreSQL.
  const removeOnExit = (): void => {
    made.removeAll();
    rmSync(base, { recursive: true, force: true });
  };
  process.once("exit", removeOnExit);

  before(async () => {
    const started = Date.now();
    note(ensurePodman(note));
    const images = await ensureImages(NODE_LINE, note);
    assertCanRunContainers(images[0] ?? "");
    note(`stand-in images ready (${images.join(", ")}): ${seconds(Date.now() - started)}`);
    tarballs = packAll(base);
    postgres = await startPostgres({ log: note });
  });

  after(async () => {
    process.removeListener("exit", removeOnExit);
    const problems = made.removeAll();
    await postgres?.stop();
    rmSync(base, { recursive: true, force: true });
    assert.deepEqual(problems, [], "everything the suite started was removed");
  });

  for (const checks of TEMPLATE_CHECKS) {
    it(`${checks.template}: image built from its Dockerfile, deploy/plain played, served through the proxy`, async () => {
      assert.ok(tarballs !== undefined && postgres !== undefined, "the suite's before() ran");
      await deployed(checks, tarballs, postgres);
    });
  }

  async function deployed(checks: TemplateChecks, packages: Tarballs, db: Postgres): Promise<void> {
    const name = `ct-${checks.template}`;
    const dir = createProject(base, userEnv(), packages, checks.template, name);
    const image = `localhost/${name}:0.1.0`;

    // The image, from the project's own Dockerfile. The build's RUN steps (npm ci) reach the npm registry through
    // the host's network.
    made.image(image);
    let started = Date.now();
    podman(["build", "--pull=never", "--network=host", "-t", image, dir]);
    note(`${checks.template}: podman build: ${seconds(Date.now() - started)}`);
    const size = Number(podman(["image", "inspect", "--format", "{{.Size}}", image]).stdout.trim());
    const user = podman(["image", "inspect", "--format", "{{.Config.User}}", image]).stdout.trim();
    const inImage = (script: string): string =>
      podman(["run", "--rm", "--network=host", "--entrypoint", "sh", image, "-c", script]).stdout.trim();
    const uid = inImage("id -u");
    const modules = inImage("du -sh node_modules | cut -f1; ls node_modules | tr '\\n' ' '").split("\n");
    const nodeSize = Number(podman(["image", "inspect", "--format", "{{.Size}}", nodeImage(NODE_LINE)]).stdout.trim());
    note(
      `${checks.template}: image ${(size / 1e6).toFixed(0)} MB (the Dockerfile's own layers ` +
        `${((size - nodeSize) / 1e6).toFixed(0)} MB over node:${NODE_LINE}-bookworm-slim), user ${user} (uid ${uid})`,
    );
    note(`${checks.template}: node_modules ${modules[0] ?? "?"}: ${modules[1] ?? ""}`);
    assert.notEqual(uid, "0", "the image runs as a non-root user");
    const tools = ["@esbuild", "esbuild", "typescript", "tsx", "ts-proto", "@bufbuild/buf", "protoc-gen-cloudstate"];
    const shipped = inImage(`cd node_modules && for t in ${tools.join(" ")}; do [ -e "$t" ] && echo "$t"; done; true`);
    assert.equal(shipped, "", "the image ships only what runs: no build tool in its node_modules");

    // The manifests, made runnable on this host (pod-manifest.ts says what changes and why).
    const ports: HostPorts = {
      userFunction: await freePort(),
      http: await freePort(),
      management: await freePort(),
      remoting: await freePort(),
      metrics: await freePort(),
      userFunctionMetrics: await freePort(),
    };
    const plain = readFileSync(join(dir, "deploy/plain/deployment.yaml"), "utf8");
    const hostText = forHost(
      plain,
      ports,
      checks.stateful ? { host: db.connection.host, port: db.connection.port } : undefined,
    );
    // The image the manifest names, as podman resolves the short name `<name>:0.1.0`.
    assert.match(hostText, new RegExp(`image: ${name}:0\\.1\\.0\\n`));
    const manifest = join(base, `${name}.pod.yaml`);
    writeFileSync(manifest, hostText);
    if (checks.stateful) {
      // podman 4.3 reads a secretKeyRef from a podman secret holding a JSON object of the Secret's keys, each
      // value base64-encoded as in the Secret's `data`: the keys of the template's credentials file, with the
      // suite's database.
      const secretDoc = parseDocument(readFileSync(join(dir, "deploy/postgres-credentials.yaml"), "utf8")).toJS() as {
        metadata: { name: string };
        stringData: Record<string, string>;
      };
      const secret = `${name}-postgres`;
      assert.equal(secretDoc.metadata.name, secret, "the credentials are the secret the Deployment names");
      assert.deepEqual(Object.keys(secretDoc.stringData).sort(), ["database", "password", "username"]);
      const values: Record<string, string> = {
        database: db.connection.database,
        username: db.connection.user,
        password: db.connection.password,
      };
      const data = Object.fromEntries(
        Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString("base64")]),
      );
      const credentialsFile = join(base, `${secret}.json`);
      writeFileSync(credentialsFile, JSON.stringify(data));
      made.secret(secret);
      podman(["secret", "create", secret, credentialsFile]);
    }
    const served: Served = { dir, port: ports.http };

    /** `kube play`, then `answer` retried until it passes (a read: retrying a write could apply it twice). */
    const play = async (what: string, answer: () => Promise<void>): Promise<number> => {
      const at = Date.now();
      made.playing(manifest);
      podman(["kube", "play", manifest]);
      await retryUntil(`${checks.template}: ${what}`, answer, 300_000);
      return Date.now() - at;
    };
    /** The proxy opens its port only once discovery succeeded: any HTTP answer means it is online. */
    const online = async (): Promise<void> => {
      await (await fetch(`http://127.0.0.1:${ports.http}/`)).text();
    };

    const playedAt = Date.now();
    await play("proxy online", online);
    await checks.grpc(served);
    const firstAnswer = Date.now() - playedAt;
    note(`${checks.template}: kube play → proxy online, first gRPC answer: ${seconds(firstAnswer)}`);
    await checks.http(served);
    // The user function's own metrics, as the manifest turns them on (OTEL_METRICS_EXPORTER=prometheus): the
    // commands just answered are counted on its Prometheus endpoint (src/telemetry.ts).
    const scraped = await (await fetch(`http://127.0.0.1:${ports.userFunctionMetrics}/metrics`)).text();
    assert.match(scraped, /^cloudstate_commands_total\{[^}]*outcome="reply"[^}]*\} [1-9]/m, scraped.slice(0, 2000));

    // The probes, as the kubelet would ask them.
    const probes = probesOf(hostText, "akka-sidecar");
    assert.ok(probes.readiness !== undefined && probes.liveness !== undefined, "the sidecar has both probes");
    await answers200(`http://127.0.0.1:${probes.readiness.port}${probes.readiness.path}`);
    await answers200(`http://127.0.0.1:${probes.liveness.port}${probes.liveness.path}`);
    // podman runs the liveness probe itself as a health check (`curl -f` in the container); readiness it ignores.
    const sidecar = containerOf(`${name}-deployment`, "akka-sidecar");
    const health = podman(["healthcheck", "run", sidecar], { allowFailure: true });
    assert.equal(health.status, 0, `podman's run of the liveness probe: ${health.stdout}${health.stderr}`);

    // The user function's container killed alone: the pod's restart policy brings it back, the proxy serves again.
    const userContainer = containerOf(`${name}-deployment`, "user-container");
    started = Date.now();
    // From outside podman, as a crash would: podman restarts no container that `podman kill` or `stop` ended.
    const pid = Number(podman(["inspect", "--format", "{{.State.Pid}}", userContainer]).stdout.trim());
    assert.ok(pid > 0, `${userContainer} runs`);
    process.kill(pid, "SIGKILL");
    if (checks.afterCrash === undefined) {
      await retryUntil(`${checks.template}: served after the kill`, () => checks.read(served), 300_000);
      note(`${checks.template}: user function killed → served again: ${seconds(Date.now() - started)}`);
    } else {
      const afterCrash = checks.afterCrash;
      let attempt = 0;
      await retryUntil(
        `${checks.template}: a new entity after the kill`,
        () => afterCrash.fresh(served, ++attempt),
        300_000,
      );
      note(`${checks.template}: user function killed → a new entity served: ${seconds(Date.now() - started)}`);
      // The released proxy's known defect: an entity active at the crash never answers again until the proxy
      // restarts (the kube down and play below cure it, and show its state was kept).
      await afterCrash.stuck(served, 10_000);
      note(`${checks.template}: an entity active at the crash does not answer (the released proxy's defect)`);
    }

    // SIGTERM, as the kubelet stops a container: `podman stop` sends it and waits up to the pod's grace period
    // before SIGKILL. Exit code 0 says the user function ended by itself, not by the SIGKILL.
    const grace = gracePeriodSeconds(plain);
    started = Date.now();
    podman(["stop", "--time", String(grace), userContainer]);
    const stopMs = Date.now() - started;
    const exitCode = podman(["inspect", "--format", "{{.State.ExitCode}}", userContainer]).stdout.trim();
    const lastLines = podman(["logs", "--tail", "3", userContainer]).stdout.trim();
    note(
      `${checks.template}: SIGTERM → user function exited (code ${exitCode}) in ${seconds(stopMs)} (grace ${grace} s)`,
    );
    assert.equal(exitCode, "0", `the user function ended on SIGTERM by itself:\n${lastLines}`);
    assert.ok(stopMs < grace * 1000, `stopped within the grace period: ${stopMs} ms`);

    if (checks.stateful) {
      // Down and up again: the state is read back from PostgreSQL by a new proxy.
      made.down(manifest);
      const again = await play("state after kube down and play", () => checks.read(served));
      note(`${checks.template}: kube down, kube play → answering with the state kept: ${seconds(again)}`);
    }
    made.down(manifest);
  }
});
