/**
 * The proxy's Google Pub/Sub eventing, configured for a test: topic input and output through a Pub/Sub server
 * (Google's in-memory fake, or any other) on a plaintext address.
 */

/** Where the proxy finds Pub/Sub, and how it uses it. */
export interface PubsubEventingSettings {
  /** The Pub/Sub server's host (plaintext, no credentials). */
  readonly host: string;
  /** The Pub/Sub server's port, e.g. that of Google's emulator or the `pstest` fake. */
  readonly port: number;
  /** The Google Cloud project the topics and subscriptions belong to (`projects/<projectId>/...`). */
  readonly projectId: string;
  /**
   * `manually` (default): the topics, and each subscription `<topic>_<consumer group>`, must exist before the proxy
   * starts reading. `by-proxy`: the proxy creates them; on the released 0.6.0 proxy it subscribes on a topic named
   * after the consumer group instead of the declared topic (fixed by the fixes artifact).
   */
  readonly manageTopicsAndSubscriptions?: "manually" | "by-proxy";
  /**
   * Answers published per request (default 1). The proxy's own default, 10, with its 5 s batch deadline, delays
   * every publication by up to 5 s.
   */
  readonly downstreamBatchSize?: number;
  /** How long the proxy waits to fill a batch of answers (HOCON duration, default `0s`: no batching). */
  readonly downstreamBatchDeadline?: string;
  /**
   * How long Pub/Sub waits for the proxy's acknowledgement before delivering a message again (HOCON duration,
   * 10 s to 600 s; default `10s`, the proxy's own). The proxy acknowledges in groups of up to 10, at least every
   * half of this.
   */
  readonly upstreamAckDeadline?: string;
}

/** What to add to the proxy's start: JVM options (`-Dkey=value`) and environment. */
export interface ProxyEventingOptions {
  /** `-Dcloudstate.proxy.eventing...` settings, to add to the proxy's JVM command line. */
  readonly jvmOptions: readonly string[];
  /** Environment variables the proxy's configuration reads (the Pub/Sub project), to add to its environment. */
  readonly env: Readonly<Record<string, string>>;
}

const PREFIX = "cloudstate.proxy.eventing";

/**
 * The proxy options that turn on its Google Pub/Sub eventing (`cloudstate.proxy.eventing.support =
 * "google-pubsub"`) against `settings`' server: plaintext (`rootCa = "none"`), no credentials, answers published
 * one by one as they come. Pass `jvmOptions` and `env` to `startProxy` or `CloudstateTestEnvironment.start`.
 *
 * Topic input works on the released 0.6.0 proxy; topic output needs the fixes artifact (`fixes: true`): the
 * released proxy fails every publication with `Unsupported field: Year` (docs/eventing.md).
 *
 * @throws RangeError for a port that is not a TCP port, an empty project or host, or a batch size below 1.
 */
export function pubsubEventing(settings: PubsubEventingSettings): ProxyEventingOptions {
  if (settings.host === "") throw new RangeError("pubsubEventing: host must not be empty");
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65535) {
    throw new RangeError(`pubsubEventing: port must be a TCP port (1-65535), got ${settings.port}`);
  }
  if (settings.projectId === "") throw new RangeError("pubsubEventing: projectId must not be empty");
  const batchSize = settings.downstreamBatchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`pubsubEventing: downstreamBatchSize must be an integer of at least 1, got ${batchSize}`);
  }
  const pubsub = `${PREFIX}.google-pubsub`;
  return {
    jvmOptions: [
      `-D${PREFIX}.support=google-pubsub`,
      `-D${pubsub}.host=${settings.host}`,
      `-D${pubsub}.port=${settings.port}`,
      `-D${pubsub}.rootCa=none`,
      `-D${pubsub}.callCredentials=none`,
      `-D${pubsub}.project-id=${settings.projectId}`,
      `-D${pubsub}.manage-topics-and-subscriptions=${settings.manageTopicsAndSubscriptions ?? "manually"}`,
      `-D${pubsub}.downstream-batch-size=${batchSize}`,
      `-D${pubsub}.downstream-batch-deadline=${settings.downstreamBatchDeadline ?? "0s"}`,
      `-D${pubsub}.upstream-ack-deadline=${settings.upstreamAckDeadline ?? "10s"}`,
    ],
    // The proxy's reference configuration also reads the project from here.
    env: { PUBSUB_PROJECT_ID: settings.projectId },
  };
}
