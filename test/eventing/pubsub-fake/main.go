// Command pubsub-fake serves Google's in-memory Pub/Sub server (pstest, from the official Go client library) on a
// loopback port, plaintext, for the eventing tests. It prints "pubsub-fake listening on HOST:PORT" once it accepts
// connections, and runs until SIGTERM or SIGINT. Everything is kept in memory and lost when it stops.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	address := flag.String("address", "127.0.0.1:0", "host:port to listen on (port 0: a free one)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "pubsub-fake: unexpected argument %q (usage: pubsub-fake [-address host:port])\n", flag.Arg(0))
		os.Exit(2)
	}

	server := pstest.NewServerWithAddress(*address)
	// The harness waits for this line: the listener is bound before NewServerWithAddress returns.
	fmt.Printf("pubsub-fake listening on %s\n", server.Addr)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	if err := server.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "pubsub-fake: closing: %v\n", err)
		os.Exit(1)
	}
}
