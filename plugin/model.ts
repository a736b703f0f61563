/**
 * The typed model the emitters print from: entity services with their resolved message types, comments and
 * descriptor sets. Building it checks the user's protos; every problem names the file, service and field.
 */
import { BinaryReader } from "@bufbuild/protobuf/wire";
import {
  type CodeGeneratorRequest,
  type DescriptorProto,
  type FileDescriptorProto,
  type MethodDescriptorProto,
  type ServiceDescriptorProto,
} from "ts-proto-descriptors";
import { CrdtType, EntityKind, EntityOptions, type CrdtSpec } from "../gen/cloudstate/typescript/entity_options.js";
import { Eventing } from "../gen/cloudstate/eventing.js";
import { descriptorSetOf, type SerializedFile, withoutField } from "../runtime/descriptor-set.js";
import { messageSymbol, methodKey, moduleOf } from "./names.js";

/** Field numbers of the options this plugin reads (see protocols/). */
const ENTITY_OPTIONS_FIELD = 52080; // cloudstate.typescript.entity on ServiceOptions
const ENTITY_KEY_FIELD = 1080; // cloudstate.entity_key on FieldOptions
const LEGACY_ENTITY_KEY_FIELD = 50002; // cloudstate.legacy_entity_key on FieldOptions
const EVENTING_FIELD = 1081; // cloudstate.eventing on MethodOptions
const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** A message type and where ts-proto put it. */
export interface MessageInfo {
  readonly fullName: string;
  /** The module ts-proto wrote it to (proto path without `.proto`). */
  readonly module: string;
  /** Its exported name in that module. */
  readonly symbol: string;
  readonly descriptor: DescriptorProto;
  readonly file: string;
}

/** The streaming shape of an rpc. */
export type StreamingShape = "unary" | "client-streaming" | "server-streaming" | "bidi-streaming";

export interface CommandModel {
  /** The rpc name, e.g. `AddItem`. */
  readonly rpcName: string;
  /** Its key in ts-proto's service definition, e.g. `addItem`. */
  readonly key: string;
  readonly input: MessageInfo;
  readonly output: MessageInfo;
  readonly shape: StreamingShape;
  readonly comment: string | undefined;
  /** Where the proxy feeds the rpc events from, and where it publishes its answers, per `(cloudstate.eventing)`. */
  readonly eventing: EventingModel;
}

/** An rpc's `(cloudstate.eventing)` option, checked. */
export interface EventingModel {
  /** The event source feeding the rpc, if any. */
  readonly source:
    { readonly kind: "topic" | "event-log"; readonly name: string; readonly consumerGroup: string } | undefined;
  /** The topic the rpc's answers are published to, if any. */
  readonly destinationTopic: string | undefined;
}

/** What every kind's model has. */
export interface ServiceModelBase {
  readonly file: string;
  readonly module: string;
  /** The service's simple name, e.g. `ShoppingCart`. */
  readonly name: string;
  readonly fullName: string;
  readonly comment: string | undefined;
  readonly commands: readonly CommandModel[];
}

/** What the stateful kinds' models have besides. */
export interface EntityModelBase extends ServiceModelBase {
  readonly state: MessageInfo;
  readonly persistenceId: string;
  readonly passivationTimeoutMs: number | undefined;
}

export interface EventSourcedEntityModel extends EntityModelBase {
  readonly kind: "event-sourced";
  readonly events: readonly MessageInfo[];
  /** Full names of the events persisted as Cloudstate JSON rather than protobuf (a subset of `events`). */
  readonly jsonEvents: readonly string[];
  readonly snapshotEvery: number | undefined;
}

export interface ValueEntityModel extends EntityModelBase {
  readonly kind: "value";
}

export interface ActionModel extends ServiceModelBase {
  readonly kind: "action";
}

/** The scalar types a CRDT element may have, carried as Cloudstate primitives. */
export const CRDT_SCALARS = ["string", "bytes", "bool", "int32", "int64", "float", "double"] as const;
export type CrdtScalar = (typeof CRDT_SCALARS)[number];

/** The type of a CRDT's elements, register value or map keys. */
export type CrdtElementModel =
  | { readonly kind: "scalar"; readonly scalar: CrdtScalar }
  | { readonly kind: "message"; readonly message: MessageInfo };

