/**
 * Reading what ScalaTest's standard-out reporter (`-oWD`) prints for the Cloudstate TCK: one line per test under
 * a `when verifying <group>` heading, and a closing `Tests: succeeded N, failed N, ...` line.
 */

export type Outcome = "passed" | "failed" | "pending" | "canceled" | "ignored";

export interface TestResult {
  readonly group: string;
  readonly name: string;
  readonly outcome: Outcome;
}

/** ScalaTest's own totals, from its closing line. */
export interface Totals {
  readonly succeeded: number;
  readonly failed: number;
  readonly canceled: number;
  readonly ignored: number;
  readonly pending: number;
}

export interface TckReport {
  readonly tests: readonly TestResult[];
  /** Undefined when the run never reached its end (it aborted, or was stopped). */
  readonly totals: Totals | undefined;
  readonly aborted: boolean;
}

const GROUP = /^\s+when verifying (.+?)\s*$/;
const TEST = /^\s+- (.+?)\s*$/;
const TOTALS = /Tests: succeeded (\d+), failed (\d+), canceled (\d+), ignored (\d+), pending (\d+)/;

function outcomeOf(line: string): { name: string; outcome: Outcome } {
  const cut = (marker: string): string => line.slice(0, line.indexOf(marker)).trim();
  if (line.includes("*** FAILED ***")) return { name: cut("*** FAILED ***"), outcome: "failed" };
  if (line.includes("!!! CANCELED !!!")) return { name: cut("!!! CANCELED !!!"), outcome: "canceled" };
  if (line.includes("!!! IGNORED !!!")) return { name: cut("!!! IGNORED !!!"), outcome: "ignored" };
  if (line.endsWith("(pending)")) return { name: cut("(pending)"), outcome: "pending" };
  // A passed test ends with its duration, e.g. "(1 second, 12 milliseconds)".
  return { name: line.replace(/\s*\([^()]*\)$/, ""), outcome: "passed" };
}

/** Parses the reporter's output. */
export function parseTckOutput(output: string): TckReport {
  const tests: TestResult[] = [];
  let group = "";
  let totals: Totals | undefined;
  for (const line of output.split("\n")) {
    const heading = GROUP.exec(line);
    if (heading !== null) {
      group = heading[1] ?? "";
      continue;
    }
    const test = TEST.exec(line);
    if (test !== null && group !== "") {
      tests.push({ group, ...outcomeOf(test[1] ?? "") });
      continue;
    }
    const closing = TOTALS.exec(line);
    if (closing !== null) {
      const [succeeded, failed, canceled, ignored, pending] = closing.slice(1).map(Number) as [
        number,
        number,
        number,
        number,
        number,
      ];
      totals = { succeeded, failed, canceled, ignored, pending };
    }
  }
  return { tests, totals, aborted: /\*\*\* RUN ABORTED \*\*\*|Suites: completed \d+, aborted [1-9]/.test(output) };
}

/** Counts per group, in the order the groups ran. */
export function countsByGroup(tests: readonly TestResult[]): Map<string, Record<Outcome, number>> {
  const groups = new Map<string, Record<Outcome, number>>();
  for (const test of tests) {
    let counts = groups.get(test.group);
    if (counts === undefined) {
      counts = { passed: 0, failed: 0, pending: 0, canceled: 0, ignored: 0 };
      groups.set(test.group, counts);
    }
    counts[test.outcome]++;
  }
  return groups;
}

/** Why a run is not a success, or undefined when it is one. */
export function verdict(report: TckReport, minPassed: number): string | undefined {
  if (report.aborted) return "the TCK run aborted";
  if (report.totals === undefined) return "the TCK did not finish (no closing totals)";
  const { succeeded, failed, canceled } = report.totals;
  if (failed > 0) return `${failed} TCK test(s) failed`;
  if (canceled > 0) return `${canceled} TCK test(s) were canceled`;
  if (succeeded < minPassed) return `only ${succeeded} TCK test(s) passed; at least ${minPassed} expected`;
  return undefined;
}
