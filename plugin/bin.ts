#!/usr/bin/env node
// protoc-gen-cloudstate, the executable buf and protoc run.
import "./main.js";