/** A declared CRDT type, with its element types. */
export type CrdtSpecModel =
  | { readonly type: "GCounter" | "PNCounter" | "Flag" | "Vote" }
  | { readonly type: "GSet" | "ORSet" | "LWWRegister"; readonly element: CrdtElementModel }
  | { readonly type: "ORMap"; readonly element: CrdtElementModel; readonly value: CrdtSpecModel };

export interface CrdtEntityModel extends ServiceModelBase {
  readonly kind: "crdt";
  /** Undefined: any CRDT, chosen per entity by the handlers. */
  readonly crdt: CrdtSpecModel | undefined;
  readonly passivationTimeoutMs: number | undefined;
}

export type EntityModel = EventSourcedEntityModel | ValueEntityModel | ActionModel | CrdtEntityModel;

/** The entities of one generated proto file. */
export interface FileModel {
  readonly file: string;
  readonly module: string;
  readonly entities: readonly EntityModel[];
  /** FileDescriptorSet of the file and everything it imports, without source info: one for all its entities. */
  readonly descriptorSet: Uint8Array;
}

/** The request's files, decoded for reading and as the compiler serialized them for embedding. */
export interface RequestFiles {
  readonly byName: ReadonlyMap<string, FileDescriptorProto>;
  /** Every `proto_file` of the request, in its (dependency-first) order, byte for byte. */
  readonly serialized: readonly SerializedFile[];
}

/** Problems in the user's protos, all at once. */
export class ModelError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

function indexMessages(files: readonly FileDescriptorProto[]): Map<string, MessageInfo> {
  const index = new Map<string, MessageInfo>();
  const visit = (file: FileDescriptorProto, scope: string, path: string[], message: DescriptorProto): void => {
    const fullName = `${scope}${message.name}`;
    const nestedPath = [...path, message.name];
    index.set(fullName, {
      fullName,
      module: moduleOf(file.name),
      symbol: messageSymbol(nestedPath),
      descriptor: message,
      file: file.name,
    });
    for (const nested of message.nestedType) visit(file, `${fullName}.`, nestedPath, nested);
  };
  for (const file of files) {
    const scope = file.package === "" ? "" : `${file.package}.`;
    for (const message of file.messageType) visit(file, scope, [], message);
  }
  return index;
}

/** Resolves a type reference the way protoc does: from the innermost scope outwards; a leading dot is absolute. */
function resolveTypeReference(
  reference: string,
  scope: string,
  index: Map<string, MessageInfo>,
): MessageInfo | undefined {
  if (reference.startsWith(".")) return index.get(reference.slice(1));
  const parts = scope === "" ? [] : scope.split(".");
  for (let n = parts.length; n >= 0; n--) {
    const candidate = [...parts.slice(0, n), reference].join(".");
    const found = index.get(candidate);
    if (found !== undefined) return found;
  }
  return undefined;
}

function unknownFieldPayloads(
  unknown: { [key: number]: Uint8Array[] } | undefined,
  field: number,
  wireType: number,
): Uint8Array[] {
  return unknown?.[(field << 3) | wireType] ?? [];
}

/** The payloads of a message-typed option, merged as protobuf merges repeated occurrences. */
function mergedOptionBytes(payloads: readonly Uint8Array[]): Uint8Array {
  const chunks = payloads.map((raw) => new BinaryReader(raw).bytes());
  const merged = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    merged.set(chunk, at);
    at += chunk.length;
  }
  return merged;
}

/** Reads the `cloudstate.typescript.entity` service option. */
function entityOptionsOf(service: ServiceDescriptorProto): EntityOptions | undefined {
  const payloads = unknownFieldPayloads(service.options?._unknownFields, ENTITY_OPTIONS_FIELD, WIRE_LEN);
  if (payloads.length === 0) return undefined;
  return EntityOptions.decode(mergedOptionBytes(payloads));
}

