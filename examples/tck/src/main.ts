/** Serves the TCK's model services on HOST:PORT (default 127.0.0.1:8080) for the proxy the TCK drives. */
import { serve } from "cloudstate-ts";
import { crdtEntities } from "./crdt.js";

await serve({ entities: [...crdtEntities], serviceName: "cloudstate-ts-tck", serviceVersion: "0.1.0" });
