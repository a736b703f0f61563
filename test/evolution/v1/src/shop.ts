/** The shop as first written (v1): the code that wrote the stored data the evolution suites read back. */
import { ItemAdded, ItemPicked, Noted } from "../gen/shop/cart.js";
import { cartsEntity, profilesEntity } from "../gen/shop/cart_cloudstate.js";

/** Carts: lines added (any quantity) or picked (one), and notes. A snapshot every 3 events. */
export const carts = cartsEntity({
  initialState: () => ({ lines: [], notes: [] }),
  add(command, context) {
    context.emit(ItemAdded.create({ sku: command.sku, quantity: command.quantity }));
    return {};
  },
  pick(command, context) {
    context.emit(ItemPicked.create({ sku: command.sku }));
    return {};
  },
  note(command, context) {
    context.emit(Noted.create({ text: command.text }));
    return {};
  },
  get: (_command, context) => context.state,
  onItemAdded: (state, event) => ({ ...state, lines: [...state.lines, { sku: event.sku, quantity: event.quantity }] }),
  onItemPicked: (state, event) => ({ ...state, lines: [...state.lines, { sku: event.sku, quantity: 1 }] }),
  onNoted: (state, event) => ({ ...state, notes: [...state.notes, event.text] }),
});

/** Profiles: a name. */
export const profiles = profilesEntity({
  initialState: () => ({ name: "" }),
  setName(command, context) {
    context.updateState({ name: command.name });
    return {};
  },
  get: (_command, context) => context.state,
});
