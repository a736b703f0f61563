/**
 * Run by memory.test.ts in a child process with --expose-gc: serves the cart, opens and closes rounds of entity
 * streams (well-formed and broken ones), and prints the heap after each round as JSON.
 */
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";
import { memoryLogger, startHarness } from "../support/harness.js";
import { addItem, getCart, init } from "../support/cart-messages.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

async function settle(): Promise<number> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc?.();
  }
  return process.memoryUsage().heapUsed;
}

const harness = await startHarness([shoppingCart], memoryLogger());
const heaps: number[] = [];
const rounds = Number(process.argv[2] ?? "6");
for (let round = 0; round < rounds; round++) {
  await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const id = `r${round}-${i}`;
      const stream = harness.openEventSourced();
      stream.send(init(id));
      for (let c = 1; c <= 5; c++) stream.send(addItem(c, id, `p${c}`, 1));
      if (i % 3 === 0)
        stream.send(init(id)); // a broken stream: ends with a failure
      else stream.send(getCart(6, id));
      for (let c = 1; c <= 6; c++) await stream.next();
      stream.close();
      if (i % 3 !== 0) await stream.end();
    }),
  );
  heaps.push(await settle());
}
await harness.close();
console.log(JSON.stringify({ heaps }));
