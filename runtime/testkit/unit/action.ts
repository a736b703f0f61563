/**
 * The unit testkit of actions: requests in, answers out, in each of the four gRPC streaming shapes. It calls the
 * production `ActionProtocol` service in memory, as the proxy would: every request and answer crosses real
 * protobuf bytes, and each answer keeps the side effects made before it.
 */
import { Metadata as GrpcMetadata, type CallContext } from "nice-grpc-common";
import { ActionCommand, ActionResponse } from "../../../gen/cloudstate/action.js";
import type { Action } from "../../action/action.js";
import { actionProtocolService } from "../../action/protocol-service.js";
import { withEncodingCheck, type EncodingProblem } from "../../encoding-check.js";
import type { Logger } from "../../logger.js";
import { guardObserver } from "../../observation.js";
import type { Observer } from "../../observer.js";
import type { Message, MessageType } from "../../message-type.js";
import { metadataToWire } from "../../metadata.js";
import type { MethodDefinition, ServiceDefinition } from "../../service.js";
import { memoryLogger, type MemoryLogger } from "../memory-logger.js";
import { assertDescriptorSetBuilds, assertEncoded, checksOf, type TestKitChecks } from "./checks.js";
import { acrossTheWire } from "./in-memory-stream.js";
import { clientOutcome, type CommandOutcome } from "./results.js";
import {
  packRequest,
  rpcOf,
  type CallOptions,
  type RequestInit,
  type ResponseOf,
  type RpcKeyOfShape,
} from "./types.js";

/** How an action is tested. */
export interface ActionTestKitOptions {
  /** The checks to run (encoding and descriptors apply); all on by default. */
  readonly checks?: TestKitChecks;
  /** Where the runtime's log lines go. Default: kept in memory, see {@link ActionTestKit.log}. */
  readonly logger?: Logger;
  /**
   * Watches the entity as a server's observer would (e.g. `cloudstate-ts/opentelemetry`'s, with in-memory
   * exporters, to assert on a command's spans and metrics).
   */
  readonly observer?: Observer;
}

/** One answer of an action. */
export interface ActionAnswerResult<Reply extends Message> extends CommandOutcome<Reply> {
  /** True when the handler answered with `context.noReply()` (or, in a stream, only sent side effects). */
  readonly noReply: boolean;
}

/** What a streamed call answered, in order. */
export interface ActionStreamResult<Reply extends Message> {
  /** Every answer, side-effect-only answers included. */
  readonly answers: readonly ActionAnswerResult<Reply>[];
  /** The replies among them. */
  readonly replies: readonly Reply[];
}

/** One streamed-in request, with the metadata it carries. */
export interface StreamedRequest<Request> {
  /** The request. */
  readonly request: Request;
  /** The metadata it carries. */
  readonly metadata?: CallOptions["metadata"];
}

/**
 * An action service under test.
 *
 * ```ts
 * const summary = await ActionTestKit.create(cartSummaryAction(handlers));
 * const answer = await summary.call("itemAdded", event, { metadata: { "ce-subject": "ann" } });
 * assert.equal(answer.reply?.userId, "ann");
 * ```
 */
export class ActionTestKit<S extends ServiceDefinition> {
  readonly #action: Action<S>;
  readonly #checks: Required<TestKitChecks>;
  readonly #memory = memoryLogger();
  readonly #service: ReturnType<typeof actionProtocolService>;

  private constructor(action: Action<S>, options: ActionTestKitOptions) {
    this.#action = action;
    this.#checks = checksOf(options.checks);
    const logger = options.logger ?? this.#memory;
    const observer = options.observer === undefined ? undefined : guardObserver(options.observer, logger);
    this.#service = actionProtocolService(new Map([[action.serviceName, action]]), logger, observer);
  }

  /**
   * An action ready to be called.
   * @throws AssertionError when its descriptor set would be refused by the proxy.
   */
  static create<S extends ServiceDefinition>(action: Action<S>, options: ActionTestKitOptions = {}): ActionTestKit<S> {
    const kit = new ActionTestKit(action, options);
    if (kit.#checks.descriptors) assertDescriptorSetBuilds(action.serviceName, action.descriptorSet);
    return kit;
  }

  /** The runtime's log lines, when no logger was given. */
  get log(): MemoryLogger["lines"] {
    return this.#memory.lines;
  }

  /** Calls a unary rpc. */
  async call<K extends RpcKeyOfShape<S, false, false>>(
    rpc: K,
    request: RequestInit<S, K>,
    options: CallOptions = {},
  ): Promise<ActionAnswerResult<ResponseOf<S, K>>> {
    const method = this.#method(rpc);
    const response = await this.#checked(method.name, () =>
      this.#service.handleUnary(this.#command(method, request, options), callContext()),
    );
    return answerOf(response, method.responseType) as ActionAnswerResult<ResponseOf<S, K>>;
  }