/** Reads and checks an rpc's `cloudstate.eventing` option, as the proxy would refuse it. */
function eventingOf(
  method: MethodDescriptorProto,
  shape: StreamingShape,
  rpc: string,
  problems: string[],
): EventingModel {
  const payloads = unknownFieldPayloads(method.options?._unknownFields, EVENTING_FIELD, WIRE_LEN);
  if (payloads.length === 0) return { source: undefined, destinationTopic: undefined };
  const eventing = Eventing.decode(mergedOptionBytes(payloads));
  let source: EventingModel["source"];
  if (eventing.in !== undefined) {
    const from = eventing.in.source;
    if (from === undefined || from.value === "") {
      problems.push(`${rpc}: (cloudstate.eventing).in needs a topic or an event_log`);
    } else {
      source = {
        kind: from.$case === "topic" ? "topic" : "event-log",
        name: from.value,
        consumerGroup: eventing.in.consumerGroup,
      };
    }
    if (shape === "client-streaming" || shape === "bidi-streaming") {
      problems.push(`${rpc}: an rpc fed by events takes one message at a time; it must not stream its input`);
    }
  }
  let destinationTopic: string | undefined;
  if (eventing.out !== undefined) {
    const to = eventing.out.destination;
    if (to === undefined || to.value === "") problems.push(`${rpc}: (cloudstate.eventing).out needs a topic`);
    else destinationTopic = to.value;
  }
  if (source?.kind === "topic" && source.name === destinationTopic) {
    problems.push(`${rpc}: (cloudstate.eventing) has the same topic ${source.name} as input and output`);
  }
  return { source, destinationTopic };
}

function isEntityKey(unknown: { [key: number]: Uint8Array[] } | undefined): boolean {
  return [ENTITY_KEY_FIELD, LEGACY_ENTITY_KEY_FIELD].some((field) =>
    unknownFieldPayloads(unknown, field, WIRE_VARINT).some((raw) => new BinaryReader(raw).bool()),
  );
}

function commentAt(file: FileDescriptorProto, path: readonly number[]): string | undefined {
  const location = file.sourceCodeInfo?.location.find(
    (l) => l.path.length === path.length && l.path.every((p, i) => p === path[i]),
  );
  const text = location?.leadingComments ?? "";
  return text.trim() === "" ? undefined : text;
}

/** FileDescriptorProto.source_code_info: comments and spans, which the proxy has no use for. */
const SOURCE_CODE_INFO_FIELD = 9;

/**
 * The file and its transitive imports, in the request's (dependency-first) order, without source info. Built from
 * the bytes the compiler serialized, never re-encoded: a decode/encode round trip through generated types drops
 * proto2 fields equal to their defaults (a field's `type` of TYPE_DOUBLE, say), and protobuf-java in the proxy
 * then cannot build the descriptors.
 */
function descriptorSetFor(file: FileDescriptorProto, request: RequestFiles): Uint8Array {
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dependency of request.byName.get(name)?.dependency ?? []) visit(dependency);
  };
  visit(file.name);
  return descriptorSetOf(
    request.serialized.filter((f) => needed.has(f.name)).map((f) => withoutField(f.bytes, SOURCE_CODE_INFO_FIELD)),
  );
}

/** Where a service is, and how to report a problem with it. */
interface ServiceSite {
  readonly file: FileDescriptorProto;
  readonly serviceIndex: number;
  readonly service: ServiceDescriptorProto;
  readonly fullName: string;
  readonly where: string;
  readonly index: Map<string, MessageInfo>;
  readonly problems: string[];
}

function shapeOf(method: MethodDescriptorProto): StreamingShape {
  if (method.clientStreaming) return method.serverStreaming ? "bidi-streaming" : "client-streaming";
  return method.serverStreaming ? "server-streaming" : "unary";
}

/**
 * The service's rpcs. Entities take unary rpcs (CRDT entities server-streamed ones too) whose input has an entity
 * key; actions take any.
 */
