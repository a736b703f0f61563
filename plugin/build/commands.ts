/** The rpcs of a service, checked for its kind, with their `(cloudstate.eventing)` bindings. */
import type { DescMethod } from "@bufbuild/protobuf";
import { leadingComment } from "../comments.js";
import type { CommandModel, EventingModel, StreamingShape } from "../model.js";
import { methodKey } from "../names.js";
import { eventingOf, isEntityKey } from "../proto-options.js";
import { messageInfo } from "../type-resolution.js";
import type { ServiceSite } from "./site.js";

function shapeOf(method: DescMethod): StreamingShape {
  switch (method.methodKind) {
    case "unary":
      return "unary";
    case "server_streaming":
      return "server-streaming";
    case "client_streaming":
      return "client-streaming";
    case "bidi_streaming":
      return "bidi-streaming";
  }
}

/** Reads and checks an rpc's `cloudstate.eventing` option, as the proxy would refuse it. */
function eventingModelOf(method: DescMethod, shape: StreamingShape, rpc: string, problems: string[]): EventingModel {
  const eventing = eventingOf(method);
  if (eventing === undefined) return { source: undefined, destinationTopic: undefined };
  let source: EventingModel["source"];
  if (eventing.in !== undefined) {
    const from = eventing.in.source;
    if (from.case === undefined || from.value === "") {
      problems.push(`${rpc}: (cloudstate.eventing).in needs a topic or an event_log`);
    } else {
      source = {
        kind: from.case === "topic" ? "topic" : "event-log",
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
    if (to.case === undefined || to.value === "") problems.push(`${rpc}: (cloudstate.eventing).out needs a topic`);
    else destinationTopic = to.value;
  }
  if (source?.kind === "topic" && source.name === destinationTopic) {
    problems.push(`${rpc}: (cloudstate.eventing) has the same topic ${source.name} as input and output`);
  }
  return { source, destinationTopic };
}

/** Which rpcs a kind takes. */
export interface CommandRules {
  /** The kind as named in problems, e.g. `EVENT_SOURCED`. */
  readonly kindName: string;
  /** Entities take unary rpcs only, whose input has an entity key; actions take any rpc. */
  readonly entity: boolean;
  /** Whether an entity also takes server-streamed rpcs (CRDT entities do). */
  readonly serverStreaming?: boolean;
}

/**
 * The service's rpcs. Entities take unary rpcs (CRDT entities server-streamed ones too) whose input has an entity
 * key; actions take any.
 */
export function buildCommands(site: ServiceSite, rules: CommandRules): CommandModel[] {
  const { service, where, problems } = site;
  const { kindName, entity, serverStreaming = false } = rules;
  if (service.methods.length === 0) problems.push(`${where}: a service served by Cloudstate needs at least one rpc`);
  return service.methods.flatMap((method) => {
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
    const input = messageInfo(method.input);
    const output = messageInfo(method.output);
    if (entity && !method.input.fields.some(isEntityKey)) {
      problems.push(`${rpc}: input message ${input.fullName} has no field marked [(cloudstate.entity_key) = true]`);
      return [];
    }
    const comment = leadingComment(method);
    const eventing = eventingModelOf(method, shape, rpc, problems);
    return [{ rpcName: method.name, key: methodKey(method.name), input, output, shape, comment, eventing }];
  });
}

/**
 * The proxy routes each event of a source to the one rpc of the service that takes the event's type: two rpcs
 * fed by the same source (and consumer group) must take different types.
 */
export function checkEventConsumers(site: ServiceSite, commands: readonly CommandModel[]): void {
  const seen = new Map<string, string>();
  for (const command of commands) {
    const source = command.eventing.source;
    if (source === undefined) continue;
    const key = `${source.kind} ${source.name} ${source.consumerGroup} ${command.input.fullName}`;
    const other = seen.get(key);
    if (other !== undefined) {
      site.problems.push(
        `${site.where}: rpcs ${other} and ${command.rpcName} both take ${command.input.fullName} from ${source.kind} ${source.name}; give one a consumer_group`,
      );
    } else seen.set(key, command.rpcName);
  }
}
