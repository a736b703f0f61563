/**
 * Which user function handled an entity: each user function prints a line for the first command it handles for
 * an entity (entities.ts), with the size of the state it found. Pure apart from the clock, so the parsing and the
 * bookkeeping are unit-tested (first-commands.test.ts).
 */
import { Conditions } from "../../runtime/testkit/conditions.js";

/** One first command, as a user function printed it. */
export interface FirstCommand {
  /** The node whose user function printed it. */
  readonly node: string;
  /** `cart`, `tally`. */
  readonly service: string;
  readonly entity: string;
  /** How many lines or request ids the state had: more than 0 means it was recovered, not new. */
  readonly stateSize: number;
  /** When it was seen (performance.now()). */
  readonly at: number;
}

const LINE = /^cluster-first-command (\S+) (\S+) state=(\d+)$/;

/** Collects first-command lines from every node's user function output, chunk by chunk. */
export class FirstCommands {
  readonly all: FirstCommand[] = [];
  readonly #partial = new Map<string, string>();
  readonly #conditions = new Conditions();

  /** Feeds a chunk of `node`'s user function output (lines may be split across chunks). */
  add(node: string, chunk: string, at: number): void {
    const lines = ((this.#partial.get(node) ?? "") + chunk).split("\n");
    this.#partial.set(node, lines.pop() ?? "");
    for (const line of lines) {
      const match = LINE.exec(line.trim());
      if (match === null) continue;
      this.all.push({ node, service: match[1] ?? "", entity: match[2] ?? "", stateSize: Number(match[3]), at });
    }
    if (lines.length > 0) this.#conditions.changed();
  }

  /** Where each entity of `service` was handled last (its current home), by entity. */
  homes(service: string): Map<string, string> {
    const homes = new Map<string, string>();
    for (const first of this.all) if (first.service === service) homes.set(first.entity, first.node);
    return homes;
  }

  /** How many distinct entities each node's user function handled, of any of `services`. */
  countByNode(services: readonly string[]): Map<string, number> {
    const entities = new Map<string, Set<string>>();
    for (const first of this.all) {
      if (!services.includes(first.service)) continue;
      const set = entities.get(first.node) ?? new Set<string>();
      set.add(`${first.service}/${first.entity}`);
      entities.set(first.node, set);
    }
    return new Map([...entities].map(([node, set]) => [node, set.size]));
  }

  /** The first commands seen after `since` that match `accept`. */
  since(since: number, accept: (first: FirstCommand) => boolean = () => true): FirstCommand[] {
    return this.all.filter((first) => first.at >= since && accept(first));
  }

  /** Resolves once `done()` holds after some new line (or at once); fails after `timeoutMs` naming `what`. */
  waitUntil(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return this.#conditions.waitUntil(done, timeoutMs, () => new Error(`${what}: not seen within ${timeoutMs} ms`));
  }
}
