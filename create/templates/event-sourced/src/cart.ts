// The shopping cart's logic. A command handler checks the command and emits events; an event handler builds the
// new state from the old one and an event (the proxy replays the events to rebuild a cart).
import { Cart } from "../gen/cart/cart.js";
import { shoppingCartEntity, type ShoppingCartHandlers } from "../gen/cart/cart_cloudstate.js";

export const shoppingCartHandlers: ShoppingCartHandlers = {
  initialState: () => Cart.create(),

  addItem(command, context) {
    if (command.quantity < 1) {
      context.fail(`Cannot add a quantity of ${command.quantity} of ${command.productId}`);
    }
    context.emit({
      $type: "cart.ItemAdded",
      item: { $type: "cart.LineItem", productId: command.productId, name: command.name, quantity: command.quantity },
    });
    return {};
  },

  removeItem(command, context) {
    if (!context.state.items.some((item) => item.productId === command.productId)) {
      context.fail(`Cannot remove ${command.productId}: it is not in the cart`);
    }
    context.emit({ $type: "cart.ItemRemoved", productId: command.productId });
    return {};
  },

  getCart: (_command, context) => context.state,

  onItemAdded(state, event) {
    const added = event.item;
    if (added === undefined) return state;
    const existing = state.items.find((item) => item.productId === added.productId);
    const items =
      existing === undefined
        ? [...state.items, added]
        : state.items.map((item) =>
            item.productId === added.productId ? { ...item, quantity: item.quantity + added.quantity } : item,
          );
    return { ...state, items };
  },

  onItemRemoved: (state, event) => ({
    ...state,
    items: state.items.filter((item) => item.productId !== event.productId),
  }),
};

export const shoppingCart = shoppingCartEntity(shoppingCartHandlers);
