/**
 * The delta laws of every CRDT type, with fast-check: random commands run on two replicas in turn, each command's
 * delta shipped to the other replica through protobuf bytes (as the proxy relays it), must leave both with the
 * same value; and a savepoint restored after any further changes puts value and pending delta back exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import Long from "long";
import { CrdtDelta } from "../../../gen/cloudstate/crdt.js";
import {
  Flag,
  GCounter,
  GSet,
  jsonCodec,
  LWWRegister,
  messageCodec,
  ORMap,
  ORSet,
  PNCounter,
  stringCodec,
  Vote,
  int64Codec,
  type Crdt,
  type Json,
  type LWWRegisterClock,
} from "../../../runtime/index.js";
import {
  APPLY_DELTA,
  HAS_DELTA,
  RESET_DELTA,
  SAVEPOINT,
  TAKE_DELTA,
  type CrdtBase,
} from "../../../runtime/crdt/types/base.js";
import { ItemAdded } from "../../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";

/** A plain, comparable picture of a CRDT's value. */
function valueOf(crdt: Crdt): unknown {
  switch (crdt.typeName) {
    case "GCounter":
    case "PNCounter":
      return crdt.value.toString();
    case "GSet":
    case "ORSet":
      return [...crdt].map((e) => JSON.stringify(e)).sort();
    case "LWWRegister":
      return JSON.stringify(crdt.value);
    case "Flag":
      return crdt.enabled;
    case "ORMap":
      return [...crdt].map(([k, v]) => [JSON.stringify(k), valueOf(v)] as const).sort(([a], [b]) => (a < b ? -1 : 1));
    case "Vote":
      return [crdt.selfVote, crdt.votesFor, crdt.voters];
  }
}

/** The delta of a command, as bytes on the wire and back, or undefined when there is nothing to send. */
function shipDelta(crdt: CrdtBase): CrdtDelta["delta"] {
  if (!crdt[HAS_DELTA]()) return undefined;
  const delta = crdt[TAKE_DELTA]();
  crdt[RESET_DELTA]();
  return CrdtDelta.decode(CrdtDelta.encode(CrdtDelta.fromPartial({ delta })).finish()).delta;
}

type Op<C> = (crdt: C) => void;
interface Step<C> {
  readonly onA: boolean;
  readonly ops: readonly Op<C>[];
}

function steps<C>(op: fc.Arbitrary<Op<C>>): fc.Arbitrary<Step<C>[]> {
  return fc.array(fc.record({ onA: fc.boolean(), ops: fc.array(op, { maxLength: 6 }) }), { maxLength: 25 });
}

/** Runs the steps on two replicas, shipping each command's delta to the other; both must end equal. */
function converges<C extends Crdt>(create: () => C, op: fc.Arbitrary<Op<C>>): void {
  fc.assert(
    fc.property(steps(op), (run) => {
      const a = create();
      const b = create();
      // A replica created by a handler sends its creation (an LWWRegister's initial value); both start alike here.
      a[RESET_DELTA]();
      b[RESET_DELTA]();
      for (const step of run) {
        const [local, remote]: [C, C] = step.onA ? [a, b] : [b, a];
        for (const apply of step.ops) apply(local);
        const delta = shipDelta(local);
        if (delta !== undefined) remote[APPLY_DELTA](delta);
        assert.equal(local[HAS_DELTA](), false, "a shipped delta leaves nothing pending");
        assert.deepEqual(valueOf(remote), valueOf(local));
      }
    }),
    { numRuns: 200 },
  );
}

/** Takes a savepoint after some changes, makes more, restores: value and pending delta are as they were. */
function restores<C extends Crdt>(create: () => C, op: fc.Arbitrary<Op<C>>): void {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 10 }), fc.array(op, { maxLength: 10 }), (before, after) => {
      const crdt = create();
      for (const apply of before) apply(crdt);
      const value = valueOf(crdt);
      const pending = crdt[HAS_DELTA]() ? CrdtDelta.fromPartial({ delta: crdt[TAKE_DELTA]() }) : undefined;
      const restore = crdt[SAVEPOINT]();
      for (const apply of after) apply(crdt);
      restore();
      assert.deepEqual(valueOf(crdt), value);
      assert.deepEqual(crdt[HAS_DELTA]() ? CrdtDelta.fromPartial({ delta: crdt[TAKE_DELTA]() }) : undefined, pending);
    }),
    { numRuns: 200 },
  );
}

