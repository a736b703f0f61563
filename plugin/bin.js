#!/usr/bin/env node
// Runs the TypeScript plugin through tsx, so the repository needs no build step.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
