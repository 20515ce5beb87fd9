package neo4jtest

import (
	"testing"

	"kith/internal/boltcount"
)

// Proxy is a TCP proxy in front of Neo4j's Bolt port that counts the RUN messages clients
// send: one per Cypher statement, whichever code sent it. Tests use it to check round
// trips independently of Kith's own counters. It is a boltcount.Proxy.
type Proxy = boltcount.Proxy

// StartProxy starts a counting proxy to the Bolt URI's host and returns it; its URI()
// is bolt:// to the proxy. It stops when the test ends.
func StartProxy(t testing.TB, boltURI string) *Proxy {
	t.Helper()
	p, err := boltcount.Start(boltURI)
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}
