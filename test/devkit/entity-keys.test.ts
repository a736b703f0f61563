/** Telling entities apart by their requests' entity keys, as the test environment does to bound first calls. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, setExtension, toBinary } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptionsSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import Long from "long";
import { maybeSnakeToCamel } from "ts-proto/build/src/case.js";
import { entityOfCall } from "../../devkit/environment/entity-keys.js";
import { entity_key } from "../../plugin/gen/cloudstate/entity_key_pb.js";
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

/** A service k.S with rpc Get taking k.Req, whose `key_fields` are marked as entity keys (in `oneof` if given). */
function keyedService(fields: { name: string; type: FieldDescriptorProto_Type; key: boolean; oneof?: number }[]) {
  const options = create(FieldOptionsSchema);
  setExtension(options, entity_key, true);
  const set = create(FileDescriptorSetSchema, {
    file: [
      {
        name: "k.proto",
        package: "k",
        syntax: "proto3",
        messageType: [
          {
            name: "Req",
            field: fields.map((field, i) => ({
              name: field.name,
              number: i + 1,
              type: field.type,
              label: FieldDescriptorProto_Label.OPTIONAL,
              jsonName: maybeSnakeToCamel(field.name, { snakeToCamel: ["keys"] }),
              ...(field.oneof === undefined ? {} : { oneofIndex: field.oneof }),
              ...(field.key ? { options } : {}),
            })),
            oneofDecl: fields.some((field) => field.oneof !== undefined) ? [{ name: "the_id" }] : [],
          },
        ],
        service: [{ name: "S", method: [{ name: "Get", inputType: ".k.Req", outputType: ".k.Req" }] }],
      },
    ],
  });
  return entityOfCall([{ serviceName: "k.S", descriptorSet: toBinary(FileDescriptorSetSchema, set) }]);
}

describe("entityOfCall, every kind of key", () => {
  const { STRING, INT64, BYTES, BOOL } = FieldDescriptorProto_Type;

  it("reads numbers (Long included), booleans and bytes, and several keys in order", () => {
    const entityOf = keyedService([
      { name: "shard_no", type: INT64, key: true },
      { name: "raw", type: BYTES, key: true },
      { name: "active", type: BOOL, key: true },
      { name: "note", type: STRING, key: false },
    ]);
    const path = "/k.S/Get";
    const request = { shardNo: Long.fromString("9007199254740993"), raw: Uint8Array.of(1, 2), active: true, note: "x" };
    assert.equal(entityOf(path, request), 'k.S ["9007199254740993","AQI=","true"]');
    assert.equal(entityOf(path, { ...request, note: "other" }), entityOf(path, request), "not a key: ignored");
    assert.notEqual(entityOf(path, { ...request, shardNo: Long.fromNumber(1) }), entityOf(path, request));
  });

  it("reads a key in a oneof from ts-proto's { $case, value }, and only for its own case", () => {
    const entityOf = keyedService([
      { name: "user_name", type: STRING, key: true, oneof: 0 },
      { name: "user_no", type: INT64, key: false, oneof: 0 },
    ]);
    const ann = entityOf("/k.S/Get", { theId: { $case: "userName", value: "ann" } });
    assert.equal(ann, 'k.S ["ann"]');
    assert.notEqual(entityOf("/k.S/Get", { theId: { $case: "userName", value: "bob" } }), ann);
    assert.equal(entityOf("/k.S/Get", { theId: { $case: "userNo", value: 5 } }), 'k.S [""]');
  });
});

describe("fieldKey", () => {
  it("gives ts-proto's own property names", () => {
    for (const name of ["user_id", "USER_ID", "userId", "cart", "a__b", "_foo", "foo_", "FOO_bar", "HTTP_url", "ID"]) {
      assert.equal(fieldKey(name), maybeSnakeToCamel(name, { snakeToCamel: ["keys"] }), name);
    }
  });
});
