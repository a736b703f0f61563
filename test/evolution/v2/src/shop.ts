/**
 * The shop rewritten (v2) over v1's stored data: LineItemAdded (was ItemAdded) with who added it, ItemPicked
 * retired into a LineItemAdded of one, the state a Basket with a running total (v1's Cart retired into it), and
 * the profile moved with a rename count.
 */
import { LineItemAdded, Noted } from "../gen/shop/events/events.js";
import { cartsEntity, profilesEntity, type CartsHandlers } from "../gen/shop/cart_cloudstate.js";

/** The carts' handlers, exported so that tests can swap one (an upcaster that throws, say). */
export const cartsHandlers: CartsHandlers = {
  initialState: () => ({ lines: [], notes: [], totalQuantity: 0 }),
  add(command, context) {
    context.emit(LineItemAdded.create({ sku: command.sku, quantity: command.quantity, addedBy: command.addedBy }));
    return {};
  },
  note(command, context) {
    context.emit(Noted.create({ text: command.text }));
    return {};
  },
  get: (_command, context) => context.state,
  onLineItemAdded: (state, event) => ({
    ...state,
    lines: [...state.lines, { sku: event.sku, quantity: event.quantity }],
    totalQuantity: state.totalQuantity + event.quantity,
  }),
  onNoted: (state, event) => ({ ...state, notes: [...state.notes, event.text] }),
  // v1 picked one of a product; v2 adds a line of one.
  upcastItemPicked: (event) => LineItemAdded.create({ sku: event.sku, quantity: 1 }),
  // v1's snapshots had no total: it is the sum of the lines.
  upcastCart: (cart) => ({
    lines: cart.lines,
    notes: cart.notes,
    totalQuantity: cart.lines.reduce((sum, line) => sum + line.quantity, 0),
  }),
};

export const carts = cartsEntity(cartsHandlers);

/** Profiles: a name and how often it changed since v2. */
export const profiles = profilesEntity({
  initialState: () => ({ name: "", renames: 0 }),
  setName(command, context) {
    context.updateState({ name: command.name, renames: context.state.renames + 1 });
    return {};
  },
  get: (_command, context) => context.state,
});
