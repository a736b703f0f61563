/**
 * The browser the inspector's test drives: Debian's `chromium`, installed with apt when missing (the test runs as
 * root on CI, as on the project's machines). Never a browser download of playwright's own.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where Debian puts it. */
export const CHROMIUM = "/usr/bin/chromium";

function apt(...args: string[]): void {
  const result = spawnSync("apt-get", args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`apt-get ${args.join(" ")} failed (the test needs Debian's chromium):\n${result.stderr}`);
  }
}

/** The path of Debian's chromium, installing it first if it is missing. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  console.log("# installing Debian's chromium with apt-get");
  apt("update");
  apt("install", "-y", "--no-install-recommends", "chromium");
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is not there`);
  return CHROMIUM;
}

/** Chromium's flags for a headless run here: as root its sandbox cannot start. */
export function chromiumArgs(): string[] {
  return process.getuid?.() === 0 ? ["--no-sandbox"] : [];
}
