/**
 * The cluster run's entities: the soak's cart (event-sourced, a snapshot every 5 events) and tallies (a value
 * entity), and the chat example's CRDTs. Each process logs the first command it handles for an entity, with the
 * size of the state it found, so the run can tell which user function an entity lives on, and that an entity
 * handed off to another node arrived with its state (recovered from PostgreSQL through snapshot plus events).
 * The GCounter of posted messages takes its write consistency from the room id (`all-…`, `majority-…`).
 */
import { shoppingCartEntity } from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import { shoppingCartHandlers } from "../../examples/shopping-cart/src/cart.js";
import { chatEntities, messagesHandlers } from "../../examples/crdts/src/chat.js";
import { messagesEntity } from "../../examples/crdts/gen/com/example/chat/chat_cloudstate.js";
import { talliesEntity } from "../soak/gen/com/example/soak/tally_cloudstate.js";
import { talliesHandlers } from "../soak/tally.js";

/** The line a user function prints for the first command it handles for an entity. */
export const FIRST_COMMAND = /^cluster-first-command (\S+) (\S+) state=(\d+)$/gm;

const seen = new Set<string>();

/** Logs the first command this process handles for `entity` of `service`. */
function first(service: string, entity: string, stateSize: number): void {
  const key = `${service}/${entity}`;
  if (seen.has(key)) return;
  seen.add(key);
  process.stderr.write(`cluster-first-command ${service} ${entity} state=${stateSize}\n`);
}

export const cart = shoppingCartEntity({
  ...shoppingCartHandlers,
  addItem(command, context) {
    first("cart", command.userId, context.state.items.length);
    return shoppingCartHandlers.addItem(command, context);
  },
  getCart(command, context) {
    first("cart", command.userId, context.state.items.length);
    return shoppingCartHandlers.getCart(command, context);
  },
});

export const tallies = talliesEntity({
  ...talliesHandlers,
  record(command, context) {
    first("tally", command.tallyId, context.state.requestIds.length);
    return talliesHandlers.record(command, context);
  },
  get(command, context) {
    first("tally", command.tallyId, context.state.requestIds.length);
    return talliesHandlers.get(command, context);
  },
});

const messages = messagesEntity({
  ...messagesHandlers,
  posted(command, context) {
    if (command.roomId.startsWith("all-")) context.writeConsistency = "all";
    else if (command.roomId.startsWith("majority-")) context.writeConsistency = "majority";
    return messagesHandlers.posted(command, context);
  },
});

/** Every entity the cluster's user functions serve. */
export const clusterEntities = [
  cart,
  tallies,
  ...chatEntities.filter((entity) => entity.serviceName !== "com.example.chat.Messages"),
  messages,
];
