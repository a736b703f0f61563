/**
 * The one failure a client is meant to see: throw it (or call `context.fail`) from a command handler and the
 * proxy answers the caller with a gRPC error carrying `message`. The command's events and side effects are
 * discarded. Anything else a handler throws is treated as a bug: logged in full, and the client only learns that
 * the command failed.
 */
export class CommandFailure extends Error {
  /** Always `CommandFailure`, so logs and `error.name` checks tell it apart from other errors. */
  override readonly name = "CommandFailure";
  constructor(message: string) {
    super(message);
  }
}

/**
 * Bad input from the proxy side of a stream: an out-of-order message, an unknown command, a payload that does
 * not decode. Its message names what was wrong and is safe to send back to the proxy. Users meet it from
 * `unpackMessage` and `unpackJson`, from a CRDT `ValueCodec`'s `decode`, and from a streamed action's
 * requests whose payload does not decode (a handler that lets it through fails the call as a bad request).
 */
export class ProtocolError extends Error {
  /** Always `ProtocolError`, so logs and `error.name` checks tell it apart from other errors. */
  override readonly name = "ProtocolError";
}

/** The message a client sees when a handler fails unexpectedly; the detail only goes to the logs. */
export function unexpectedFailureMessage(commandName: string): string {
  return `Unexpected error while handling command ${commandName}`;
}

/**
 * What a handler's error is, told apart in this one place for every kind: a failure the handler asked for, bad
 * input from the caller (a streamed payload that does not decode), or a bug.
 * @internal
 */
export interface ClassifiedFailure {
  readonly kind: "requested" | "bad-request" | "unexpected";
  /** What the client may be told. */
  readonly description: string;
}

/**
 * Classifies what a handler of `commandName` threw: a `CommandFailure` becomes its message, a `ProtocolError` a
 * bad request, anything else a generic message, after `logUnexpected` has logged it in full.
 * @internal
 */
export function classifyFailure(
  error: unknown,
  commandName: string,
  logUnexpected: (error: unknown) => void,
): ClassifiedFailure {
  if (error instanceof CommandFailure) return { kind: "requested", description: error.message };
  if (error instanceof ProtocolError) {
    return { kind: "bad-request", description: `Bad request for ${commandName}: ${error.message}` };
  }
  logUnexpected(error);
  return { kind: "unexpected", description: unexpectedFailureMessage(commandName) };
}

/**
 * The one mapping of an error met on the proxy's side of a stream (an init, a replayed event, a delta, an action
 * call's first message) to what the proxy is told: a `ProtocolError` names the bad input and is safe to send;
 * anything else (the entity's own code threw) is described by `otherwise`, its detail left to the logs.
 * @internal
 */
export function protocolErrorReason(error: unknown, otherwise: string): string {
  return error instanceof ProtocolError ? error.message : otherwise;
}
