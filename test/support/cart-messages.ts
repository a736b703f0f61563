/** Builders for the stream messages a proxy sends to the shopping cart, for protocol tests. */
import Long from "long";
import { packMessage } from "../../runtime/any.js";
import type { Any } from "../../runtime/any.js";
import type { EventSourcedStreamIn } from "../../gen/cloudstate/event_sourced.js";
import type { DeepPartial } from "../../gen/typeRegistry.js";
import {
  AddLineItem,
  GetShoppingCart,
  RemoveLineItem,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/shoppingcart.js";
import {
  Cart,
  ItemAdded,
  ItemRemoved,
} from "../../examples/shopping-cart/gen/com/example/shoppingcart/persistence/domain.js";

export const SERVICE = "com.example.shoppingcart.ShoppingCart";

type In = DeepPartial<EventSourcedStreamIn>;

export function init(entityId: string, snapshot?: { sequence: number; items: [string, number][] }): In {
  return {
    message: {
      $case: "init",
      value: {
        serviceName: SERVICE,
        entityId,
        snapshot:
          snapshot === undefined
            ? undefined
            : {
                snapshotSequence: snapshot.sequence,
                snapshot: packMessage(Cart, {
                  items: snapshot.items.map(([productId, quantity]) => ({ productId, name: productId, quantity })),
                }),
              },
      },
    },
  };
}

export function added(sequence: number, productId: string, quantity: number): In {
  return {
    message: {
      $case: "event",
      value: { sequence, payload: packMessage(ItemAdded, { item: { productId, name: productId, quantity } }) },
    },
  };
}

export function removed(sequence: number, productId: string): In {
  return { message: { $case: "event", value: { sequence, payload: packMessage(ItemRemoved, { productId }) } } };
}

export function command(id: number, entityId: string, name: string, payload: Any | undefined): In {
  return { message: { $case: "command", value: { id: Long.fromNumber(id), entityId, name, payload } } };
}

export function addItem(id: number, userId: string, productId: string, quantity: number): In {
  return command(id, userId, "AddItem", packMessage(AddLineItem, { userId, productId, name: productId, quantity }));
}

export function removeItem(id: number, userId: string, productId: string): In {
  return command(id, userId, "RemoveItem", packMessage(RemoveLineItem, { userId, productId }));
}

export function getCart(id: number, userId: string): In {
  return command(id, userId, "GetCart", packMessage(GetShoppingCart, { userId }));
}
