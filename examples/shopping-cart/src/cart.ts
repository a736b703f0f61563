/**
 * The shopping cart's business logic. Everything else (decoding, the protocol, persistence) is generated or
 * done by the runtime and the proxy.
 */
import {
  ItemAdded,
  ItemRemoved,
  LineItem as StoredLineItem,
} from "../gen/com/example/shoppingcart/persistence/domain.js";
import {
  shoppingCartEntity,
  type ShoppingCartHandlers,
} from "../gen/com/example/shoppingcart/shoppingcart_cloudstate.js";
import { Cart } from "../gen/com/example/shoppingcart/persistence/domain.js";

export const shoppingCartHandlers: ShoppingCartHandlers = {
  initialState: () => Cart.create(),

  addItem(command, context) {
    if (command.quantity <= 0) context.fail(`Cannot add a quantity of ${command.quantity} of ${command.productId}`);
    context.emit(
      ItemAdded.create({
        item: { productId: command.productId, name: command.name, quantity: command.quantity },
      }),
    );
    return {};
  },

  removeItem(command, context) {
    if (!context.state.items.some((item) => item.productId === command.productId)) {
      context.fail(`Cannot remove item ${command.productId}: it is not in the cart`);
    }
    context.emit(ItemRemoved.create({ productId: command.productId }));
    return {};
  },

  getCart(_command, context) {
    return {
      items: context.state.items.map((item) => ({
        productId: item.productId,
        name: item.name,
        quantity: item.quantity,
      })),
    };
  },

  onItemAdded(state, event) {
    const added = event.item ?? StoredLineItem.create();
    const existing = state.items.find((item) => item.productId === added.productId);
    if (existing === undefined) return { ...state, items: [...state.items, added] };
    return {
      ...state,
      items: state.items.map((item) =>
        item === existing ? { ...item, quantity: item.quantity + added.quantity } : item,
      ),
    };
  },

  // New state may be a plain object: the runtime fills in the message's $type.
  onItemRemoved: (state, event) => ({ items: state.items.filter((item) => item.productId !== event.productId) }),
};

/** The shopping cart entity, ready for `serve`. */
export const shoppingCart = shoppingCartEntity(shoppingCartHandlers);
