/**
 * Every template's Kubernetes manifests, parsed and checked against what Cloudstate 0.6.0 reads (facts from
 * operator/src/main/scala/io/cloudstate/operator at tag v0.6.0: StatefulService.scala, StatefulStore.scala,
 * StatefulServiceOperatorFactory.scala, OperatorConstants.scala, stores/PostgresStoreSupport.scala and
 * CredentialsHelper.scala; and the proxy's configuration, proxy/core cloudstate-common.conf and reference.conf,
 * proxy/postgres application.conf). No cluster is involved: this checks the documents, not a deployment.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { create } from "../../create/src/create.js";
import { TEMPLATE_NAMES } from "../../create/src/templates.js";

type Json = Record<string, unknown>;
interface Doc {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

/**
 * The user container's telemetry (src/telemetry.ts): the standard variables, a Prometheus endpoint on a declared
 * metrics port that is neither the user port nor the proxy's own metrics port (9090, in the same pod), and OTLP
 * export off until the endpoint is filled in.
 */
function telemetryOf(user: {
  ports?: { containerPort: number; name?: string }[];
  env?: { name: string; value?: string }[];
}): void {
  const env = new Map((user.env ?? []).map((e) => [e.name, e.value]));
  assert.equal(env.get("OTEL_SERVICE_NAME"), "svc");
  assert.equal(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"), "");
  assert.deepEqual(env.get("OTEL_METRICS_EXPORTER")?.split(","), ["prometheus", "otlp"]);
  const metricsPort = Number(env.get("OTEL_EXPORTER_PROMETHEUS_PORT"));
  assert.ok(![DEFAULT_USER_PORT, 9090].includes(metricsPort), `metrics port ${metricsPort} is free in the pod`);
  assert.deepEqual(
    user.ports?.find((p) => p.name === "metrics"),
    { name: "metrics", containerPort: metricsPort },
    "the metrics port is declared",
  );
}

/** The fields of StatefulService.Spec and StatefulStore.Spec (play-json formats: unknown fields are ignored). */
const SERVICE_SPEC_FIELDS = [
  "containers",
  "volumes",
  "serviceAccountName",
  "autoscaling",
  "datastore",
  "sidecarResources",
  "sidecarJvmMemory",
  "nodeSelector",
  "tolerations",
];
const STORE_SPEC_FIELDS = ["type", "deployment", "config"];
const STORE_TYPES = ["Cassandra", "InMemory", "Postgres"];
/** The user port the operator defaults to and passes as PORT (DefaultUserPort, UserPortEnvVar). */
const DEFAULT_USER_PORT = 8080;
/** The environment the operator gives the proxy sidecar (createSideCar), with its values where fixed. */
const SIDECAR_ENV: Record<string, string | undefined> = {
  HTTP_PORT: "8013",
  USER_FUNCTION_PORT: undefined,
  REMOTING_PORT: "2552",
  MANAGEMENT_PORT: "8558",
  SELECTOR_LABEL: "cloudstate.io/statefulService",
  SELECTOR_LABEL_VALUE: undefined,
  REQUIRED_CONTACT_POINT_NR: "1",
  JAVA_OPTS: undefined,
};
const POSTGRES_ENV = [
  "POSTGRES_SERVICE",
  "POSTGRES_PORT",
  "POSTGRES_DATABASE",
  "POSTGRES_USERNAME",
  "POSTGRES_PASSWORD",
];

const base = mkdtempSync(join(tmpdir(), "cloudstate-manifests-"));
after(() => rmSync(base, { recursive: true, force: true }));

function documents(dir: string): Doc[] {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml"));
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc) => {
      assert.deepEqual(doc.errors, [], `${file} parses`);
      return { ...(doc.toJS() as Omit<Doc, "file">), file } as Doc;
    }),
  );
}

function only(docs: readonly Doc[], kind: string, where = (_: Doc) => true): Doc {
  const found = docs.filter((d) => d.kind === kind && where(d));
  assert.equal(found.length, 1, `one ${kind} (found ${found.map((d) => d.file).join(", ") || "none"})`);
  return found[0] as Doc;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name?: string;
  image: string;
  ports?: { containerPort: number; name?: string }[];
  env?: EnvVar[];
  readinessProbe?: { httpGet?: { path: string; port: number } };
  livenessProbe?: { httpGet?: { path: string; port: number } };
}

