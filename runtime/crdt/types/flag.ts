/** Flag: a boolean that, once enabled anywhere, stays enabled. */
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

/** A flag that starts disabled and can only be enabled. */
export class Flag extends CrdtBase {
  readonly typeName = "Flag" as const;
  #enabled = false;
  #changed = false;

  /** Whether the flag is enabled. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Enables the flag (nothing changes if it already is). */
  enable(): void {
    if (this.#enabled) return;
    this.#enabled = true;
    this.#changed = true;
  }

  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [HAS_DELTA](): boolean {
    return this.#changed;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [TAKE_DELTA](): DeltaOut {
    return { $case: "flag", value: { value: this.#enabled } };
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [RESET_DELTA](): void {
    this.#changed = false;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [APPLY_DELTA](delta: DeltaIn): void {
    if (delta.$case !== "flag") throw this.wrongDelta(delta);
    // A false delta says nothing new: a flag is never disabled.
    this.#enabled ||= delta.value.value;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [SAVEPOINT](): Restore {
    const [enabled, changed] = [this.#enabled, this.#changed];
    return () => {
      this.#enabled = enabled;
      this.#changed = changed;
    };
  }
}
