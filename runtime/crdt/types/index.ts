/** The CRDT types of Cloudstate 0.6.0. */
import { GCounter, PNCounter } from "./counters.js";
import { Flag } from "./flag.js";
import { LWWRegister } from "./lww-register.js";
import { ORMap } from "./ormap.js";
import { GSet, ORSet } from "./sets.js";
import { Vote } from "./vote.js";

export { CrdtBase } from "./base.js";
export type { CrdtTypeName } from "./base.js";
export { GCounter, PNCounter, GSet, ORSet, LWWRegister, Flag, ORMap, Vote };
export type { Amount } from "./counters.js";
export type { LWWRegisterClock } from "./lww-register.js";

/** Any CRDT, as a state whose type is chosen per entity (narrow it with `instanceof` or `typeName`). */
export type Crdt =
  GCounter | PNCounter | GSet<unknown> | ORSet<unknown> | LWWRegister<unknown> | Flag | ORMap<unknown, Crdt> | Vote;