function buildCommands(site: ServiceSite, kindName: string, entity: boolean, serverStreaming = false): CommandModel[] {
  const { file, serviceIndex, service, where, index, problems } = site;
  if (service.method.length === 0) problems.push(`${where}: a service served by Cloudstate needs at least one rpc`);
  return service.method.flatMap((method: MethodDescriptorProto, methodIndex) => {
    const rpc = `${where}: rpc ${method.name}`;
    const shape = shapeOf(method);
    if (entity && shape !== "unary" && !(serverStreaming && shape === "server-streaming")) {
      problems.push(
        serverStreaming
          ? `${rpc}: ${kindName} entities take unary and server-streamed rpcs only`
          : `${rpc}: streamed rpcs are not supported by ${kindName} entities`,
      );
      return [];
    }
    const input = index.get(method.inputType.replace(/^\./, ""));
    const output = index.get(method.outputType.replace(/^\./, ""));
    if (input === undefined || output === undefined) {
      problems.push(`${rpc}: its input or output type is missing from the request`);
      return [];
    }
    if (entity && !input.descriptor.field.some((field) => isEntityKey(field.options?._unknownFields))) {
      problems.push(`${rpc}: input message ${input.fullName} has no field marked [(cloudstate.entity_key) = true]`);
      return [];
    }
    const comment = commentAt(file, [6, serviceIndex, 2, methodIndex]);
    const eventing = eventingOf(method, shape, rpc, problems);
    return [{ rpcName: method.name, key: methodKey(method.name), input, output, shape, comment, eventing }];
  });
}

/**
 * The proxy routes each event of a source to the one rpc of the service that takes the event's type: two rpcs
 * fed by the same source (and consumer group) must take different types.
 */
