/**
 * The one failure a client is meant to see: throw it (or call `context.fail`) from a command handler and the
 * proxy answers the caller with a gRPC error carrying `message`. The command's events and side effects are
 * discarded. Anything else a handler throws is treated as a bug: logged in full, and the client only learns that
 * the command failed.
 */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
  constructor(message: string) {
    super(message);
  }
}

/**
 * Bad input from the proxy side of a stream: an out-of-order message, an unknown command, a payload that does
 * not decode. Its message names what was wrong and is safe to send back to the proxy.
 * @internal
 */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

/** The message a client sees when a handler fails unexpectedly; the detail only goes to the logs. */
export function unexpectedFailureMessage(commandName: string): string {
  return `Unexpected error while handling command ${commandName}`;
}
