/**
 * The transport's ceiling without nice-grpc: the same echo as echo.ts (each command answered with its own
 * payload), served by @grpc/grpc-js alone. Messages are decoded and encoded by the same ts-proto code as nice-grpc
 * uses (a reply goes through `fromPartial`, then `encode`), so the difference between the two echoes is what
 * nice-grpc's per-call machinery costs.
 */
import { Server, ServerCredentials, type ServerDuplexStream } from "@grpc/grpc-js";
import { EventSourcedStreamIn, EventSourcedStreamOut } from "../../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../../gen/typeRegistry.js";
import { peerAddress } from "./address.js";

const handle = {
  path: "/cloudstate.eventsourced.EventSourced/handle",
  requestStream: true,
  responseStream: true,
  requestSerialize: (message: EventSourcedStreamIn): Buffer =>
    Buffer.from(EventSourcedStreamIn.encode(message).finish()),
  requestDeserialize: (bytes: Buffer): EventSourcedStreamIn => EventSourcedStreamIn.decode(bytes),
  responseSerialize: (message: DeepPartial<EventSourcedStreamOut>): Buffer =>
    Buffer.from(EventSourcedStreamOut.encode(EventSourcedStreamOut.fromPartial(message)).finish()),
  responseDeserialize: (bytes: Buffer): EventSourcedStreamOut => EventSourcedStreamOut.decode(bytes),
};

function echo(call: ServerDuplexStream<EventSourcedStreamIn, DeepPartial<EventSourcedStreamOut>>): void {
  call.on("data", (request: EventSourcedStreamIn) => {
    const message = request.message;
    if (message?.$case !== "command") return;
    const command = message.value;
    call.write({
      message: {
        $case: "reply",
        value: {
          commandId: command.id,
          clientAction: { action: { $case: "reply", value: { payload: command.payload } } },
        },
      },
    });
  });
  call.on("end", () => call.end());
  call.on("error", () => undefined);
}

const server = new Server();
server.addService({ handle }, { handle: echo });
const address = peerAddress();
await new Promise<number>((resolve, reject) =>
  server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) =>
    error === null ? resolve(port) : reject(error),
  ),
);
console.log(`grpc-js echo server listening on ${address}`);
process.once("SIGTERM", () => {
  server.forceShutdown();
  process.exit(0);
});