function checkEventConsumers(where: string, commands: readonly CommandModel[], problems: string[]): void {
  const seen = new Map<string, string>();
  for (const command of commands) {
    const source = command.eventing.source;
    if (source === undefined) continue;
    const key = `${source.kind} ${source.name} ${source.consumerGroup} ${command.input.fullName}`;
    const other = seen.get(key);
    if (other !== undefined) {
      problems.push(
        `${where}: rpcs ${other} and ${command.rpcName} both take ${command.input.fullName} from ${source.kind} ${source.name}; give one a consumer_group`,
      );
    } else seen.set(key, command.rpcName);
  }
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

function resolveType(site: ServiceSite, reference: string, what: string): MessageInfo | undefined {
  const found = resolveTypeReference(reference, site.file.package, site.index);
  if (found === undefined) site.problems.push(`${site.where}: ${what} type "${reference}" does not exist`);
  return found;
}

function baseOf(site: ServiceSite, commands: readonly CommandModel[]): ServiceModelBase {
  return {
    file: site.file.name,
    module: moduleOf(site.file.name),
    name: site.service.name,
    fullName: site.fullName,
    comment: commentAt(site.file, [6, site.serviceIndex]),
    commands,
  };
}

function buildStatefulEntity(
  site: ServiceSite,
  options: EntityOptions,
  kind: EntityKind.EVENT_SOURCED | EntityKind.VALUE_ENTITY,
): EventSourcedEntityModel | ValueEntityModel | undefined {
  const { where, problems } = site;
  const before = problems.length;
  const kindName = EntityKind[kind];
  const eventSourced = kind === EntityKind.EVENT_SOURCED;
  let state: MessageInfo | undefined;
  if (options.state === "") problems.push(`${where}: ${kindName} entities need (cloudstate.typescript.entity).state`);
  else state = resolveType(site, options.state, "state");
  if (eventSourced && options.events.length === 0 && options.jsonEvents.length === 0) {
    problems.push(
      `${where}: EVENT_SOURCED entities need at least one (cloudstate.typescript.entity).events or json_events type`,
    );
  }
  if (!eventSourced && options.events.length > 0) {
    problems.push(`${where}: ${kindName} entities have no events; remove (cloudstate.typescript.entity).events`);
  }
  if (!eventSourced && options.jsonEvents.length > 0) {
    problems.push(`${where}: ${kindName} entities have no events; remove (cloudstate.typescript.entity).json_events`);
  }
  if (options.crdt !== undefined) {
    problems.push(`${where}: only CRDT entities have a CRDT; remove (cloudstate.typescript.entity).crdt`);
  }
  if (!eventSourced && options.snapshotEvery !== 0) {
    problems.push(
      `${where}: ${kindName} entities take no snapshots; remove (cloudstate.typescript.entity).snapshot_every`,
    );
  }
  const events: MessageInfo[] = [];
  const jsonEvents: string[] = [];
  const references = [
    ...options.events.map((reference) => ({ reference, json: false })),
    ...options.jsonEvents.map((reference) => ({ reference, json: true })),
  ];
  for (const { reference, json } of references) {
    const event = resolveType(site, reference, "event");
    if (event === undefined) continue;
    if (events.some((e) => e.fullName === event.fullName))
      problems.push(`${where}: event type ${event.fullName} is listed twice`);
    else if (events.some((e) => e.symbol === event.symbol)) {
      problems.push(`${where}: event types ${event.fullName} and another share the name ${event.symbol}; rename one`);
    } else {
      events.push(event);
      if (json) jsonEvents.push(event.fullName);
    }
  }
  const commands = buildCommands(site, kindName ?? "", true);
  if (problems.length > before || state === undefined) return undefined;
  const timeout = options.passivationTimeoutMs.toNumber();
  const entity = {
    ...baseOf(site, commands),
    state,
    persistenceId: options.persistenceId === "" ? site.service.name : options.persistenceId,
    passivationTimeoutMs: timeout === 0 ? undefined : timeout,
  };
  if (!eventSourced) return { ...entity, kind: "value" };
  const snapshotEvery = options.snapshotEvery === 0 ? undefined : options.snapshotEvery;
  return { ...entity, kind: "event-sourced", events, jsonEvents, snapshotEvery };
}

function buildAction(site: ServiceSite, options: EntityOptions): ActionModel | undefined {
  const { where, problems } = site;
  const before = problems.length;
  const stateless = (option: string): void => {
    problems.push(`${where}: ACTION services keep no state; remove (cloudstate.typescript.entity).${option}`);
  };
  if (options.state !== "") stateless("state");
  if (options.events.length > 0) stateless("events");
  if (options.jsonEvents.length > 0) stateless("json_events");
  if (options.persistenceId !== "") stateless("persistence_id");
  if (options.snapshotEvery !== 0) stateless("snapshot_every");
  if (!options.passivationTimeoutMs.isZero()) stateless("passivation_timeout_ms");
  if (options.crdt !== undefined) stateless("crdt");
  const commands = buildCommands(site, "ACTION", false);
  if (problems.length > before) return undefined;
  return { ...baseOf(site, commands), kind: "action" };
}

const CRDT_TYPE_NAMES: { readonly [type: number]: CrdtSpecModel["type"] } = {
  [CrdtType.GCOUNTER]: "GCounter",
  [CrdtType.PNCOUNTER]: "PNCounter",
  [CrdtType.GSET]: "GSet",
  [CrdtType.ORSET]: "ORSet",
  [CrdtType.LWWREGISTER]: "LWWRegister",
  [CrdtType.FLAG]: "Flag",
  [CrdtType.ORMAP]: "ORMap",
  [CrdtType.VOTE]: "Vote",
};

function buildCrdtElement(site: ServiceSite, reference: string, what: string): CrdtElementModel | undefined {
  if ((CRDT_SCALARS as readonly string[]).includes(reference)) {
    return { kind: "scalar", scalar: reference as CrdtScalar };
  }
  const message = resolveType(site, reference, what);
  return message === undefined ? undefined : { kind: "message", message };
}

/** Checks and resolves a CrdtSpec; `path` names it in messages, e.g. `crdt.value`. */
function buildCrdtSpec(site: ServiceSite, spec: CrdtSpec, path: string): CrdtSpecModel | undefined {
  const { where, problems } = site;
  const option = `(cloudstate.typescript.entity).${path}`;
  const type = CRDT_TYPE_NAMES[spec.type];
  if (type === undefined) {
    problems.push(
      `${where}: ${option}.type is required (GCOUNTER, PNCOUNTER, GSET, ORSET, LWWREGISTER, FLAG, ORMAP or VOTE)`,
    );
    return undefined;
  }
  const takesElement = type === "GSet" || type === "ORSet" || type === "LWWRegister" || type === "ORMap";
  const named = `a CRDT of type ${CrdtType[spec.type] ?? type}`;
  if (!takesElement && spec.element !== "")
    problems.push(`${where}: ${named} has no elements; remove ${option}.element`);
  if (type !== "ORMap" && spec.value !== undefined) {
    problems.push(`${where}: only an ORMAP has values; remove ${option}.value`);
  }
  if (!takesElement) return { type };
  if (spec.element === "") {
    const what = type === "ORMap" ? "key" : type === "LWWRegister" ? "value" : "element";
    problems.push(
      `${where}: ${named} needs ${option}.element, its ${what} type (a message or one of ${CRDT_SCALARS.join(", ")})`,
    );
    return undefined;
  }
  const element = buildCrdtElement(site, spec.element, `${path}.element`);
  if (type !== "ORMap") return element === undefined ? undefined : { type, element };
  if (spec.value === undefined) {
    problems.push(`${where}: an ORMAP needs ${option}.value, the CRDT of its values`);
    return undefined;
  }
  const value = buildCrdtSpec(site, spec.value, `${path}.value`);
  return element === undefined || value === undefined ? undefined : { type, element, value };
}

function buildCrdtEntity(site: ServiceSite, options: EntityOptions): CrdtEntityModel | undefined {
  const { where, problems } = site;
  const before = problems.length;
  const unused = (option: string, why: string): void => {
    problems.push(`${where}: CRDT entities ${why}; remove (cloudstate.typescript.entity).${option}`);
  };
  if (options.state !== "") unused("state", "declare their state with `crdt`");
  if (options.events.length > 0) unused("events", "have no events");
  if (options.persistenceId !== "") unused("persistence_id", "are replicated, not persisted");
  if (options.snapshotEvery !== 0) unused("snapshot_every", "take no snapshots");
  const crdt = options.crdt === undefined ? undefined : buildCrdtSpec(site, options.crdt, "crdt");
  const commands = buildCommands(site, "CRDT", true, true);
  if (problems.length > before) return undefined;
  const timeout = options.passivationTimeoutMs.toNumber();
  return {
    ...baseOf(site, commands),
    kind: "crdt",
    crdt,
    passivationTimeoutMs: timeout === 0 ? undefined : timeout,
  };
}

function buildEntity(
  file: FileDescriptorProto,
  serviceIndex: number,
  service: ServiceDescriptorProto,
  options: EntityOptions,
  index: Map<string, MessageInfo>,
  problems: string[],
): EntityModel | undefined {
  const fullName = file.package === "" ? service.name : `${file.package}.${service.name}`;
  const where = `${file.name}: service ${fullName}`;
  const site: ServiceSite = { file, serviceIndex, service, fullName, where, index, problems };
  const entity = buildEntityOfKind(site, options);
  if (entity !== undefined) checkEventConsumers(where, entity.commands, problems);
  return entity;
}

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
    default:
      problems.push(
        `${where}: unknown entity kind ${options.kind}; expected EVENT_SOURCED, VALUE_ENTITY, CRDT or ACTION`,
      );
      return undefined;
  }
}

