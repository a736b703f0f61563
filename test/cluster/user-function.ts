/** A cluster node's user function: listens on HOST/PORT like any user function. */
import { serve } from "cloudstate-ts";
import { clusterEntities } from "./entities.js";

await serve({ entities: clusterEntities, serviceName: "cloudstate-ts-cluster", serviceVersion: "0.1.0" });
