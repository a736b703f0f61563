/** The two counters: GCounter (grows only) and PNCounter (grows and shrinks). */
import Long from "long";
import {
  APPLY_DELTA,
  CrdtBase,
  HAS_DELTA,
  RESET_DELTA,
  SAVEPOINT,
  TAKE_DELTA,
  type DeltaIn,
  type DeltaOut,
  type Restore,
} from "./base.js";

/** A number, or a Long for values beyond 2^53. */
export type Amount = number | Long;

function toLong(amount: Amount, unsigned: boolean): Long {
  if (typeof amount === "number" && !Number.isSafeInteger(amount)) {
    throw new RangeError(`a counter changes by whole numbers, got ${amount}`);
  }
  const long = Long.fromValue(amount);
  return unsigned ? long.toUnsigned() : long.toSigned();
}

/** A counter that only grows: each node's increments add up across the cluster. */
export class GCounter extends CrdtBase {
  readonly typeName = "GCounter" as const;
  #value = Long.UZERO;
  #delta = Long.UZERO;

  /** The current total. */
  get value(): Long {
    return this.#value;
  }

  /** Adds `by` (zero or more) to the counter. @throws RangeError for a negative amount. */
  increment(by: Amount): this {
    if (typeof by === "number" ? by < 0 : !by.unsigned && by.isNegative()) {
      throw new RangeError(`a GCounter only grows; cannot increment by ${by.toString()}`);
    }
    const amount = toLong(by, true);
    this.#value = this.#value.add(amount);
    this.#delta = this.#delta.add(amount);
    return this;
  }

  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [HAS_DELTA](): boolean {
    return !this.#delta.isZero();
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [TAKE_DELTA](): DeltaOut {
    return { $case: "gcounter", value: { increment: this.#delta } };
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [RESET_DELTA](): void {
    this.#delta = Long.UZERO;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [APPLY_DELTA](delta: DeltaIn): void {
    if (delta.$case !== "gcounter") throw this.wrongDelta(delta);
    this.#value = this.#value.add(Long.fromValue(delta.value.increment).toUnsigned());
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [SAVEPOINT](): Restore {
    const [value, delta] = [this.#value, this.#delta];
    return () => {
      this.#value = value;
      this.#delta = delta;
    };
  }
}

/** A counter that can go up and down. */
export class PNCounter extends CrdtBase {
  readonly typeName = "PNCounter" as const;
  #value = Long.ZERO;
  #delta = Long.ZERO;

  /** The current total. */
  get value(): Long {
    return this.#value;
  }

  /** Adds `by` (negative to decrement). */
  increment(by: Amount): this {
    const amount = toLong(by, false);
    this.#value = this.#value.add(amount);
    this.#delta = this.#delta.add(amount);
    return this;
  }

  /** Subtracts `by`. */
  decrement(by: Amount): this {
    return this.increment(toLong(by, false).negate());
  }

  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [HAS_DELTA](): boolean {
    return !this.#delta.isZero();
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [TAKE_DELTA](): DeltaOut {
    return { $case: "pncounter", value: { change: this.#delta } };
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [RESET_DELTA](): void {
    this.#delta = Long.ZERO;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [APPLY_DELTA](delta: DeltaIn): void {
    if (delta.$case !== "pncounter") throw this.wrongDelta(delta);
    this.#value = this.#value.add(Long.fromValue(delta.value.change).toSigned());
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [SAVEPOINT](): Restore {
    const [value, delta] = [this.#value, this.#delta];
    return () => {
      this.#value = value;
      this.#delta = delta;
    };
  }
}
