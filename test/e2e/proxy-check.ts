/** Exits 0 if the Cloudstate proxy can be resolved (so the end-to-end tests can run), 3 with the reason if not. */
import { ProxyUnavailable, proxyClasspath } from "./proxy.js";

try {
  proxyClasspath();
  console.log("The Cloudstate proxy resolves: running the end-to-end tests.");
} catch (error) {
  if (!(error instanceof ProxyUnavailable)) throw error;
  console.log(error.message);
  process.exit(3);
}
