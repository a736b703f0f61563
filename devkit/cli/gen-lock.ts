/**
 * `cloudstate-ts gen` and the lock part of `cloudstate-ts gen --check`: the project's `cloudstate.lock.json`
 * against the stored-types files protoc-gen-cloudstate writes. `gen` refuses to write anything while a locked type
 * is unreadable; otherwise it runs `buf generate` and records the types written today.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkLock,
  LOCK_FILE,
  LockFileError,
  lockText,
  parseLock,
  readStoredTypes,
  updateLock,
  type Lock,
} from "./stored-lock.js";
import { bufGenerate, outputsOf } from "./buf-workspace.js";

/** What checking a project's lock found. */
export interface ProjectLockCheck {
  /** Locked types no longer readable, or a lock that cannot be read: these fail `gen` and `gen --check`. */
  readonly problems: readonly string[];
  /** Types written today that the lock lacks: these fail `gen --check` only; `gen` adds them. */
  readonly unlocked: readonly string[];
  /** The lock as it would be after `gen`, when there are no problems. */
  readonly updated: Lock | undefined;
}

/** Checks the lock in `cwd` against the stored-types files under `outDirs`. Never throws for bad files. */
export function checkProjectLock(cwd: string, outDirs: readonly string[]): ProjectLockCheck {
  try {
    const entities = readStoredTypes(outDirs);
    const path = join(cwd, LOCK_FILE);
    const lock = existsSync(path) ? parseLock(readFileSync(path, "utf8"), LOCK_FILE) : undefined;
    if (lock === undefined) {
      const unlocked = entities.length === 0 ? [] : [`${LOCK_FILE} is missing`];
      return { problems: [], unlocked, updated: updateLock(undefined, entities) };
    }
    const { problems, unlocked } = checkLock(lock, entities);
    return { problems, unlocked, updated: problems.length > 0 ? undefined : updateLock(lock, entities) };
  } catch (error) {
    if (error instanceof LockFileError) return { problems: [error.message], unlocked: [], updated: undefined };
    throw error;
  }
}

/** Lines for the console: the lock's problems, then what it lacks; empty when all is well. */
export function describeLockCheck(check: ProjectLockCheck): string[] {
  return [
    ...check.problems,
    ...check.unlocked.map(
      (line) => `${line}: not in ${LOCK_FILE} yet; run \`cloudstate-ts gen\` and commit ${LOCK_FILE}`,
    ),
  ];
}

/**
 * `cloudstate-ts gen`: generates into a temporary folder and checks the lock; only if no locked type became
 * unreadable does it run `buf generate` in place and write the lock with today's types added.
 * @returns why it stopped (nothing written) and the problems, or undefined when it generated
 */
export function generateWithLock(
  cwd: string,
): { readonly why: string; readonly problems: readonly string[] } | undefined {
  const failed = (why: string, ...problems: string[]) => ({ why, problems });
  const templatePath = join(cwd, "buf.gen.yaml");
  if (!existsSync(templatePath)) return failed(`no buf.gen.yaml in ${cwd}`);
  const outs = [...new Set(outputsOf(readFileSync(templatePath, "utf8")))];
  if (outs.length === 0) return failed("buf.gen.yaml names no `out:` folder");
  const work = mkdtempSync(join(tmpdir(), "cloudstate-gen-"));
  let check: ProjectLockCheck;
  try {
    const fresh = bufGenerate(cwd, work);
    if (!fresh.ok) return failed("buf generate failed", fresh.errors);
    check = checkProjectLock(
      cwd,
      outs.map((out) => join(work, out)),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (check.updated === undefined) return failed("stored data would be unreadable", ...check.problems);
  const run = bufGenerate(cwd);
  if (!run.ok) return failed("buf generate failed", run.errors);
  if (check.updated.entities.length > 0) writeFileSync(join(cwd, LOCK_FILE), lockText(check.updated));
  return undefined;
}
