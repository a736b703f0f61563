/**
 * A template's `deploy/plain/deployment.yaml` made runnable by `podman kube play` on one machine, changing only
 * what a Kubernetes cluster gives a pod and a single host has not:
 *
 * - its own network: the pod runs on the host's (`hostNetwork`), so each port the manifest names (user function
 *   and its metrics, proxy, management, remoting) is replaced by a free one, in the environment and the probes alike, the
 *   containers' `ports` lists go (on the host's network they publish nothing, and podman refuses them), and
 *   everything the proxy opens is bound to 127.0.0.1 (its defaults bind all interfaces);
 * - the Kubernetes API, through which the proxy's cluster bootstrap finds the pod (`SELECTOR_LABEL`): the proxy
 *   is given itself as its seed node instead, so bootstrap steps aside and it forms a cluster of one, as a
 *   one-replica Deployment does;
 * - cluster DNS: `POSTGRES_SERVICE`/`POSTGRES_PORT` point at the suite's PostgreSQL.
 *
 * The image names, the user function's environment, the probes' paths, the resources and the rest stay as the
 * template wrote them.
 */
import { parseAllDocuments, stringify } from "yaml";

/** The ports of one pod on the host, all free, all on 127.0.0.1. */
export interface HostPorts {
  /** Where the user function listens (`PORT`, the proxy's `USER_FUNCTION_PORT`). */
  readonly userFunction: number;
  /** The proxy's public port (`HTTP_PORT`): gRPC and HTTP/JSON. */
  readonly http: number;
  /** Akka Management (`MANAGEMENT_PORT`): the probes' `/ready` and `/alive`. */
  readonly management: number;
  /** Akka remoting (`REMOTING_PORT`). */
  readonly remoting: number;
  /** The Prometheus exporter, on whenever development mode is off (`METRICS_PORT`; 9090 unless set). */
  readonly metrics: number;
  /** The user function's own Prometheus endpoint (`OTEL_EXPORTER_PROMETHEUS_PORT`, src/telemetry.ts). */
  readonly userFunctionMetrics: number;
}

/** Where PostgreSQL is, for the templates that keep state. */
export interface HostPostgres {
  /** Host name or address. */
  readonly host: string;
  /** Port. */
  readonly port: number;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}
interface Deployment {
  kind: string;
  metadata: { name: string };
  spec: {
    template: {
      metadata: { labels?: Record<string, string> };
      spec: { hostNetwork?: boolean; containers: Container[]; terminationGracePeriodSeconds?: number };
    };
  };
}

/** The Deployment of a manifest file's documents (the only kind the file may hold). */
export function deploymentOf(text: string): Deployment {
  const docs = parseAllDocuments(text).map((doc) => doc.toJS() as { kind?: string } | null);
  const deployments = docs.filter((doc) => doc?.kind === "Deployment");
  if (deployments.length !== 1) throw new Error(`expected one Deployment, found ${deployments.length}`);
  return deployments[0] as Deployment;
}

function envOf(container: Container, name: string): EnvVar | undefined {
  return container.env?.find((entry) => entry.name === name);
}

function setEnv(container: Container, name: string, value: string): void {
  const entry = envOf(container, name);
  if (entry === undefined) (container.env ??= []).push({ name, value });
  else {
    entry.value = value;
    delete entry.valueFrom;
  }
}

/** The pod's containers: the user function (the first, as the operator has it) and the proxy sidecar. */
export function podContainers(deployment: Deployment): { userFunction: Container; proxy: Container } {
  const [userFunction, proxy, ...rest] = deployment.spec.template.spec.containers;
  if (userFunction === undefined || proxy === undefined || rest.length > 0) {
    throw new Error("expected two containers: the user function, then the proxy sidecar");
  }
  return { userFunction, proxy };
}

