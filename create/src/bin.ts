#!/usr/bin/env node
/** `npm create cloudstate-ts@latest DIR` runs this. */
import { main } from "./cli.js";

process.exitCode = main(process.argv.slice(2));
