/**
 * The ledger of commands the soak's clients sent, and the comparison of a state read back with it. Pure: no I/O,
 * so the rules that decide "lost" are unit-tested (ledger.test.ts).
 *
 * A command is acknowledged when the proxy answered it with success: it must be in the state read back, once.
 * A command that got an error or no answer may have landed or not (the proxy may have persisted it before the
 * answer was lost); it is counted apart, as in flight. A command refused before it reached any server (no
 * connection) cannot have landed; one that did would show the classification wrong, and is reported.
 */

/** The two kinds of stateful entity the soak drives. */
export type Kind = "event-sourced" | "value";
export const KINDS: readonly Kind[] = ["event-sourced", "value"];

/** What became of a command. */
export type Outcome = "pending" | "acknowledged" | "in-flight" | "refused";

/** One command sent, with its unique request id within its entity. */
export interface Command {
  readonly kind: Kind;
  readonly entity: string;
  readonly id: string;
  /** The fault cycle it was sent in. */
  readonly cycle: number;
  outcome: Outcome;
}

/** Every command sent, and waits on their acknowledgements. */
export class Ledger {
  readonly #commands: Command[] = [];
  readonly #acknowledged = new Map<Kind, number>();
  /** Called after every settled command, so waits need no polling. */
  readonly #watchers = new Set<() => void>();

  /** Records a command about to be sent. */
  send(kind: Kind, entity: string, id: string, cycle: number): Command {
    const command: Command = { kind, entity, id, cycle, outcome: "pending" };
    this.#commands.push(command);
    return command;
  }

  /** Records what became of a command sent. */
  settle(command: Command, outcome: Exclude<Outcome, "pending">): void {
    if (command.outcome !== "pending") throw new Error(`command ${command.entity}/${command.id} settled twice`);
    command.outcome = outcome;
    if (outcome === "acknowledged") this.#acknowledged.set(command.kind, this.acknowledged(command.kind) + 1);
    for (const watcher of this.#watchers) watcher();
  }

  /** How many commands of `kind` have been acknowledged so far. */
  acknowledged(kind: Kind): number {
    return this.#acknowledged.get(kind) ?? 0;
  }

  /**
   * Resolves once `more` commands of `kind` have been acknowledged after this call; fails after `timeoutMs`
   * with `what` in the message.
   */
  waitForAcknowledged(kind: Kind, more: number, timeoutMs: number, what: string): Promise<void> {
    const target = this.acknowledged(kind) + more;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.acknowledged(kind) < target) return;
        this.#watchers.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#watchers.delete(check);
        const got = more - (target - this.acknowledged(kind));
        reject(new Error(`${what}: ${got} of ${more} ${kind} commands acknowledged within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#watchers.add(check);
      check();
    });
  }

  /** The commands of `kind`, by entity, in the order they were sent. */
  byEntity(kind: Kind): Map<string, Command[]> {
    const entities = new Map<string, Command[]>();
    for (const command of this.#commands) {
      if (command.kind !== kind) continue;
      const list = entities.get(command.entity);
      if (list === undefined) entities.set(command.entity, [command]);
      else list.push(command);
    }
    return entities;
  }
}

/** How many times each request id is in an entity's state, as read back through the proxy. */
export type Observed = ReadonlyMap<string, number>;

/** The comparison's counts (for one entity, or summed). */
export interface Counts {
  acknowledged: number;
  /** Acknowledged and in the state. */
  survived: number;
  /** Acknowledged and not in the state: a durability failure. */
  lost: number;
  /** Sent, answered with an error or not at all: may have landed or not. */
  inFlight: number;
  /** Of those in flight, how many are in the state. */
  landed: number;
  /** Refused before reaching a server: cannot have landed. */
  refused: number;
  /** Refused and yet in the state: the refusal was misjudged. */
  refusedLanded: number;
  /** In the state more than once: applied twice. */
  duplicated: number;
  /** In the state but never sent. */
  unexpected: number;
}

export function zeroCounts(): Counts {
  return {
    acknowledged: 0,
    survived: 0,
    lost: 0,
    inFlight: 0,
    landed: 0,
    refused: 0,
    refusedLanded: 0,
    duplicated: 0,
    unexpected: 0,
  };
}

export function addCounts(into: Counts, more: Counts): Counts {
  for (const key of Object.keys(into) as (keyof Counts)[]) into[key] += more[key];
  return into;
}

/** The comparison of one entity: counts, and the ids behind every failure, for the report. */
export interface Comparison {
  readonly counts: Counts;
  readonly lostIds: readonly string[];
  readonly duplicatedIds: readonly string[];
  readonly unexpectedIds: readonly string[];
}

/**
 * Compares one entity's state with the commands sent to it. `include` picks the commands counted (those of one
 * cycle, say); duplicates and ids never sent are judged on the whole state whatever it says.
 */
export function compare(
  commands: readonly Command[],
  observed: Observed,
  include: (command: Command) => boolean = () => true,
): Comparison {
  const counts = zeroCounts();
  const lostIds: string[] = [];
  const sent = new Set<string>();
  for (const command of commands) {
    sent.add(command.id);
    if (!include(command)) continue;
    const present = (observed.get(command.id) ?? 0) > 0;
    switch (command.outcome) {
      case "acknowledged":
        counts.acknowledged++;
        if (present) counts.survived++;
        else {
          counts.lost++;
          lostIds.push(command.id);
        }
        break;
      case "in-flight":
        counts.inFlight++;
        if (present) counts.landed++;
        break;
      case "refused":
        counts.refused++;
        if (present) counts.refusedLanded++;
        break;
      case "pending":
        throw new Error(`command ${command.entity}/${command.id} is still pending: stop the clients before comparing`);
    }
  }
  const duplicatedIds: string[] = [];
  const unexpectedIds: string[] = [];
  for (const [id, times] of observed) {
    if (times > 1) duplicatedIds.push(id);
    if (times > 0 && !sent.has(id)) unexpectedIds.push(id);
  }
  counts.duplicated = duplicatedIds.length;
  counts.unexpected = unexpectedIds.length;
  return { counts, lostIds, duplicatedIds, unexpectedIds };
}

/** True when counts show no durability or consistency failure. */
export function isClean(counts: Counts): boolean {
  return counts.lost === 0 && counts.duplicated === 0 && counts.unexpected === 0 && counts.refusedLanded === 0;
}

/**
 * For commands that leave no id in the state (the overload's), the state's total against the number of commands:
 * the acknowledged must all be there, plus at most the in-flight ones.
 */
export function compareTotals(
  acknowledged: number,
  inFlight: number,
  observedTotal: number,
): { lost: number; landed: number; excess: number } {
  return {
    lost: Math.max(0, acknowledged - observedTotal),
    landed: Math.min(inFlight, Math.max(0, observedTotal - acknowledged)),
    excess: Math.max(0, observedTotal - acknowledged - inFlight),
  };
}
