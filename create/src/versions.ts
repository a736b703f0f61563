/**
 * The exact versions a generated project depends on: what the cloudstate-ts repository builds and tests with
 * (its package-lock.json; test/create/create.test.ts fails when they drift apart).
 */
export const VERSIONS = {
  "cloudstate-ts": "0.1.0",
  "cloudstate-ts-devkit": "0.1.0",
  "protoc-gen-cloudstate": "0.1.0",
  "@bufbuild/buf": "1.75.0",
  "@bufbuild/protobuf": "2.17.0",
  "@opentelemetry/api": "1.10.0",
  "@opentelemetry/context-async-hooks": "3.1.1",
  "@opentelemetry/exporter-metrics-otlp-http": "0.301.2",
  "@opentelemetry/exporter-prometheus": "0.301.2",
  "@opentelemetry/exporter-trace-otlp-http": "0.301.2",
  "@opentelemetry/resources": "3.1.1",
  "@opentelemetry/sdk-metrics": "3.1.1",
  "@opentelemetry/sdk-trace": "3.1.1",
  "@types/node": "22.20.7",
  long: "5.3.2",
  "nice-grpc": "2.1.18",
  "nice-grpc-common": "2.0.4",
  tsx: "4.23.15",
  typescript: "5.9.3",
} as const;

/** The Cloudstate release the deployment manifests run (proxy images) and the dev loop starts. */
export const CLOUDSTATE_VERSION = "0.6.0";
