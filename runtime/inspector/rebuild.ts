/**
 * Replay divergence: an event-sourced entity the dev session recorded, rebuilt from its recorded events by this
 * process's code, in memory (no proxy involved), through the same replay the runtime does on recovery; the state
 * after each event goes back to the dev session, which compares it with what the code of the time built.
 */
import Long from "long";
import type { EventSourcedInit } from "../../gen/cloudstate/event_sourced.js";
import type { Any } from "../any.js";
import type { EventSourcedEntity } from "../event-sourced/entity.js";
import { EventSourcedInstance } from "../event-sourced/instance.js";
import type { Logger } from "../logger.js";
import { plain } from "./plain.js";

/** An entity's journal as the dev session recorded it, from its first event. */
export interface RecordedEntity {
  readonly serviceName: string;
  readonly entityId: string;
  readonly events: readonly { readonly sequence: number; readonly typeUrl: string; readonly base64: string }[];
}

/** What the current code built from a recorded journal. */
export interface Rebuilt {
  readonly serviceName: string;
  readonly entityId: string;
  /** The state after each event, in order, as far as the rebuild went. */
  readonly states: readonly { readonly sequence: number; readonly state: unknown }[];
  /** Why the rebuild stopped early: an event the code cannot read, or a handler that threw. */
  readonly failure?: string;
}

/** Rebuilds `recorded` with `entity`'s handlers; never throws. */
export function rebuildRecorded(entity: EventSourcedEntity, recorded: RecordedEntity, logger: Logger): Rebuilt {
  const states: { sequence: number; state: unknown }[] = [];
  const where = { serviceName: recorded.serviceName, entityId: recorded.entityId };
  try {
    const init: EventSourcedInit = {
      $type: "cloudstate.eventsourced.EventSourcedInit",
      serviceName: recorded.serviceName,
      entityId: recorded.entityId,
      snapshot: undefined,
    };
    const instance = new EventSourcedInstance(entity, init, logger);
    for (const event of recorded.events) {
      const payload: Any = {
        $type: "google.protobuf.Any",
        typeUrl: event.typeUrl,
        value: Buffer.from(event.base64, "base64"),
      };
      instance.replay({
        $type: "cloudstate.eventsourced.EventSourcedEvent",
        sequence: Long.fromNumber(event.sequence),
        payload,
      });
      states.push({ sequence: event.sequence, state: plain(instance.state) });
    }
    return { ...where, states };
  } catch (error) {
    return { ...where, states, failure: error instanceof Error ? error.message : String(error) };
  }
}
