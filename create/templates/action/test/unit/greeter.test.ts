// The greeting itself is a plain function: tested here without any proxy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { greetingFor } from "../../src/greeter.js";

describe("greetingFor", () => {
  it("greets by name", () => {
    assert.equal(greetingFor("Ada").message, "Hello, Ada!");
  });
});
