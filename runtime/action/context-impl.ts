import Long from "long";
import { CommandEffects } from "../command-effects.js";
import type { Message } from "../message-type.js";
import type { ReadonlyMetadata } from "../metadata.js";
import type { ActionContext, Failure, NoReply } from "./action.js";

/** The answer `context.noReply` makes. @internal */
export class NoReplyToken {}

/** The answer `context.failure` makes. @internal */
export class FailureToken {
  constructor(readonly description: string) {}
}

/** The context of one action call. @internal */
export class ActionContextImpl extends CommandEffects implements ActionContext {
  readonly #requestMetadata = new WeakMap<object, ReadonlyMetadata>();

  constructor(commandName: string, metadata: ReadonlyMetadata) {
    super("", Long.ZERO, commandName, metadata);
  }

  /** Records the metadata a request came with, for `metadataOf`. */
  remember(request: Message, metadata: ReadonlyMetadata): void {
    this.#requestMetadata.set(request, metadata);
  }

  /** Takes the side effects made so far, to send with the next answer. */
  takeSideEffects() {
    return this.sideEffects.splice(0);
  }

  noReply(): NoReply {
    return new NoReplyToken() as unknown as NoReply;
  }

  failure(description: string): Failure {
    return new FailureToken(description) as unknown as Failure;
  }

  metadataOf(request: Message): ReadonlyMetadata {
    const metadata = this.#requestMetadata.get(request);
    if (metadata === undefined) throw new Error(`metadataOf: the object given is not a request of ${this.commandName}`);
    return metadata;
  }
}
