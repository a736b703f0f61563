/**
 * A read-only view of a value, at every depth: what handlers see of entity state, so that the compiler rejects
 * changes that would bypass events or `updateState` and make the state diverge from what is persisted.
 *
 * Arrays become `ReadonlyArray`, maps and sets their read-only interfaces, and every property of an object
 * `readonly`. Values whose methods never change them are left as they are so their API stays usable: strings
 * and other primitives, `Long` (its arithmetic returns new values), `Uint8Array` (and so `Buffer`; bytes
 * fields are replaced, not edited, by convention) and `Date`.
 *
 * Anything built from the read-only view (`{ ...state, items: [...state.items, item] }`) is again a
 * `DeepReadonly` of the same type, and is accepted wherever a new state is expected.
 */
export type DeepReadonly<T> = T extends ReadonlyPrimitive
  ? T
  : T extends LongLike
    ? T
    : T extends (...args: never[]) => unknown
      ? T
      : T extends ReadonlyMap<infer K, infer V>
        ? ReadonlyMap<DeepReadonly<K>, DeepReadonly<V>>
        : T extends ReadonlySet<infer U>
          ? ReadonlySet<DeepReadonly<U>>
          : T extends ReadonlyArray<infer U>
            ? ReadonlyArray<DeepReadonly<U>>
            : T extends object
              ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
              : T;

/**
 * What tells a `Long` (ts-proto's 64-bit integers) apart from other objects, without importing `long`: its value is
 * never changed in place, so type helpers leave it as it is.
 */
export interface LongLike {
  /** The value as a JavaScript number (losing precision beyond 2^53). */
  toNumber(): number;
  /** The high 32 bits. */
  high: number;
  /** The low 32 bits. */
  low: number;
}

type ReadonlyPrimitive = Uint8Array | Date | string | number | boolean | bigint | symbol | null | undefined;
