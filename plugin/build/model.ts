/**
 * Builds the model of a request: every entity service of the files to generate, checked as the proxy and the
 * runtime would refuse them. Every problem names the file, service and field; all are reported at once.
 */
import type { DescService, FileRegistry } from "@bufbuild/protobuf";
import { EntityKind, type EntityOptions } from "../gen/cloudstate/typescript/entity_options_pb.js";
import { type EntityModel, type EventSourcedEntityModel, type FileModel, ModelError } from "../model.js";
import { moduleOf } from "../names.js";
import { entityOptionsOf } from "../proto-options.js";
import type { PluginRequest } from "../request.js";
import { buildAction } from "./action.js";
import { checkEventConsumers } from "./commands.js";
import { buildCrdtEntity } from "./crdt.js";
import { siteOf, type ServiceSite } from "./site.js";
import { buildStatefulEntity } from "./stateful.js";

function buildEntityOfKind(site: ServiceSite, options: EntityOptions): EntityModel | undefined {
  const { where, problems } = site;
  switch (options.kind) {
    case EntityKind.EVENT_SOURCED:
    case EntityKind.VALUE_ENTITY:
      return buildStatefulEntity(site, options, options.kind);
    case EntityKind.ACTION:
      return buildAction(site, options);
    case EntityKind.CRDT:
      return buildCrdtEntity(site, options);
    case EntityKind.ENTITY_KIND_UNSPECIFIED:
      problems.push(`${where}: option (cloudstate.typescript.entity).kind is required`);
      return undefined;
    default: {
      // An open enum: the option may carry a number the proto does not declare.
      const kind: number = options.kind;
      problems.push(`${where}: unknown entity kind ${kind}; expected EVENT_SOURCED, VALUE_ENTITY, CRDT or ACTION`);
      return undefined;
    }
  }
}

function buildEntity(
  service: DescService,
  options: EntityOptions,
  registry: FileRegistry,
  problems: string[],
): EntityModel | undefined {
  const site = siteOf(service, registry, problems);
  const entity = buildEntityOfKind(site, options);
  if (entity !== undefined) checkEventConsumers(site, entity.commands);
  return entity;
}

const ANY_TYPE = "google.protobuf.Any";

/**
 * An rpc fed by the event log of an event-sourced entity generated in the same request must take one of its
 * protobuf event types, or `google.protobuf.Any` (which JSON events need); anything else would never be called.
 */
function checkEventLogInputs(entities: readonly EntityModel[], problems: string[]): void {
  const logs = new Map<string, EventSourcedEntityModel>();
  for (const entity of entities) if (entity.kind === "event-sourced") logs.set(entity.persistenceId, entity);
  for (const entity of entities) {
    for (const command of entity.commands) {
      const source = command.eventing.source;
      if (source?.kind !== "event-log") continue;
      const log = logs.get(source.name);
      if (log === undefined || command.input.fullName === ANY_TYPE) continue;
      const protobufEvents = log.events.filter((e) => !log.jsonEvents.includes(e.fullName)).map((e) => e.fullName);
      if (!protobufEvents.includes(command.input.fullName)) {
        problems.push(
          `${entity.file}: service ${entity.fullName}: rpc ${command.rpcName}: takes ${command.input.fullName}, which is not a protobuf event of ${log.fullName} (event log ${source.name}); take one of ${[...protobufEvents, ANY_TYPE].join(", ")}`,
        );
      }
    }
  }
}

/**
 * Builds the model of every file to generate that declares entities.
 * @throws ModelError listing every problem found.
 */
export function buildModel(request: PluginRequest): FileModel[] {
  const { registry } = request;
  const problems: string[] = [];
  const files: FileModel[] = [];
  for (const name of request.request.fileToGenerate) {
    const file = registry.getFile(name);
    if (file === undefined) {
      problems.push(`${name}: listed to generate but missing from the request`);
      continue;
    }
    const entities: EntityModel[] = [];
    for (const service of file.services) {
      const options = entityOptionsOf(service);
      if (options === undefined) continue;
      const entity = buildEntity(service, options, registry, problems);
      if (entity !== undefined) entities.push(entity);
    }
    if (entities.length > 0) files.push({ file: name, module: moduleOf(name), entities });
  }
  checkEventLogInputs(
    files.flatMap((f) => f.entities),
    problems,
  );
  if (problems.length > 0) throw new ModelError(problems);
  return files;
}
