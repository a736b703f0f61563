/** Vote: each node votes yes or no; the proxy tallies the cluster's votes. */
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
 * This node's vote and the cluster's tally. Build "at least one", "majority" or "all" decisions from `votesFor`
 * and `voters`; the tally counts this node's latest vote at once and the others' as the proxy reports them.
 */
export class Vote extends CrdtBase {
  readonly typeName = "Vote" as const;
  #selfVote = false;
  #votesFor = 0;
  #voters = 1;
  #changed = false;

  /** This node's vote. */
  get selfVote(): boolean {
    return this.#selfVote;
  }
  /** How many nodes vote yes. */
  get votesFor(): number {
    return this.#votesFor;
  }
  /** How many nodes vote. */
  get voters(): number {
    return this.#voters;
  }
  /** Whether at least one node votes yes. */
  get atLeastOne(): boolean {
    return this.#votesFor > 0;
  }
  /** Whether more than half the nodes vote yes. */
  get majority(): boolean {
    return this.#votesFor * 2 > this.#voters;
  }
  /** Whether every node votes yes. */
  get all(): boolean {
    return this.#votesFor === this.#voters;
  }

  /** Sets this node's vote. */
  vote(vote: boolean): void {
    if (vote === this.#selfVote) return;
    this.#selfVote = vote;
    this.#votesFor += vote ? 1 : -1;
    // Voting back the way the last sent vote went leaves nothing to send.
    this.#changed = !this.#changed;
  }

  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [HAS_DELTA](): boolean {
    return this.#changed;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [TAKE_DELTA](): DeltaOut {
    return { $case: "vote", value: { selfVote: this.#selfVote } };
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [RESET_DELTA](): void {
    this.#changed = false;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [APPLY_DELTA](delta: DeltaIn): void {
    if (delta.$case !== "vote") throw this.wrongDelta(delta);
    this.#selfVote = delta.value.selfVote;
    this.#votesFor = delta.value.votesFor;
    this.#voters = delta.value.totalVoters;
  }
  /** The runtime's side, declared on {@link CrdtBase}. @internal */
  [SAVEPOINT](): Restore {
    const saved = [this.#selfVote, this.#votesFor, this.#voters, this.#changed] as const;
    return () => {
      [this.#selfVote, this.#votesFor, this.#voters, this.#changed] = saved;
    };
  }
}
