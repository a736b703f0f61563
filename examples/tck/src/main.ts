/**
 * Serves the Cloudstate 0.6.0 TCK models on HOST:PORT (default 127.0.0.1:8080). Each model group lives in its own
 * module; this file only lists what is served.
 */
import { serve } from "cloudstate-ts";
import { actionTckModel, actionTwo } from "./action.js";
import { crdtEntities } from "./crdt.js";
import { eventLogSubscriberModel, eventSourcedEntityOne, eventSourcedEntityTwo } from "./eventlogeventing.js";
import { eventSourcedConfigured, eventSourcedTckModel, eventSourcedTwo } from "./eventsourced.js";
import { valueEntityConfigured, valueEntityTckModel, valueEntityTwo } from "./valueentity.js";

await serve({
  entities: [
    actionTckModel,
    actionTwo,
    eventSourcedTckModel,
    eventSourcedTwo,
    eventSourcedConfigured,
    valueEntityTckModel,
    valueEntityTwo,
    valueEntityConfigured,
    eventLogSubscriberModel,
    eventSourcedEntityOne,
    eventSourcedEntityTwo,
    ...crdtEntities,
  ],
  serviceName: "cloudstate-ts-tck",
  serviceVersion: "0.1.0",
});
