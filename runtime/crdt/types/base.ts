/**
 * What every CRDT type shares: the runtime's side of it (pending delta, applying the proxy's deltas, undoing a
 * failed command's changes) behind symbol-keyed methods, so that the typed API a handler sees is only the
 * type's own operations.
 */
import type { CrdtDelta } from "../../../gen/cloudstate/crdt.js";
import type { DeepPartial } from "../../../gen/typeRegistry.js";
import { ProtocolError } from "../../errors.js";

/** The names of the CRDT types of Cloudstate 0.6.0. */
export type CrdtTypeName = "GCounter" | "PNCounter" | "GSet" | "ORSet" | "LWWRegister" | "Flag" | "ORMap" | "Vote";

// The runtime's side of the CRDT types, deliberately left in the published .d.ts files: the published declarations of the CRDT classes import
// these names (their symbol-keyed members are stripped, the imports are not), so they must stay declared here. No
// entry point of the package exports them.

/** A delta as the proxy sends it: one case of `CrdtDelta.delta`. */
export type DeltaIn = NonNullable<CrdtDelta["delta"]>;
/** A delta as the runtime writes it. */
export type DeltaOut = NonNullable<DeepPartial<CrdtDelta>["delta"]>;

/** Whether local changes are waiting to be sent to the proxy. */
export const HAS_DELTA = Symbol("hasDelta");
/** Takes the pending delta. */
export const TAKE_DELTA = Symbol("delta");
/** Forgets the pending delta. */
export const RESET_DELTA = Symbol("resetDelta");
/** Applies a delta from the proxy. */
export const APPLY_DELTA = Symbol("applyDelta");
/** Takes a savepoint to restore a failed command's changes. */
export const SAVEPOINT = Symbol("savepoint");

/** Puts a CRDT back as it was when the savepoint was taken, pending delta included. */
export type Restore = () => void;

/** The base of every CRDT type. Make CRDTs with their constructors; mutate them only inside a handler. */
export abstract class CrdtBase {
  /** Which CRDT type this is. */
  abstract readonly typeName: CrdtTypeName;

  /** Whether local changes are waiting to be sent to the proxy. @internal */
  abstract [HAS_DELTA](): boolean;
  /**
   * The local changes since the last reset, as a delta. For a CRDT created locally, that is its whole value: what
   * an ORMap sends for an added entry. @internal
   */
  abstract [TAKE_DELTA](): DeltaOut;
  /** Forgets local changes once they are sent. @internal */
  abstract [RESET_DELTA](): void;
  /** Applies a delta from the proxy. @throws ProtocolError for a delta of another type or bad content. @internal */
  abstract [APPLY_DELTA](delta: DeltaIn): void;
  /** Captures the current value and pending delta, to undo a failed command. @internal */
  abstract [SAVEPOINT](): Restore;

  /** @internal */
  protected wrongDelta(delta: DeltaIn): ProtocolError {
    const article = /^[AEIOU]/.test(this.typeName) ? "an" : "a";
    return new ProtocolError(`a ${delta.$case} delta cannot be applied to ${article} ${this.typeName}`);
  }
}