const element = fc.constantFrom("a", "b", "c", "d", "e");
const amount = fc.integer({ min: 0, max: 1000 });

const gcounterOp: fc.Arbitrary<Op<GCounter>> = amount.map((n) => (c: GCounter) => c.increment(n));
const pncounterOp: fc.Arbitrary<Op<PNCounter>> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map((n) => (c: PNCounter) => c.increment(n)),
  amount.map((n) => (c: PNCounter) => c.decrement(Long.fromNumber(n))),
);
const gsetOp: fc.Arbitrary<Op<GSet<string>>> = element.map((e) => (s: GSet<string>) => void s.add(e));
const orsetOp: fc.Arbitrary<Op<ORSet<string>>> = fc.oneof(
  { weight: 3, arbitrary: element.map((e) => (s: ORSet<string>) => void s.add(e)) },
  { weight: 2, arbitrary: element.map((e) => (s: ORSet<string>) => void s.delete(e)) },
  { weight: 1, arbitrary: fc.constant((s: ORSet<string>) => s.clear()) },
);
const clock: fc.Arbitrary<LWWRegisterClock> = fc.oneof(
  fc.constant({ kind: "default" as const }),
  fc.constant({ kind: "reverse" as const }),
  fc.integer().map((value) => ({ kind: "custom" as const, value })),
  fc.integer().map((value) => ({ kind: "customAutoIncrement" as const, value })),
);
const lwwOp: fc.Arbitrary<Op<LWWRegister<string>>> = fc.tuple(element, clock).map(
  ([value, c]) =>
    (r: LWWRegister<string>) =>
      r.set(value, c),
);
const flagOp: fc.Arbitrary<Op<Flag>> = fc.constant((f: Flag) => f.enable());

type SetMap = ORMap<string, ORSet<string>>;
const ormapOp: fc.Arbitrary<Op<SetMap>> = fc.oneof(
  element.map((k) => (m: SetMap) => void m.getOrCreate(k)),
  fc.tuple(element, orsetOp).map(
    ([k, op]) =>
      (m: SetMap) =>
        op(m.getOrCreate(k)),
  ),
  fc.tuple(element, orsetOp).map(([k, op]) => (m: SetMap) => {
    const value = m.get(k);
    if (value !== undefined) op(value);
  }),
  element.map((k) => (m: SetMap) => void m.delete(k)),
  fc.constant((m: SetMap) => m.clear()),
);
type CounterMap = ORMap<string, ORMap<string, PNCounter>>;
const nestedOp: fc.Arbitrary<Op<CounterMap>> = fc.oneof(
  fc.tuple(element, element, fc.integer({ min: -50, max: 50 })).map(
    ([k, j, n]) =>
      (m: CounterMap) =>
        void m.getOrCreate(k).getOrCreate(j).increment(n),
  ),
  fc.tuple(element, element).map(
    ([k, j]) =>
      (m: CounterMap) =>
        void m.get(k)?.delete(j),
  ),
  element.map((k) => (m: CounterMap) => void m.delete(k)),
  fc.constant((m: CounterMap) => m.clear()),
);

const newSetMap = (): SetMap => new ORMap<string, ORSet<string>>(stringCodec, () => new ORSet(stringCodec));
const newCounterMap = (): CounterMap =>
  new ORMap<string, ORMap<string, PNCounter>>(stringCodec, () => new ORMap(stringCodec, () => new PNCounter()));

