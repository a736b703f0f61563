// `node replace-dir.mjs NEXT DIR`: puts the folder NEXT in DIR's place, by two renames, so whatever runs from DIR
// meanwhile (the test files that run the built plugin while another packs, and so rebuilds, the packages) finds a
// whole build, old or new, never an emptied or half-written folder as `rm -rf dist && tsc` left for seconds.
import { existsSync, renameSync, rmSync } from "node:fs";

const [next, dir] = process.argv.slice(2);
if (next === undefined || dir === undefined) {
  console.error("usage: node replace-dir.mjs NEXT DIR");
  process.exit(2);
}
const old = `${dir}.old-${process.pid}`;
if (existsSync(dir)) renameSync(dir, old);
renameSync(next, dir);
rmSync(old, { recursive: true, force: true });
