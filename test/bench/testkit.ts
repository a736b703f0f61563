/**
 * The unit testkit's speed: shopping-cart commands per second through `EventSourcedTestKit`, in-process, as a
 * test suite runs them (many short-lived entities), and on one long-lived entity, with the checks on (the
 * default) and off.
 */
import type { Observer } from "cloudstate-ts";
import { EventSourcedTestKit, type TestKitChecks } from "cloudstate-ts/testkit";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";

/** One measurement. */
export interface TestkitFigures {
  readonly entities: number;
  readonly commandsPerEntity: number;
  readonly checks: boolean;
  readonly commands: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
}

/** Runs `commandsPerEntity` commands (two adds, then a read, over and over) on each of `entities` new carts. */
export async function testkitThroughput(
  entities: number,
  commandsPerEntity: number,
  checks: boolean,
  observer?: Observer,
): Promise<TestkitFigures> {
  const options: TestKitChecks = checks ? {} : { encoding: false, replay: false, descriptors: false };
  const started = process.hrtime.bigint();
  let commands = 0;
  for (let e = 0; e < entities; e++) {
    const userId = `user-${e}`;
    const cart = await EventSourcedTestKit.create(shoppingCart, {
      entityId: userId,
      checks: options,
      ...(observer !== undefined && { observer }),
    });
    for (let c = 0; c < commandsPerEntity; c++) {
      if (c % 3 === 2) await cart.call("getCart", { userId });
      else await cart.call("addItem", { userId, productId: `p${c % 7}`, name: "Product", quantity: 1 + (c % 5) });
      commands++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { entities, commandsPerEntity, checks, commands, seconds, commandsPerSecond: commands / seconds };
}
