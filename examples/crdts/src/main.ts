/** Serves the chat service on HOST:PORT (default 127.0.0.1:8080) for the Cloudstate proxy. */
import { serve } from "cloudstate-ts";
import { chatEntities } from "./chat.js";

await serve({ entities: chatEntities, serviceName: "chat", serviceVersion: "0.1.0" });
