// The greeter's logic: each rpc answers from its request alone.
import type { Greeting } from "../gen/greeter/greeter.js";
import { greeterAction, type GreeterHandlers } from "../gen/greeter/greeter_cloudstate.js";

/** The greeting for a name. */
export function greetingFor(name: string): Greeting {
  return { $type: "greeter.Greeting", message: `Hello, ${name}!` };
}

export const greeterHandlers: GreeterHandlers = {
  greet(request, context) {
    if (request.name.trim() === "") return context.failure("A greeting needs a name");
    return greetingFor(request.name);
  },

  async *greetEach(requests) {
    for await (const request of requests) yield greetingFor(request.name);
  },
};

export const greeter = greeterAction(greeterHandlers);