describe("CRDT delta laws", () => {
  it("GCounter: replicas converge; increments add up", () => converges(() => new GCounter(), gcounterOp));
  it("PNCounter: replicas converge", () => converges(() => new PNCounter(), pncounterOp));
  it("GSet: replicas converge", () => converges(() => new GSet<string>(stringCodec), gsetOp));
  it("ORSet: replicas converge through adds, removes and clears", () =>
    converges(() => new ORSet<string>(stringCodec), orsetOp));
  it("LWWRegister: replicas converge, whatever the clock", () =>
    converges(() => new LWWRegister<string>(stringCodec, ""), lwwOp));
  it("Flag: replicas converge", () => converges(() => new Flag(), flagOp));
  it("ORMap of ORSets: replicas converge through entry adds, updates, removes and clears", () =>
    converges(newSetMap, ormapOp));
  it("ORMap of ORMaps of PNCounters: nested deltas converge", () => converges(newCounterMap, nestedOp));

  it("every type: a savepoint restores value and pending delta", () => {
    restores(() => new GCounter(), gcounterOp);
    restores(() => new PNCounter(), pncounterOp);
    restores(() => new GSet<string>(stringCodec), gsetOp);
    restores(() => new ORSet<string>(stringCodec), orsetOp);
    restores(() => new LWWRegister<string>(stringCodec, ""), lwwOp);
    restores(() => new Flag(), flagOp);
    restores(newSetMap, ormapOp);
    restores(newCounterMap, nestedOp);
  });

  it("Vote: with the proxy's tally delivered, both replicas agree on the count and keep their own votes", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 30 }), (votes) => {
        const replicas = [new Vote(), new Vote()];
        const sent = [false, false];
        for (const [onFirst, vote] of votes) {
          const index = onFirst ? 0 : 1;
          const replica = replicas[index] as Vote;
          replica.vote(vote);
          const delta = shipDelta(replica);
          if (delta?.$case === "vote") sent[index] = delta.value.selfVote;
          // The proxy's answer to both: each node's own vote, the cluster's tally.
          const votesFor = sent.filter(Boolean).length;
          replicas.forEach((r, i) =>
            r[APPLY_DELTA]({
              $case: "vote",
              value: { $type: "cloudstate.crdt.VoteDelta", selfVote: sent[i] as boolean, votesFor, totalVoters: 2 },
            }),
          );
          assert.equal(replica.selfVote, vote);
          assert.deepEqual(
            replicas.map((r) => [r.votesFor, r.voters]),
            [
              [votesFor, 2],
              [votesFor, 2],
            ],
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("CRDT elements compare by value", () => {
  it("messages: an equal message is the same element, however it was built", () => {
    const set = new ORSet(messageCodec(ItemAdded));
    assert.equal(set.add(ItemAdded.fromPartial({ item: { productId: "p", name: "n", quantity: 1 } })), true);
    assert.equal(
      set.add({
        $type: "com.example.shoppingcart.persistence.ItemAdded",
        item: { $type: "com.example.shoppingcart.persistence.LineItem", productId: "p", name: "n", quantity: 1 },
      }),
      false,
    );
    assert.equal(set.size, 1);
  });

  it("JSON: object key order does not make a new element", () => {
    const set = new GSet<Json>(jsonCodec("Point"));
    set.add({ x: 1, y: 2 });
    assert.equal(set.add({ y: 2, x: 1 }), false);
    assert.equal(set.has({ y: 2, x: 1 }), true);
  });

  it("int64 keys: equal numbers are the same key", () => {
    const map = new ORMap(int64Codec, () => new GCounter());
    map.getOrCreate(Long.fromNumber(7)).increment(1);
    map.getOrCreate(Long.fromString("7")).increment(2);
    assert.equal(map.size, 1);
    assert.equal(map.get(Long.fromNumber(7))?.value.toNumber(), 3);
  });

  it("a delta's element in a different encoding of the same value is the same element", () => {
    const set = new ORSet(stringCodec);
    set.add("x");
    set[RESET_DELTA]();
    // Field 1 written twice: protobuf's last-one-wins gives "x", the bytes differ from ours.
    const odd = {
      $type: "google.protobuf.Any" as const,
      typeUrl: "p.cloudstate.io/string",
      value: Buffer.from([0x0a, 0x01, 0x79, 0x0a, 0x01, 0x78]),
    };
    set[APPLY_DELTA]({
      $case: "orset",
      value: { $type: "cloudstate.crdt.ORSetDelta", cleared: false, removed: [odd], added: [] },
    });
    assert.equal(set.size, 0);
  });
});
