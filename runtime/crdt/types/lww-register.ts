/** LWWRegister: one value; the write with the highest clock wins. */
import Long from "long";
import { CrdtClock } from "../../../gen/cloudstate/crdt.js";
import { ProtocolError } from "../../errors.js";
import { decodeValue, encodeValue, type Encoded, type ValueCodec } from "../value-codec.js";
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

/**
 * The clock a write is ordered by:
 * - `default`: the proxy's wall clock;
 * - `reverse`: the wall clock negated, so the first write wins;
 * - `custom`: `value` as the clock (e.g. a version the application keeps);
 * - `customAutoIncrement`: `value`, or one more than the register's current clock if that is higher.
 */
export type LWWRegisterClock =
  | {
      /** Order writes by the proxy's wall clock: the last write wins. */
      readonly kind: "default";
    }
  | {
      /** Order writes by the proxy's wall clock negated: the first write wins. */
      readonly kind: "reverse";
    }
  | {
      /** Order writes by `value`, a clock the application keeps. */
      readonly kind: "custom";
      /** The clock value of this write; the highest wins. */
      readonly value: number | Long;
    }
  | {
      /** Order writes by `value`, raised by the proxy past the register's current clock when needed. */
      readonly kind: "customAutoIncrement";
      /** The clock value of this write, used as is when it exceeds the register's current clock, else that clock plus one. */
      readonly value: number | Long;
    };

const DEFAULT_CLOCK: LWWRegisterClock = { kind: "default" };

function clockOf(clock: LWWRegisterClock): { clock: CrdtClock; customClockValue: Long } {
  switch (clock.kind) {
    case "default":
      return { clock: CrdtClock.DEFAULT, customClockValue: Long.ZERO };
    case "reverse":
      return { clock: CrdtClock.REVERSE, customClockValue: Long.ZERO };
    case "custom":
      return { clock: CrdtClock.CUSTOM, customClockValue: Long.fromValue(clock.value).toSigned() };
    case "customAutoIncrement":
      return { clock: CrdtClock.CUSTOM_AUTO_INCREMENT, customClockValue: Long.fromValue(clock.value).toSigned() };
  }
}

/** A register holding one value of type `T`. */
export class LWWRegister<T> extends CrdtBase {
  readonly typeName = "LWWRegister" as const;
  #value: Encoded<T>;
  #clock = clockOf(DEFAULT_CLOCK);
  #changed: boolean;

  /**
   * A register starting at `initial`. Created by a handler, the initial value is a write of its own, sent with
   * the command's reply; created for a value the proxy already holds, it is replaced by that value.
   */
  constructor(
    private readonly codec: ValueCodec<T>,
    initial: T,
  ) {
    super();
    this.#value = encodeValue(codec, initial);
    this.#changed = true;
  }

  /** The current value. */
  get value(): T {
    return this.#value.value;
  }

  /** Writes `value`, ordered by `clock` (default: the proxy's wall clock). A write that changes nothing is dropped. */
  set(value: T, clock: LWWRegisterClock = DEFAULT_CLOCK): void {
    const encoded = encodeValue(this.codec, value);
    const next = clockOf(clock);
    if (
      encoded.key === this.#value.key &&
      next.clock === this.#clock.clock &&
      next.customClockValue.equals(this.#clock.customClockValue)
    ) {
      return;
    }
    this.#value = encoded;
    this.#clock = next;
    this.#changed = true;
  }

  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [HAS_DELTA](): boolean {
    return this.#changed;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [TAKE_DELTA](): DeltaOut {
    return {
      $case: "lwwregister",
      value: { value: this.#value.any, clock: this.#clock.clock, customClockValue: this.#clock.customClockValue },
    };
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [RESET_DELTA](): void {
    this.#changed = false;
    this.#clock = clockOf(DEFAULT_CLOCK);
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [APPLY_DELTA](delta: DeltaIn): void {
    if (delta.$case !== "lwwregister") throw this.wrongDelta(delta);
    if (delta.value.value === undefined) throw new ProtocolError("an LWWRegister delta carried no value");
    this.#value = decodeValue(this.codec, delta.value.value);
    // The proxy's value wins over a write not yet sent (only the creation write can be pending here).
    this[RESET_DELTA]();
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [SAVEPOINT](): Restore {
    const [value, clock, changed] = [this.#value, this.#clock, this.#changed];
    return () => {
      this.#value = value;
      this.#clock = clock;
      this.#changed = changed;
    };
  }
}
