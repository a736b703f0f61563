/**
 * The one way the runtime calls user code (a command handler, an action's handler, a CRDT's change subscriber or
 * cancellation callback): run it, deactivate its context whatever happens, and classify what it threw, so every
 * kind treats a requested failure, bad input and a bug alike.
 */
import { classifyFailure, type ClassifiedFailure } from "./errors.js";

/** The user code's context, which must stop working once the code has run (a late call then fails loudly). */
export interface Deactivatable {
  deactivate(): void;
}

/** Who is being called, for classifying and logging what it throws. @internal */
export interface UserCodeScope {
  readonly context: Deactivatable;
  /** The rpc the code serves: failures are described to the client by it. */
  readonly commandName: string;
  /** Logs an unexpected error in full (a bug); requested failures and bad input are not logged here. */
  readonly logUnexpected: (error: unknown) => void;
}

/** What a call to user code came to: its value, or its failure as the client may see it. @internal */
export type Settled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: ClassifiedFailure; readonly error: unknown };

function failed(scope: UserCodeScope, error: unknown): Settled<never> {
  return { ok: false, failure: classifyFailure(error, scope.commandName, scope.logUnexpected), error };
}

/** Runs synchronous user code (a CRDT subscriber or cancellation callback). Never throws. @internal */
export function callUserCode<T>(scope: UserCodeScope, call: () => T): Settled<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return failed(scope, error);
  } finally {
    scope.context.deactivate();
  }
}

/** Runs user code that may answer later (a command or unary action handler). Never throws. @internal */
export async function callUserCodeAsync<T>(scope: UserCodeScope, call: () => T | PromiseLike<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return failed(scope, error);
  } finally {
    scope.context.deactivate();
  }
}

/** Runs one step of user code inside whatever context an observer sets (the identity when none). @internal */
export type Around = <R>(step: () => R) => R;

const direct: Around = (step) => step();

/**
 * Runs user code that answers with a stream (a streamed action): each answer as it comes, then, if the code threw,
 * one failure that ends the stream. Each step of the stream runs inside `around`. The context is deactivated once
 * the stream ends, however it ends (the consumer stopping early closes the user's stream too). Never throws.
 * @internal
 */
export async function* callUserStream<T>(
  scope: UserCodeScope,
  produce: () => AsyncIterable<T>,
  around: Around = direct,
): AsyncGenerator<Settled<T>, void, undefined> {
  let iterator: AsyncIterator<T> | undefined;
  let done = false;
  try {
    iterator = around(() => produce()[Symbol.asyncIterator]());
    for (;;) {
      const step = await around(() => iterator!.next());
      if (step.done === true) {
        done = true;
        return;
      }
      yield { ok: true, value: step.value };
    }
  } catch (error) {
    done = true;
    yield failed(scope, error);
  } finally {
    try {
      if (!done) await iterator?.return?.();
    } finally {
      // A generator whose own cleanup throws still leaves its context deactivated.
      scope.context.deactivate();
    }
  }
}