  /** Calls a server-streamed rpc and reads its stream to the end. */
  async callStreamedOut<K extends RpcKeyOfShape<S, false, true>>(
    rpc: K,
    request: RequestInit<S, K>,
    options: CallOptions = {},
  ): Promise<ActionStreamResult<ResponseOf<S, K>>> {
    const method = this.#method(rpc);
    const responses = await this.#checked(method.name, async () => {
      const read: ActionResponse[] = [];
      for await (const response of this.#service.handleStreamedOut(
        this.#command(method, request, options),
        callContext(),
      )) {
        read.push(acrossTheWire(ActionResponse, response));
      }
      return read;
    });
    return streamOf(responses, method.responseType) as ActionStreamResult<ResponseOf<S, K>>;
  }

  /** Calls a client-streamed rpc with `requests`, then ends the request stream. */
  async callStreamedIn<K extends RpcKeyOfShape<S, true, false>>(
    rpc: K,
    requests: readonly StreamedRequest<RequestInit<S, K>>[],
    options: CallOptions = {},
  ): Promise<ActionAnswerResult<ResponseOf<S, K>>> {
    const method = this.#method(rpc);
    const response = await this.#checked(method.name, () =>
      this.#service.handleStreamedIn(this.#commands(method, requests, options), callContext()),
    );
    return answerOf(response, method.responseType) as ActionAnswerResult<ResponseOf<S, K>>;
  }

  /** Calls a bidirectionally streamed rpc with `requests`, ends the request stream, and reads the answers. */
  async callStreamed<K extends RpcKeyOfShape<S, true, true>>(
    rpc: K,
    requests: readonly StreamedRequest<RequestInit<S, K>>[],
    options: CallOptions = {},
  ): Promise<ActionStreamResult<ResponseOf<S, K>>> {
    const method = this.#method(rpc);
    const responses = await this.#checked(method.name, async () => {
      const read: ActionResponse[] = [];
      for await (const response of this.#service.handleStreamed(
        this.#commands(method, requests, options),
        callContext(),
      )) {
        read.push(acrossTheWire(ActionResponse, response));
      }
      return read;
    });
    return streamOf(responses, method.responseType) as ActionStreamResult<ResponseOf<S, K>>;
  }

  #method(rpc: string): MethodDefinition {
    return rpcOf(this.#action.config.service, rpc);
  }

  async #checked<T>(rpcName: string, call: () => Promise<T>): Promise<T> {
    const problems: EncodingProblem[] = [];
    const result = await withEncodingCheck(problems, call);
    if (this.#checks.encoding) assertEncoded(problems, `${rpcName} on ${this.#action.serviceName}`);
    return result;
  }

  /** A unary or server-streamed call's command, as the proxy sends it. */
  #command(method: MethodDefinition, request: unknown, options: CallOptions): ActionCommand {
    return acrossTheWire(ActionCommand, {
      serviceName: this.#action.serviceName,
      name: method.name,
      payload: packRequest(method.requestType, request, method.name),
      metadata: metadataToWire(options.metadata),
    });
  }

  /** A streamed-in call's commands: the first names the rpc, each of the others carries one request. */
  // The protocol's request stream is asynchronous; the requests of a test are all known up front.
  // eslint-disable-next-line @typescript-eslint/require-await
  async *#commands(
    method: MethodDefinition,
    requests: readonly StreamedRequest<unknown>[],
    options: CallOptions,
  ): AsyncGenerator<ActionCommand> {
    yield acrossTheWire(ActionCommand, {
      serviceName: this.#action.serviceName,
      name: method.name,
      metadata: metadataToWire(options.metadata),
    });
    for (const { request, metadata } of requests) {
      yield acrossTheWire(ActionCommand, {
        serviceName: this.#action.serviceName,
        name: method.name,
        payload: packRequest(method.requestType, request, method.name),
        metadata: metadataToWire(metadata),
      });
    }
  }
}

/** The call context nice-grpc would give the service; the action service reads none of it. */
function callContext(): CallContext {
  return {
    metadata: new GrpcMetadata(),
    peer: "cloudstate-ts/testkit",
    header: new GrpcMetadata(),
    sendHeader: () => undefined,
    trailer: new GrpcMetadata(),
    signal: new AbortController().signal,
  };
}

function answerOf(partial: unknown, responseType: MessageType): ActionAnswerResult<Message> {
  const response = acrossTheWire(ActionResponse, partial);
  const outcome = clientOutcome(
    response.response === undefined ? undefined : { $type: "cloudstate.ClientAction", action: response.response },
    responseType,
    response.sideEffects,
  );
  return { ...outcome, noReply: response.response === undefined };
}

function streamOf(responses: readonly ActionResponse[], responseType: MessageType): ActionStreamResult<Message> {
  const answers = responses.map((response) => answerOf(response, responseType));
  return {
    answers,
    replies: answers.flatMap((answer) => (answer.reply === undefined ? [] : [answer.reply])),
  };
}