/** The manifest's own number for `name` in `container`'s environment, or an error naming what is missing. */
function manifestPort(container: Container, name: string): number {
  const value = Number(envOf(container, name)?.value);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${container.name} has no port in ${name}`);
  return value;
}

/** {@link deploymentOf}'s Deployment rewritten for `podman kube play` on the host (see the module comment). */
export function forHost(text: string, ports: HostPorts, postgres?: HostPostgres): string {
  const deployment = deploymentOf(text);
  const { userFunction, proxy } = podContainers(deployment);
  // The manifest's port numbers, each to its free stand-in.
  const renumber = new Map<number, number>([
    [manifestPort(userFunction, "PORT"), ports.userFunction],
    [manifestPort(proxy, "USER_FUNCTION_PORT"), ports.userFunction],
    [manifestPort(proxy, "HTTP_PORT"), ports.http],
    [manifestPort(proxy, "MANAGEMENT_PORT"), ports.management],
    [manifestPort(proxy, "REMOTING_PORT"), ports.remoting],
  ]);
  const moved = (port: number | string): number | string => {
    const to = typeof port === "number" ? renumber.get(port) : undefined;
    if (typeof port === "number" && to === undefined)
      throw new Error(`no free stand-in for the manifest's port ${port}`);
    return to ?? port;
  };
  for (const container of [userFunction, proxy]) {
    // On the host's network a container port publishes nothing (Kubernetes says as much), and podman refuses
    // port mappings there: the list goes, the ports stay in the environment and the probes.
    delete container.ports;
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      if (probe?.httpGet !== undefined) probe.httpGet.port = moved(probe.httpGet.port);
    }
  }
  setEnv(userFunction, "PORT", String(ports.userFunction));
  if (envOf(userFunction, "OTEL_EXPORTER_PROMETHEUS_PORT") !== undefined) {
    setEnv(userFunction, "OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1");
    setEnv(userFunction, "OTEL_EXPORTER_PROMETHEUS_PORT", String(ports.userFunctionMetrics));
  }
  setEnv(proxy, "USER_FUNCTION_PORT", String(ports.userFunction));
  setEnv(proxy, "HTTP_PORT", String(ports.http));
  setEnv(proxy, "MANAGEMENT_PORT", String(ports.management));
  setEnv(proxy, "REMOTING_PORT", String(ports.remoting));
  setEnv(proxy, "METRICS_HOST", "127.0.0.1");
  setEnv(proxy, "METRICS_PORT", String(ports.metrics));
  const javaOpts = envOf(proxy, "JAVA_OPTS")?.value ?? "";
  setEnv(
    proxy,
    "JAVA_OPTS",
    [
      javaOpts,
      "-Dcloudstate.proxy.http-interface=127.0.0.1",
      "-Dakka.remote.artery.canonical.hostname=127.0.0.1",
      "-Dakka.management.http.hostname=127.0.0.1",
      `-Dakka.cluster.seed-nodes.0=akka://cloudstate-proxy@127.0.0.1:${ports.remoting}`,
    ]
      .join(" ")
      .trim(),
  );
  if (postgres !== undefined) {
    if (envOf(proxy, "POSTGRES_SERVICE") === undefined) throw new Error("the proxy has no POSTGRES_SERVICE");
    setEnv(proxy, "POSTGRES_SERVICE", postgres.host);
    setEnv(proxy, "POSTGRES_PORT", String(postgres.port));
  }
  deployment.spec.template.spec.hostNetwork = true;
  return stringify(deployment);
}

/** The `terminationGracePeriodSeconds` of the manifest's pod: Kubernetes' default, 30, unless it sets one. */
export function gracePeriodSeconds(text: string): number {
  return deploymentOf(text).spec.template.spec.terminationGracePeriodSeconds ?? 30;
}

/** An HTTP probe: the path and port the kubelet (here, the suite) asks. */
export interface HttpProbe {
  /** For example `/ready`. */
  readonly path: string;
  /** The port, as the manifest gives it. */
  readonly port: number | string;
}

/** The HTTP probes the manifest gives the container named `container`. */
export function probesOf(text: string, container: string): { readiness?: HttpProbe; liveness?: HttpProbe } {
  const found = deploymentOf(text).spec.template.spec.containers.find((c) => c.name === container);
  if (found === undefined) throw new Error(`no container named ${container}`);
  const probes: { readiness?: HttpProbe; liveness?: HttpProbe } = {};
  if (found.readinessProbe?.httpGet !== undefined) probes.readiness = found.readinessProbe.httpGet;
  if (found.livenessProbe?.httpGet !== undefined) probes.liveness = found.livenessProbe.httpGet;
  return probes;
}
