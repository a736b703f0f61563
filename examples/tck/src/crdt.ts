/**
 * The TCK's CRDT model. Each entity's CRDT type comes from its id's prefix (`GCounter-1`, `ORMap-7`), and an ORMap
 * value's type from its key's prefix, so the model's state is "any CRDT", narrowed per update.
 */
import {
  CommandFailure,
  Flag,
  GCounter,
  GSet,
  LWWRegister,
  methodOf,
  ORMap,
  ORSet,
  PNCounter,
  stringCodec,
  Vote,
  type Crdt,
  type LWWRegisterClock,
  type MessageInit,
  type WriteConsistency,
} from "cloudstate-ts";
import {
  CrdtTwoDefinition,
  LWWRegisterClockType,
  State,
  UpdateWriteConsistency,
  type LWWRegisterUpdate,
  type Response,
  type Update,
} from "../gen/cloudstate/tck/model/crdt.js";
import {
  crdtConfiguredEntity,
  crdtTckModelEntity,
  crdtTwoEntity,
  type CrdtConfiguredHandlers,
  type CrdtTckModelHandlers,
  type CrdtTwoHandlers,
} from "../gen/cloudstate/tck/model/crdt_cloudstate.js";

const callTwo = methodOf(CrdtTwoDefinition, "call");

/** A new CRDT of the type `name`'s prefix names. */
function createCrdt(name: string): Crdt {
  const type = name.split("-")[0];
  switch (type) {
    case "GCounter":
      return new GCounter();
    case "PNCounter":
      return new PNCounter();
    case "GSet":
      return new GSet<string>(stringCodec);
    case "ORSet":
      return new ORSet<string>(stringCodec);
    case "LWWRegister":
      return new LWWRegister<string>(stringCodec, "");
    case "Flag":
      return new Flag();
    case "ORMap":
      return new ORMap<string, Crdt>(stringCodec, createCrdt);
    case "Vote":
      return new Vote();
    default:
      throw new Error(`Unknown CRDT type ${type ?? ""} in ${name}`);
  }
}

function expectType<T extends Crdt>(crdt: Crdt, type: abstract new (...args: never[]) => T): T {
  if (!(crdt instanceof type)) throw new CommandFailure(`A ${type.name} update cannot apply to a ${crdt.typeName}`);
  return crdt;
}

function clockOf(update: LWWRegisterUpdate): LWWRegisterClock {
  const clock = update.clock;
  switch (clock?.clockType) {
    case LWWRegisterClockType.REVERSE:
      return { kind: "reverse" };
    case LWWRegisterClockType.CUSTOM:
      return { kind: "custom", value: clock.customClockValue };
    case LWWRegisterClockType.CUSTOM_AUTO_INCREMENT:
      return { kind: "customAutoIncrement", value: clock.customClockValue };
    default:
      return { kind: "default" };
  }
}

function applyUpdate(crdt: Crdt, update: Update): void {
  const action = update.update;
  switch (action?.$case) {
    case "gcounter":
      expectType(crdt, GCounter).increment(action.value.increment);
      break;
    case "pncounter":
      expectType(crdt, PNCounter).increment(action.value.change);
      break;
    case "gset":
      (expectType(crdt, GSet) as GSet<string>).add(action.value.add);
      break;
    case "orset": {
      const set = expectType(crdt, ORSet) as ORSet<string>;
      const change = action.value.action;
      if (change?.$case === "add") set.add(change.value);
      else if (change?.$case === "remove") set.delete(change.value);
      else if (change?.$case === "clear" && change.value) set.clear();
      break;
    }
    case "lwwregister":
      (expectType(crdt, LWWRegister) as LWWRegister<string>).set(action.value.value, clockOf(action.value));
      break;
    case "flag":
      expectType(crdt, Flag).enable();
      break;
    case "ormap": {
      const map = expectType(crdt, ORMap) as ORMap<string, Crdt>;
      const change = action.value.action;
      if (change?.$case === "add") map.getOrCreate(change.value);
      else if (change?.$case === "update") {
        if (change.value.update !== undefined) applyUpdate(map.getOrCreate(change.value.key), change.value.update);
      } else if (change?.$case === "remove") map.delete(change.value);
      else if (change?.$case === "clear" && change.value) map.clear();
      break;
    }
    case "vote":
      expectType(crdt, Vote).vote(action.value.selfVote);
      break;
    case undefined:
      break;
  }
}