/**
 * Builds the model of every file to generate that declares entities.
 * @throws ModelError listing every problem found.
 */
export function buildModel(request: CodeGeneratorRequest, serialized: readonly SerializedFile[]): FileModel[] {
  const index = indexMessages(request.protoFile);
  const byName = new Map(request.protoFile.map((f) => [f.name, f] as const));
  const requestFiles: RequestFiles = { byName, serialized };
  const problems: string[] = [];
  const files: FileModel[] = [];
  for (const name of request.fileToGenerate) {
    const file = byName.get(name);
    if (file === undefined) {
      problems.push(`${name}: listed to generate but missing from the request`);
      continue;
    }
    const entities: EntityModel[] = [];
    file.service.forEach((service, serviceIndex) => {
      const options = entityOptionsOf(service);
      if (options === undefined) return;
      const entity = buildEntity(file, serviceIndex, service, options, index, problems);
      if (entity !== undefined) entities.push(entity);
    });
    if (entities.length > 0) {
      const descriptorSet = descriptorSetFor(file, requestFiles);
      files.push({ file: file.name, module: moduleOf(file.name), entities, descriptorSet });
    }
  }
  checkEventLogInputs(
    files.flatMap((f) => f.entities),
    problems,
  );
  if (problems.length > 0) throw new ModelError(problems);
  return files;
}
