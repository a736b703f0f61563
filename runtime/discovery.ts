import type {
  Entity as EntityMessage,
  EntityDiscoveryServiceImplementation,
  EntitySpec,
  ProxyInfo,
  UserFunctionError,
} from "../gen/cloudstate/entity.js";
import type { Empty } from "../gen/google/protobuf/empty.js";
import type { DeepPartial } from "../gen/typeRegistry.js";
import Long from "long";
import { assembleDescriptorSet, splitDescriptorSet, withoutField } from "./descriptor-set.js";
import type { Logger } from "./logger.js";
import { LIBRARY_NAME, LIBRARY_VERSION, PROTOCOL_VERSION } from "./version.js";

/** FileDescriptorProto.source_code_info: comments and spans, which do not change what a file means. */
const SOURCE_CODE_INFO_FIELD = 9;

/** What discovery needs to know of a served entity, whatever its kind. */
export interface DiscoverableEntity {
  readonly entityType: string;
  readonly serviceName: string;
  readonly persistenceId: string;
  readonly passivationTimeoutMs: number | undefined;
  readonly descriptorSet: Uint8Array;
}

/** Facts about the user function reported to the proxy. */
export interface ServiceInfoOptions {
  /** The user function's name, e.g. `shopping-cart`. */
  readonly serviceName?: string;
  /** The user function's version. */
  readonly serviceVersion?: string;
}

/** Builds the discovery answer from the served entities. Pure; tested without a network. */
export function buildEntitySpec(entities: readonly DiscoverableEntity[], info: ServiceInfoOptions = {}): EntitySpec {
  return {
    $type: "cloudstate.EntitySpec",
    // One set from every entity's files: each file once, after its imports.
    proto: Buffer.from(assembleDescriptorSet(entities.map((entity) => entity.descriptorSet))),
    entities: entities.map(toEntityMessage),
    serviceInfo: {
      $type: "cloudstate.ServiceInfo",
      serviceName: info.serviceName ?? "",
      serviceVersion: info.serviceVersion ?? "",
      serviceRuntime: `Node.js ${process.version}`,
      supportLibraryName: LIBRARY_NAME,
      supportLibraryVersion: LIBRARY_VERSION,
      protocolMajorVersion: PROTOCOL_VERSION.major,
      protocolMinorVersion: PROTOCOL_VERSION.minor,
    },
  };
}

function toEntityMessage(entity: DiscoverableEntity): EntityMessage {
  const timeout = entity.passivationTimeoutMs;
  return {
    $type: "cloudstate.Entity",
    entityType: entity.entityType,
    serviceName: entity.serviceName,
    persistenceId: entity.persistenceId,
    passivationStrategy:
      timeout === undefined
        ? undefined
        : {
            $type: "cloudstate.EntityPassivationStrategy",
            strategy: {
              $case: "timeout",
              value: { $type: "cloudstate.TimeoutPassivationStrategy", timeout: Long.fromNumber(timeout) },
            },
          },
  };
}

/** A proto file that two served entities carry with different contents. */
export interface ConflictingFile {
  /** The file's path, e.g. `google/protobuf/descriptor.proto`. */
  readonly name: string;
  /** The service whose copy the proxy gets (the first entity that carries the file). */
  readonly kept: string;
  /** A service whose copy differs, and is not sent. */
  readonly dropped: string;
}

/**
 * The files that served entities carry under one name with different contents (source info aside), each once. The
 * proxy gets a file of a name once, the first entity's copy, so the others' differences (a newer `descriptor.proto`,
 * or two unrelated files that happen to share a path) are silently not seen by it; the server warns about each.
 * Pure.
 */
export function conflictingFiles(entities: readonly DiscoverableEntity[]): ConflictingFile[] {
  const first = new Map<string, { service: string; bytes: Uint8Array }>();
  const conflicts = new Map<string, ConflictingFile>();
  for (const entity of entities) {
    for (const file of splitDescriptorSet(entity.descriptorSet)) {
      const earlier = first.get(file.name);
      const bytes = withoutField(file.bytes, SOURCE_CODE_INFO_FIELD);
      if (earlier === undefined) first.set(file.name, { service: entity.serviceName, bytes });
      else if (!conflicts.has(file.name) && Buffer.compare(earlier.bytes, bytes) !== 0) {
        conflicts.set(file.name, { name: file.name, kept: earlier.service, dropped: entity.serviceName });
      }
    }
  }
  return [...conflicts.values()];
}

/** The `EntityDiscovery` service. @internal */
export function entityDiscoveryService(
  entities: readonly DiscoverableEntity[],
  info: ServiceInfoOptions,
  logger: Logger,
): EntityDiscoveryServiceImplementation {
  const spec = buildEntitySpec(entities, info);
  for (const conflict of conflictingFiles(entities)) {
    logger.warn(
      `two different files named ${conflict.name} are served: the proxy gets ${conflict.kept}'s, not ` +
        `${conflict.dropped}'s (serve entities generated in one project, from one set of protos)`,
    );
  }
  return {
    discover(proxy: ProxyInfo): Promise<DeepPartial<EntitySpec>> {
      logger.info(
        `discovery from ${proxy.proxyName} ${proxy.proxyVersion} (protocol ${proxy.protocolMajorVersion}.${proxy.protocolMinorVersion}); ` +
          `serving ${entities.map((e) => e.serviceName).join(", ") || "nothing"}`,
      );
      if (
        proxy.protocolMajorVersion !== PROTOCOL_VERSION.major ||
        proxy.protocolMinorVersion !== PROTOCOL_VERSION.minor
      ) {
        logger.warn(
          `the proxy speaks protocol ${proxy.protocolMajorVersion}.${proxy.protocolMinorVersion}; this library speaks ${PROTOCOL_VERSION.major}.${PROTOCOL_VERSION.minor}`,
        );
      }
      const unsupported = entities.filter((e) => !proxy.supportedEntityTypes.includes(e.entityType));
      for (const entity of unsupported) {
        // Not fatal: the proxy answers with the reason through reportError.
        logger.error(`the proxy does not support ${entity.entityType}, needed by ${entity.serviceName}`);
      }
      return Promise.resolve(spec);
    },
    reportError(error: UserFunctionError): Promise<DeepPartial<Empty>> {
      logger.error(`the proxy reports an error in this user function: ${error.message}`);
      return Promise.resolve({});
    },
  };
}
