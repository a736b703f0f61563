/** Telling entities apart by their requests' entity keys, as the test environment does to bound first calls. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { entityOfCall } from "../../runtime/testkit/entity-keys.js";
import { fieldKey } from "../../plugin/names.js";
import { shoppingCart } from "../../examples/shopping-cart/src/cart.js";

const ADD_ITEM = "/com.example.shoppingcart.ShoppingCart/AddItem";
const GET_CART = "/com.example.shoppingcart.ShoppingCart/GetCart";

describe("entityOfCall", () => {
  const entityOf = entityOfCall([shoppingCart]);

  it("names the service and the key values, the same for every command of one entity", () => {
    const added = entityOf(ADD_ITEM, { userId: "ann", productId: "apple", name: "Apple", quantity: 1 });
    assert.equal(added, 'com.example.shoppingcart.ShoppingCart ["ann"]');
    assert.equal(entityOf(GET_CART, { userId: "ann" }), added);
  });

  it("tells two entities of one service apart", () => {
    assert.notEqual(entityOf(GET_CART, { userId: "ann" }), entityOf(GET_CART, { userId: "bob" }));
  });

  it("reads a key left out as the field's default, as the proxy does", () => {
    assert.equal(entityOf(GET_CART, {}), 'com.example.shoppingcart.ShoppingCart [""]');
  });

  it("knows no method of a service it was not given, nor a request that is not an object", () => {
    assert.equal(entityOf("/other.Service/Get", { userId: "ann" }), undefined);
    assert.equal(entityOf(GET_CART, undefined), undefined);
  });
});

describe("fieldKey", () => {
  it("gives ts-proto's property names", () => {
    assert.equal(fieldKey("user_id"), "userId");
    assert.equal(fieldKey("USER_ID"), "userId");
    assert.equal(fieldKey("userId"), "userId");
    assert.equal(fieldKey("cart"), "cart");
  });
});
