/**
 * Makes the stand-in images the templates name (see images.ts), each only when missing:
 * `npm run images -- [--node 26]`. The container suite makes them itself; this is for a person who wants them
 * before, say, running a template's `podman build` by hand.
 */
import { commandLine } from "../support/cli-args.js";
import { ensureImages } from "./images.js";
import { assertCanRunContainers, ensurePodman } from "./podman.js";
import { NODE_LINE } from "./node-line.js";

const USAGE = "usage: npm run images -- [--node <line>]   (default: the line the templates' Dockerfile uses)";
const { values } = commandLine("images", USAGE, { options: { node: { type: "string", default: NODE_LINE } } });

const log = (line: string): void => console.log(`images: ${line}`);
log(ensurePodman(log));
const images = await ensureImages(values.node, log);
assertCanRunContainers(images[0] ?? "");
for (const image of images) log(`ready: ${image}`);