function writeConsistencyOf(update: Update): WriteConsistency {
  switch (update.writeConsistency) {
    case UpdateWriteConsistency.MAJORITY:
      return "majority";
    case UpdateWriteConsistency.ALL:
      return "all";
    default:
      return "local";
  }
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The TCK's view of a CRDT's value: sets sorted, map entries sorted by key. */
function stateOf(crdt: Crdt): MessageInit<State> {
  switch (crdt.typeName) {
    case "GCounter":
      return { value: { $case: "gcounter", value: { value: crdt.value } } };
    case "PNCounter":
      return { value: { $case: "pncounter", value: { value: crdt.value } } };
    case "GSet":
      return { value: { $case: "gset", value: { elements: [...(crdt as GSet<string>)].sort(byString) } } };
    case "ORSet":
      return { value: { $case: "orset", value: { elements: [...(crdt as ORSet<string>)].sort(byString) } } };
    case "LWWRegister":
      return { value: { $case: "lwwregister", value: { value: (crdt as LWWRegister<string>).value } } };
    case "Flag":
      return { value: { $case: "flag", value: { value: crdt.enabled } } };
    case "ORMap": {
      const entries = [...(crdt as ORMap<string, Crdt>)]
        .sort(([a], [b]) => byString(a, b))
        .map(([key, value]) => ({ key, value: stateOf(value) }));
      return { value: { $case: "ormap", value: { entries } } };
    }
    case "Vote":
      return {
        value: {
          $case: "vote",
          value: { selfVote: crdt.selfVote, votesFor: crdt.votesFor, totalVoters: crdt.voters },
        },
      };
  }
}

function responseOf(crdt: Crdt): MessageInit<Response> {
  return { state: stateOf(crdt) };
}

function sameState(a: MessageInit<State>, b: State): boolean {
  return Buffer.from(State.encode(State.fromPartial(a as never)).finish()).equals(State.encode(b).finish());
}

export const crdtTckModelHandlers: CrdtTckModelHandlers = {
  initialState: (entityId) => createCrdt(entityId),

  process(request, context) {
    let forward;
    for (const { action } of request.actions) {
      switch (action?.$case) {
        case "update":
          applyUpdate(context.state, action.value);
          context.writeConsistency = writeConsistencyOf(action.value);
          break;
        case "delete":
          context.delete();
          break;
        case "forward":
          forward = context.forward(callTwo, { id: action.value.id, actions: [] });
          break;
        case "effect":
          context.effect(callTwo, { id: action.value.id, actions: [] }, { synchronous: action.value.synchronous });
          break;
        case "fail":
          context.fail(action.value.message);
      }
    }
    return forward ?? responseOf(context.state);
  },

  processStreamed(request, context) {
    if (context.streamed) {
      context.onChange((subscription) => {
        for (const effect of request.effects) {
          subscription.effect(callTwo, { id: effect.id, actions: [] }, { synchronous: effect.synchronous });
        }
        const state = stateOf(subscription.state);
        if (request.endState !== undefined && sameState(state, request.endState)) subscription.endStream();
        return request.empty ? undefined : { state };
      });
      const cancelUpdate = request.cancelUpdate;
      if (cancelUpdate !== undefined) context.onCancel((cancelled) => applyUpdate(cancelled.state, cancelUpdate));
    }
    if (request.initialUpdate !== undefined) applyUpdate(context.state, request.initialUpdate);
    return request.empty ? undefined : responseOf(context.state);
  },
};

export const crdtTwoHandlers: CrdtTwoHandlers = {
  call(request, context) {
    if (request.actions.some(({ action }) => action?.$case === "delete")) context.delete();
    return {};
  },
};

export const crdtConfiguredHandlers: CrdtConfiguredHandlers = {
  call: () => ({}),
};

/** The TCK's CRDT services. */
export const crdtEntities = [
  crdtTckModelEntity(crdtTckModelHandlers),
  crdtTwoEntity(crdtTwoHandlers),
  crdtConfiguredEntity(crdtConfiguredHandlers),
];
