/**
 * The lock of stored types: taken from test/evolution/lock-cases/base (the code that wrote the data), checked
 * against each other case (the code of today). Each unsafe change fails with the message in its expected.txt;
 * the case `declared` makes every one of those changes with its declaration and passes. A lock that is not one
 * is refused with what to do.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkLock, LockFileError, lockText, parseLock, updateLock } from "../../devkit/cli/stored-lock.js";
import { ROOT } from "../support/root.js";
import { storedTypesOf } from "./stored-types-of.js";

const CASES = join(ROOT, "test/evolution/lock-cases");
const baseLock = updateLock(undefined, storedTypesOf(join(CASES, "base")));
const unsafe = readdirSync(CASES).filter((name) => existsSync(join(CASES, name, "expected.txt")));

describe("the lock of stored types", () => {
  it("has one failing case per unsafe change", () => {
    assert.deepEqual(unsafe.sort(), [
      "encoding_changed",
      "field_deleted",
      "field_renumbered",
      "field_retyped",
      "json_field_renamed",
      "package_move",
      "persistence_id_changed",
      "removed_event",
      "renamed_event",
      "state_renamed",
    ]);
  });

  for (const name of unsafe) {
    it(`fails ${name}, naming the entity, the type and what to do`, () => {
      const { problems } = checkLock(baseLock, storedTypesOf(join(CASES, name)));
      assert.equal(`${problems.join("\n")}\n`, readFileSync(join(CASES, name, "expected.txt"), "utf8"));
    });
  }

  it("passes the declared rename, package move, encoding switch, retirements and reshapes, then locks them", () => {
    const today = storedTypesOf(join(CASES, "declared"));
    const check = checkLock(baseLock, today);
    assert.deepEqual(check.problems, []);
    assert.deepEqual(check.unlocked, [
      "entity shop.v1.Baskets (persistence id Carts): event type shop.v1.LineItemAdded (type.googleapis.com/shop.v1.LineItemAdded)",
      "entity shop.v1.Baskets (persistence id Carts): event type shop.v1.Noted (type.googleapis.com/shop.v1.Noted)",
      "entity shop.v1.Baskets (persistence id Carts): state type shop.v1.Basket (type.googleapis.com/shop.v1.Basket)",
      "entity shop.v1.Profiles (persistence id Profiles): state type shop.v1.UserProfile (type.googleapis.com/shop.v1.UserProfile)",
    ]);
    const updated = updateLock(baseLock, today);
    const carts = updated.entities.find((e) => e.persistenceId === "Carts");
    // The old URLs stay locked (old journals still hold them) beside the new ones.
    assert.deepEqual(
      carts?.types.map((t) => t.url),
      [
        "json.cloudstate.io/Noted",
        "type.googleapis.com/shop.v1.ItemAdded",
        "type.googleapis.com/shop.v1.ItemRemoved",
        "type.googleapis.com/shop.v1.LineItemAdded",
        "type.googleapis.com/shop.v1.Noted",
        "type.googleapis.com/shop.v1.Basket",
        "type.googleapis.com/shop.v1.Cart",
      ],
    );
    assert.deepEqual(checkLock(updated, today), { problems: [], unlocked: [] });
    // Through its text and back, unchanged.
    assert.equal(lockText(parseLock(lockText(updated))), lockText(updated));
  });

  it("is quoted word for word in docs/evolution.md", () => {
    const doc = readFileSync(join(ROOT, "docs/evolution.md"), "utf8");
    const quoted = doc.slice(doc.indexOf("```text\n") + 8, doc.indexOf("```", doc.indexOf("```text\n") + 8)).trim();
    const messages = unsafe.map((name) => readFileSync(join(CASES, name, "expected.txt"), "utf8")).join("");
    for (const line of quoted.split("\n")) assert.ok(messages.includes(line), `not a message the lock gives:\n${line}`);
  });

  it("refuses a lock edited into nonsense, saying where and what to do", () => {
    const cases: [string, RegExp][] = [
      ["{ not json", /^cloudstate\.lock\.json: is not JSON \(.*\); restore it from version control/],
      ['{"lockVersion": 7, "entities": []}', /"lockVersion" must be 1/],
      [
        '{"lockVersion": 1, "entities": [{"kind": "crdt"}]}',
        /entities\[0\]: "kind" must be one of event-sourced, value/,
      ],
      [
        '{"lockVersion": 1, "entities": [{"kind": "value", "persistenceId": "p", "entity": "e", "types": [{"role": "state", "url": "x/y", "message": "m", "messages": {}}]}]}',
        /entities\[0\]\.types\[0\]: "url" must start with type\.googleapis\.com\/ or json\.cloudstate\.io\//,
      ],
      [
        '{"lockVersion": 1, "entities": [{"kind": "value", "persistenceId": "p", "entity": "e", "types": [{"role": "state", "url": "type.googleapis.com/m", "message": "m", "messages": {"m": {"fields": [{"number": 0}]}}}]}]}',
        /message m: field 1: "number" must be a field number/,
      ],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseLock(text),
        (error: unknown) => {
          assert.ok(error instanceof LockFileError);
          assert.match(error.message, message);
          assert.match(error.message, /git checkout cloudstate\.lock\.json/);
          return true;
        },
      );
    }
  });
});