for (const template of TEMPLATE_NAMES) {
  describe(`the ${template} template's deploy/ manifests`, () => {
    const dir = join(base, template, "svc");
    create({ dir, template, name: "svc" });
    const all = documents(join(dir, "deploy"));
    const operator = all.filter((d) => !d.file.startsWith("plain/"));
    const plain = all.filter((d) => d.file.startsWith("plain/"));
    const stateful = template === "event-sourced" || template === "value-entity";
    const dockerfile = readFileSync(join(dir, "Dockerfile"), "utf8");

    it("has a Dockerfile whose COPY sources are in the project (package-lock.json once npm install wrote it)", () => {
      const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? "").split(" "));
      assert.ok(sources.includes("src") && sources.includes("proto"), sources.join(" "));
      for (const source of sources) {
        if (source !== "package-lock.json") assert.ok(existsSync(join(dir, source)), `${source} exists`);
      }
      assert.match(dockerfile, /^CMD \["node", "dist\/src\/main\.js"\]$/m);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> };
      assert.equal(pkg.scripts["start"], "node dist/src/main.js", "the image runs what npm start runs");
    });

    it("has a StatefulService the 0.6.0 operator reads: its fields, the user container and its port", () => {
      const service = only(operator, "StatefulService");
      assert.equal(service.apiVersion, "cloudstate.io/v1alpha1");
      assert.equal(service.metadata.name, "svc");
      const spec = service["spec"] as Json;
      for (const key of Object.keys(spec)) assert.ok(SERVICE_SPEC_FIELDS.includes(key), `spec.${key} is read`);
      const containers = spec["containers"] as Container[];
      assert.equal(containers.length, 1, "the operator uses the first container as the user function");
      const [user] = containers as [Container];
      assert.equal(user.image, "svc:0.1.0");
      // The first port of the containers is where the proxy calls the user function, passed to it as PORT.
      assert.equal(user.ports?.[0]?.containerPort ?? DEFAULT_USER_PORT, DEFAULT_USER_PORT);
      assert.match(dockerfile, new RegExp(`ENV [^\\n]*PORT=${DEFAULT_USER_PORT}`));
      assert.match(dockerfile, new RegExp(`EXPOSE ${DEFAULT_USER_PORT}`));
      telemetryOf(user);
    });

    if (stateful) {
      it("names a Postgres StatefulStore the operator accepts, with credentials from a secret that has them", () => {
        const service = only(operator, "StatefulService");
        const datastore = (service["spec"] as Json)["datastore"] as { name: string };
        const store = only(operator, "StatefulStore");
        assert.equal(store.apiVersion, "cloudstate.io/v1alpha1");
        assert.equal(store.metadata.name, datastore.name, "spec.datastore.name is the store's name");
        const spec = store["spec"] as { type: string; deployment: string; config: Json };
        for (const key of Object.keys(spec)) assert.ok(STORE_SPEC_FIELDS.includes(key), `spec.${key} is read`);
        assert.ok(STORE_TYPES.includes(spec.type));
        assert.equal(spec.type, "Postgres");
        assert.equal(spec.deployment, "Unmanaged", "the only Postgres deployment the operator supports");
        assert.equal(typeof spec.config["service"], "string");
        assert.equal(typeof spec.config["port"], "number");
        const fromSecret = spec.config["credentialsFromSecret"] as { name: string };
        // Without credentials/<key> or credentialsFromSecret.<key>Key, each key defaults to its own name.
        assert.equal(spec.config["credentials"], undefined);
        const secret = only(operator, "Secret", (d) => d.metadata.name === fromSecret.name);
        const data = secret["stringData"] as Record<string, string>;
        for (const key of ["database", "username", "password"]) assert.equal(typeof data[key], "string", key);
      });
    } else {
      it("has no datastore and no StatefulStore: this kind keeps nothing in a database", () => {
        const service = only(operator, "StatefulService");
        assert.equal((service["spec"] as Json)["datastore"], undefined);
        assert.equal(
          operator.filter((d) => d.kind === "StatefulStore").length,
          0,
          "no StatefulStore for a kind without one",
        );
      });
    }

    it("has a plain Deployment with the proxy as a sidecar, set up as the operator would", () => {
      const deployment = only(plain, "Deployment");
      assert.equal(deployment.apiVersion, "apps/v1");
      const spec = deployment["spec"] as {
        selector: { matchLabels: Record<string, string> };
        template: {
          metadata: { labels: Record<string, string> };
          spec: { serviceAccountName: string; containers: Container[] };
        };
      };
      const labels = spec.template.metadata.labels;
      for (const [key, value] of Object.entries(spec.selector.matchLabels)) assert.equal(labels[key], value);
      const [user, proxy] = spec.template.spec.containers as [Container, Container];
      const userPort = user.ports?.[0]?.containerPort;
      assert.equal(userPort, DEFAULT_USER_PORT);
      assert.equal(user.env?.find((e) => e.name === "PORT")?.value, String(userPort));
      telemetryOf(user);
      assert.equal(
        proxy.image,
        stateful ? "cloudstateio/cloudstate-proxy-postgres:0.6.0" : "cloudstateio/cloudstate-proxy-core:0.6.0",
      );
      const env = new Map((proxy.env ?? []).map((e) => [e.name, e]));
      for (const [name, value] of Object.entries(SIDECAR_ENV)) {
        assert.ok(env.has(name), `the sidecar has ${name}`);
        if (value !== undefined) assert.equal(env.get(name)?.value, value, name);
      }
      assert.equal(env.get("USER_FUNCTION_PORT")?.value, String(userPort));
      // Akka cluster bootstrap lists the pods labelled SELECTOR_LABEL=SELECTOR_LABEL_VALUE.
      const selector = env.get("SELECTOR_LABEL")?.value ?? "";
      assert.equal(labels[selector], env.get("SELECTOR_LABEL_VALUE")?.value);
      const ports = (proxy.ports ?? []).map((p) => p.containerPort);
      for (const port of ["HTTP_PORT", "MANAGEMENT_PORT", "REMOTING_PORT"]) {
        assert.ok(ports.includes(Number(env.get(port)?.value)), `the sidecar declares its ${port}`);
      }
      assert.deepEqual(proxy.readinessProbe?.httpGet, { path: "/ready", port: 8558 });
      assert.deepEqual(proxy.livenessProbe?.httpGet, { path: "/alive", port: 8558 });
      if (stateful) {
        for (const name of POSTGRES_ENV) assert.ok(env.has(name), `the sidecar has ${name}`);
        const secret = only(operator, "Secret");
        for (const [name, key] of [
          ["POSTGRES_DATABASE", "database"],
          ["POSTGRES_USERNAME", "username"],
          ["POSTGRES_PASSWORD", "password"],
        ] as const) {
          assert.deepEqual(env.get(name)?.valueFrom?.secretKeyRef, { name: secret.metadata.name, key });
        }
      } else {
        for (const name of POSTGRES_ENV) assert.ok(!env.has(name), `no ${name}`);
        assert.match(env.get("JAVA_OPTS")?.value ?? "", /-Dconfig\.resource=no-store\.conf/);
      }

      // The Service reaches the proxy's port; the service account may list pods (cluster bootstrap).
      const service = only(plain, "Service");
      const servicePorts = (service["spec"] as { ports: { targetPort: number }[]; selector: Record<string, string> })
        .ports;
      assert.equal(servicePorts[0]?.targetPort, Number(env.get("HTTP_PORT")?.value));
      for (const [key, value] of Object.entries((service["spec"] as { selector: Record<string, string> }).selector)) {
        assert.equal(labels[key], value, "the Service selects the pods");
      }
      const account = only(plain, "ServiceAccount");
      assert.equal(spec.template.spec.serviceAccountName, account.metadata.name);
      const role = only(plain, "Role");
      const rules = role["rules"] as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      assert.ok(
        rules.some(
          (r) =>
            r.apiGroups.includes("") &&
            r.resources.includes("pods") &&
            ["get", "watch", "list"].every((v) => r.verbs.includes(v)),
        ),
      );
      const binding = only(plain, "RoleBinding");
      assert.equal((binding["roleRef"] as { name: string }).name, role.metadata.name);
      assert.deepEqual(
        (binding["subjects"] as { name: string }[]).map((s) => s.name),
        [account.metadata.name],
      );
    });
  });
}
