/**
 * The deltas a test hands the CRDT unit kit, in the shape the proxy sends them (`cloudstate.crdt.CrdtDelta`),
 * spelled out here so that the API reference shows what a test writes instead of ts-proto's generated types.
 */
import type Long from "long";
import type { Any } from "../../any.js";

/** A 64-bit integer as a delta may give it: a number, a decimal string or a `Long`. */
export type DeltaInteger = number | string | Long;

/** One entry of an ORMap delta: a key and the delta of the CRDT under it. */
export interface ORMapEntryDeltaInit {
  /** The entry's key, packed as the map's key codec packs it (e.g. with `packMessage` or `packJson`). */
  readonly key?: Any;
  /** The change to the value under `key`: for an added entry, the whole value as a delta from empty. */
  readonly delta?: CrdtDeltaInit;
}

/**
 * A delta as the proxy carries it, for `CrdtTestKit.applyDelta` and a kit's starting value, e.g.
 * `{ delta: { $case: "gcounter", value: { increment: 3 } } }`. Fields left out take protobuf's defaults; elements,
 * keys and register values are `Any`s packed as the entity's codecs pack them.
 */
export interface CrdtDeltaInit {
  /** Which CRDT type the delta is for (`$case`) and what changed (`value`); must match the entity's CRDT. */
  readonly delta?:
    | {
        /** A grow-only counter's delta. */
        readonly $case: "gcounter";
        /** What changed. */
        readonly value?: {
          /** How much the counter grew (unsigned). */
          readonly increment?: DeltaInteger;
        };
      }
    | {
        /** A positive-negative counter's delta. */
        readonly $case: "pncounter";
        /** What changed. */
        readonly value?: {
          /** How much the counter changed, negative for a decrease. */
          readonly change?: DeltaInteger;
        };
      }
    | {
        /** A grow-only set's delta. */
        readonly $case: "gset";
        /** What changed. */
        readonly value?: {
          /** The elements added. */
          readonly added?: Any[];
        };
      }
    | {
        /** An observed-remove set's delta. */
        readonly $case: "orset";
        /** What changed, applied in this order: clear, then remove, then add. */
        readonly value?: {
          /** Whether every element was removed first. */
          readonly cleared?: boolean;
          /** The elements removed. */
          readonly removed?: Any[];
          /** The elements added. */
          readonly added?: Any[];
        };
      }
    | {
        /** A last-write-wins register's delta. */
        readonly $case: "lwwregister";
        /** What changed. */
        readonly value?: {
          /** The register's new value. */
          readonly value?: Any;
          /** The clock the write was ordered by: 0 default, 1 reverse, 2 custom, 3 custom auto-increment. */
          readonly clock?: 0 | 1 | 2 | 3;
          /** The clock value, for the custom clocks. */
          readonly customClockValue?: DeltaInteger;
        };
      }
    | {
        /** A flag's delta. */
        readonly $case: "flag";
        /** What changed. */
        readonly value?: {
          /** Whether the flag is now enabled (a flag is never disabled again). */
          readonly value?: boolean;
        };
      }
    | {
        /** An observed-remove map's delta. */
        readonly $case: "ormap";
        /** What changed, applied in this order: clear, remove, update, add. */
        readonly value?: {
          /** Whether every entry was removed first. */
          readonly cleared?: boolean;
          /** The keys of the entries removed. */
          readonly removed?: Any[];
          /** Changes to the values of entries already present. */
          readonly updated?: ORMapEntryDeltaInit[];
          /** New entries, each value as a delta from empty. */
          readonly added?: ORMapEntryDeltaInit[];
        };
      }
    | {
        /** A vote's delta, as the proxy computes it for this node. */
        readonly $case: "vote";
        /** What changed. */
        readonly value?: {
          /** This node's own vote. */
          readonly selfVote?: boolean;
          /** How many nodes vote for. */
          readonly votesFor?: number;
          /** How many nodes take part. */
          readonly totalVoters?: number;
        };
      };
}
