/**
 * The options protoc-gen-cloudstate reads from the user's protos (declared in protocols/), through protobuf-es's
 * `getOption` with the extension descriptors generated into plugin/gen/. Reading only: what the options mean, and
 * which values are wrong, is plugin/build/'s business.
 */
import {
  getOption,
  hasOption,
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescService,
} from "@bufbuild/protobuf";
import { entity_key } from "./gen/cloudstate/entity_key_pb.js";
import { type Eventing, eventing } from "./gen/cloudstate/eventing_pb.js";
import { legacy_entity_key } from "./gen/cloudstate/legacy_entity_key_pb.js";
import { entity, type EntityOptions, previous_names } from "./gen/cloudstate/typescript/entity_options_pb.js";

/** The service's `(cloudstate.typescript.entity)` option; undefined when the service is not an entity. */
export function entityOptionsOf(service: DescService): EntityOptions | undefined {
  return hasOption(service, entity) ? getOption(service, entity) : undefined;
}

/** Whether a field is marked `(cloudstate.entity_key)` or `(cloudstate.legacy_entity_key)`. */
export function isEntityKey(field: DescField): boolean {
  return getOption(field, entity_key) || getOption(field, legacy_entity_key);
}

/** The rpc's `(cloudstate.eventing)` option; undefined when it has none. */
export function eventingOf(method: DescMethod): Eventing | undefined {
  return hasOption(method, eventing) ? getOption(method, eventing) : undefined;
}

/** The message's `(cloudstate.typescript.previous_names)`: the names it was stored under before. */
export function previousNamesOf(message: DescMessage): readonly string[] {
  return getOption(message, previous_names);
}
