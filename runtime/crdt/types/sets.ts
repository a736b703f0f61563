/** The two sets: GSet (elements are only added) and ORSet (added and removed, observed-remove). */
import type { Any } from "../../any.js";
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

/** Read access shared by both sets. Elements compare by value (their encoding), not by identity. */
abstract class SetBase<T> extends CrdtBase implements Iterable<T> {
  protected elements = new Map<string, Encoded<T>>();

  constructor(protected readonly codec: ValueCodec<T>) {
    super();
  }

  /** How many elements the set holds. */
  get size(): number {
    return this.elements.size;
  }

  /** Whether the set holds an element equal to `element`. */
  has(element: T): boolean {
    return this.elements.has(encodeValue(this.codec, element).key);
  }

  /** The elements, in no particular order. */
  values(): IterableIterator<T> {
    return [...this.elements.values()].map((e) => e.value)[Symbol.iterator]();
  }

  /** Iterates over the elements, as {@link values} does, so a set works in `for ... of` and spreads. */
  [Symbol.iterator](): Iterator<T> {
    return this.values();
  }

  protected decodeAll(anys: readonly Any[]): Encoded<T>[] {
    return anys.map((any) => decodeValue(this.codec, any));
  }
}

/** A set that only grows. */
export class GSet<T> extends SetBase<T> {
  readonly typeName = "GSet" as const;
  #added = new Map<string, Encoded<T>>();

  /** Adds an element; returns whether it was new. */
  add(element: T): boolean {
    const encoded = encodeValue(this.codec, element);
    if (this.elements.has(encoded.key)) return false;
    this.elements.set(encoded.key, encoded);
    this.#added.set(encoded.key, encoded);
    return true;
  }

  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [HAS_DELTA](): boolean {
    return this.#added.size > 0;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [TAKE_DELTA](): DeltaOut {
    return { $case: "gset", value: { added: [...this.#added.values()].map((e) => e.any) } };
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [RESET_DELTA](): void {
    this.#added.clear();
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [APPLY_DELTA](delta: DeltaIn): void {
    if (delta.$case !== "gset") throw this.wrongDelta(delta);
    for (const encoded of this.decodeAll(delta.value.added)) this.elements.set(encoded.key, encoded);
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [SAVEPOINT](): Restore {
    const [elements, added] = [new Map(this.elements), new Map(this.#added)];
    return () => {
      this.elements = elements;
      this.#added = added;
    };
  }
}

/**
 * A set whose elements can be added and removed; an add and a remove made concurrently on different nodes resolve
 * in favour of the add.
 */
export class ORSet<T> extends SetBase<T> {
  readonly typeName = "ORSet" as const;
  #cleared = false;
  #added = new Map<string, Encoded<T>>();
  #removed = new Map<string, Encoded<T>>();

  /** Adds an element; returns whether it was new. */
  add(element: T): boolean {
    const encoded = encodeValue(this.codec, element);
    if (this.elements.has(encoded.key)) return false;
    this.elements.set(encoded.key, encoded);
    // Re-adding what this command removed cancels the removal rather than sending both.
    if (!this.#removed.delete(encoded.key)) this.#added.set(encoded.key, encoded);
    return true;
  }

  /** Removes an element; returns whether it was there. */
  delete(element: T): boolean {
    const encoded = encodeValue(this.codec, element);
    if (!this.elements.delete(encoded.key)) return false;
    if (this.elements.size === 0) {
      // Removing the last element is a clear: one flag instead of a list of every observed element.
      this.clear();
    } else if (!this.#added.delete(encoded.key)) {
      this.#removed.set(encoded.key, encoded);
    }
    return true;
  }

  /** Removes every element. */
  clear(): void {
    this.elements.clear();
    this.#cleared = true;
    this.#added.clear();
    this.#removed.clear();
  }

  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [HAS_DELTA](): boolean {
    return this.#cleared || this.#added.size > 0 || this.#removed.size > 0;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [TAKE_DELTA](): DeltaOut {
    return {
      $case: "orset",
      value: {
        cleared: this.#cleared,
        removed: [...this.#removed.values()].map((e) => e.any),
        added: [...this.#added.values()].map((e) => e.any),
      },
    };
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [RESET_DELTA](): void {
    this.#cleared = false;
    this.#added.clear();
    this.#removed.clear();
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [APPLY_DELTA](delta: DeltaIn): void {
    if (delta.$case !== "orset") throw this.wrongDelta(delta);
    // Decode everything before changing anything, so a bad element leaves the set as it was.
    const removed = this.decodeAll(delta.value.removed);
    const added = this.decodeAll(delta.value.added);
    if (delta.value.cleared) this.elements.clear();
    for (const encoded of removed) this.elements.delete(encoded.key);
    for (const encoded of added) this.elements.set(encoded.key, encoded);
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [SAVEPOINT](): Restore {
    const saved = {
      elements: new Map(this.elements),
      cleared: this.#cleared,
      added: new Map(this.#added),
      removed: new Map(this.#removed),
    };
    return () => {
      this.elements = saved.elements;
      this.#cleared = saved.cleared;
      this.#added = saved.added;
      this.#removed = saved.removed;
    };
  }
}
