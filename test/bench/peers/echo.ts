/**
 * The ceiling: a bare nice-grpc EventSourced.handle server with no entity logic. It decodes each command and
 * answers with a reply of the same shape and size a real entity sends (the command's payload echoed back as the
 * reply payload), so the transport and protobuf costs are the same as ours and nothing else is.
 */
import { createServer } from "nice-grpc";
import { EventSourcedDefinition, type EventSourcedStreamIn } from "../../../gen/cloudstate/event_sourced.js";
import { peerAddress } from "./address.js";

const server = createServer();
server.add(EventSourcedDefinition, {
  async *handle(requests: AsyncIterable<EventSourcedStreamIn>) {
    for await (const request of requests) {
      const message = request.message;
      if (message?.$case !== "command") continue;
      const command = message.value;
      yield {
        message: {
          $case: "reply" as const,
          value: {
            commandId: command.id,
            clientAction: { action: { $case: "reply" as const, value: { payload: command.payload } } },
          },
        },
      };
    }
  },
});
const address = peerAddress();
await server.listen(address);
console.log(`echo server listening on ${address}`);
process.once("SIGTERM", () => {
  server.forceShutdown();
  process.exit(0);
});
