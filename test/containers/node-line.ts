/**
 * The Node release line of the templates' images: read from the `FROM node:<line>-bookworm-slim` of their
 * Dockerfile, so the stand-in image made is always the one that Dockerfile asks for.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/root.js";

/** The templates' Dockerfile. */
export const TEMPLATE_DOCKERFILE = join(ROOT, "create/templates/common/Dockerfile");

/** The `<line>` of every `FROM node:<line>-bookworm-slim` in `dockerfile` (one line, or an error saying why not). */
export function nodeLineOf(dockerfile: string): string {
  const lines = new Set(
    [...readFileSync(dockerfile, "utf8").matchAll(/^FROM\s+node:(\d+)-bookworm-slim\b/gm)].map((m) => m[1] ?? ""),
  );
  const [line] = lines;
  if (lines.size !== 1 || line === undefined) {
    throw new Error(
      `${dockerfile}: expected its FROM lines to name one node:<line>-bookworm-slim, found ${[...lines].join(", ") || "none"}`,
    );
  }
  return line;
}

/** The line the templates use now. */
export const NODE_LINE = nodeLineOf(TEMPLATE_DOCKERFILE);
