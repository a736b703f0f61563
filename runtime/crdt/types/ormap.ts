/** ORMap: a map from values to CRDTs, with observed-remove semantics for its keys. */
import type { Any } from "../../any.js";
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

interface Entry<K, V> {
  readonly key: Encoded<K>;
  readonly value: V;
}

/**
 * A map whose values are CRDTs of type `V`, created on demand by `create` (for keys a handler asks for, and for
 * keys the proxy adds). Keys compare by value, not identity.
 */
export class ORMap<K, V extends CrdtBase> extends CrdtBase implements Iterable<[K, V]> {
  readonly typeName = "ORMap" as const;
  #entries = new Map<string, Entry<K, V>>();
  #cleared = false;
  /** Keys added since the last delta: sent with their value's whole state. */
  #added = new Set<string>();
  #removed = new Map<string, Encoded<K>>();

  /**
   * @param keyCodec how keys travel and compare.
   * @param create a new, empty value for a key; its type must match what the proxy holds for that key.
   */
  /** Held as a method so that a map of specific types still fits `Crdt`'s `ORMap<unknown, Crdt>`. */
  readonly #values: { create(key: K): V };

  constructor(
    private readonly keyCodec: ValueCodec<K>,
    create: (key: K) => V,
  ) {
    super();
    this.#values = { create };
  }

  /** How many entries the map holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether the map has an entry for `key`. */
  has(key: K): boolean {
    return this.#entries.has(encodeValue(this.keyCodec, key).key);
  }

  /** The value at `key`, if there is one. */
  get(key: K): V | undefined {
    return this.#entries.get(encodeValue(this.keyCodec, key).key)?.value;
  }

  /** The value at `key`, creating an empty one (sent as an added entry) if there is none. */
  getOrCreate(key: K): V {
    const encoded = encodeValue(this.keyCodec, key);
    const existing = this.#entries.get(encoded.key);
    if (existing !== undefined) return existing.value;
    const value = this.#values.create(key);
    this.#entries.set(encoded.key, { key: encoded, value });
    this.#added.add(encoded.key);
    return value;
  }

  /** Removes the entry at `key`; returns whether there was one. */
  delete(key: K): boolean {
    const encoded = encodeValue(this.keyCodec, key);
    if (!this.#entries.delete(encoded.key)) return false;
    // A key added by this same command was never sent: forgetting it is enough.
    if (!this.#added.delete(encoded.key)) this.#removed.set(encoded.key, encoded);
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.#entries.clear();
    this.#cleared = true;
    this.#added.clear();
    this.#removed.clear();
  }

  /** The keys, in no particular order. */
  keys(): IterableIterator<K> {
    return [...this.#entries.values()].map((e) => e.key.value)[Symbol.iterator]();
  }

  /** The values, in no particular order. */
  values(): IterableIterator<V> {
    return [...this.#entries.values()].map((e) => e.value)[Symbol.iterator]();
  }

  /** The entries, in no particular order. */
  entries(): IterableIterator<[K, V]> {
    return [...this.#entries.values()].map((e): [K, V] => [e.key.value, e.value])[Symbol.iterator]();
  }

  /** Iterates over the entries, as {@link entries} does, so a map works in `for ... of` and spreads. */
  [Symbol.iterator](): Iterator<[K, V]> {
    return this.entries();
  }

  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [HAS_DELTA](): boolean {
    if (this.#cleared || this.#added.size > 0 || this.#removed.size > 0) return true;
    for (const entry of this.#entries.values()) if (entry.value[HAS_DELTA]()) return true;
    return false;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [TAKE_DELTA](): DeltaOut {
    const updated = [];
    const added = [];
    for (const [key, entry] of this.#entries) {
      if (this.#added.has(key)) added.push({ key: entry.key.any, delta: { delta: entry.value[TAKE_DELTA]() } });
      else if (entry.value[HAS_DELTA]()) {
        updated.push({ key: entry.key.any, delta: { delta: entry.value[TAKE_DELTA]() } });
      }
    }
    return {
      $case: "ormap",
      value: { cleared: this.#cleared, removed: [...this.#removed.values()].map((k) => k.any), updated, added },
    };
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [RESET_DELTA](): void {
    this.#cleared = false;
    this.#added.clear();
    this.#removed.clear();
    for (const entry of this.#entries.values()) entry.value[RESET_DELTA]();
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [APPLY_DELTA](delta: DeltaIn): void {
    if (delta.$case !== "ormap") throw this.wrongDelta(delta);
    const { cleared, removed, updated, added } = delta.value;
    // Work on a copy and swap it in at the end, so a bad entry leaves the map as it was.
    const restore = this[SAVEPOINT]();
    try {
      if (cleared) this.#entries.clear();
      for (const any of removed) this.#entries.delete(decodeValue(this.keyCodec, any).key);
      for (const entry of updated) {
        const key = this.#entryKey(entry.key);
        const existing = this.#entries.get(key.key);
        // An update for a key this node no longer has is stale: the proxy sends the key again if it comes back.
        if (existing !== undefined) existing.value[APPLY_DELTA](this.#entryDelta(entry.delta, key));
      }
      for (const entry of added) {
        const key = this.#entryKey(entry.key);
        const value = this.#values.create(key.value);
        value[APPLY_DELTA](this.#entryDelta(entry.delta, key));
        value[RESET_DELTA]();
        this.#entries.set(key.key, { key, value });
      }
    } catch (error) {
      restore();
      throw error;
    }
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [SAVEPOINT](): Restore {
    const entries = new Map(this.#entries);
    const values = [...entries.values()].map((entry) => entry.value[SAVEPOINT]());
    const [cleared, added, removed] = [this.#cleared, new Set(this.#added), new Map(this.#removed)];
    return () => {
      for (const restore of values) restore();
      this.#entries = entries;
      this.#cleared = cleared;
      this.#added = added;
      this.#removed = removed;
    };
  }

  #entryKey(any: Any | undefined): Encoded<K> {
    if (any === undefined) throw new ProtocolError("an ORMap entry delta carried no key");
    return decodeValue(this.keyCodec, any);
  }

  #entryDelta(delta: { readonly delta?: DeltaIn | undefined } | undefined, key: Encoded<K>): DeltaIn {
    if (delta?.delta === undefined) {
      throw new ProtocolError(`the ORMap entry delta for key ${key.key} carried no delta`);
    }
    return delta.delta;
  }
}
