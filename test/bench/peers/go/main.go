// The shopping cart on the Cloudstate Go support (github.com/cloudstateio/go-support, from the Go module
// proxy), served on HOST:PORT, for side-by-side benchmarks. The entity is the Go support's own shopping cart
// example; this program only registers and serves it, as its documentation shows.
package main

import (
	"log"

	"github.com/cloudstateio/go-support/cloudstate"
	"github.com/cloudstateio/go-support/cloudstate/eventsourced"
	"github.com/cloudstateio/go-support/cloudstate/protocol"
	"github.com/cloudstateio/go-support/example/shoppingcart"
)

func main() {
	server, err := cloudstate.New(protocol.Config{ServiceName: "shopping-cart", ServiceVersion: "0.1.0"})
	if err != nil {
		log.Fatalf("cloudstate.New: %v", err)
	}
	err = server.RegisterEventSourced(&eventsourced.Entity{
		ServiceName:   "com.example.shoppingcart.ShoppingCart",
		PersistenceID: "shopping-cart",
		EntityFunc:    shoppingcart.NewShoppingCart,
		SnapshotEvery: 5,
	}, protocol.DescriptorConfig{Service: "shoppingcart.proto"}.AddDomainDescriptor("domain.proto"))
	if err != nil {
		log.Fatalf("RegisterEventSourced: %v", err)
	}
	log.Printf("go user function listening")
	if err := server.Run(); err != nil {
		log.Fatalf("Run: %v", err)
	}
}
