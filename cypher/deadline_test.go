package cypher

import (
	"context"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/neo4jtest"
)

// TestTxConfigCarriesDeadline checks that a request's deadline becomes the transaction
// timeout sent to Neo4j, and that no deadline sends none.
func TestTxConfigCarriesDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var cfg neo4j.TransactionConfig
	for _, f := range txConfig(ctx) {
		f(&cfg)
	}
	if cfg.Timeout <= time.Second || cfg.Timeout > 2*time.Second {
		t.Errorf("timeout %v, want the 2 s left", cfg.Timeout)
	}
	if got := txConfig(context.Background()); len(got) != 0 {
		t.Errorf("no deadline gave %d options", len(got))
	}
}

// TestDeadlineStopsWorkInNeo4j runs a statement that would take minutes under a short
// deadline: the caller gets UNAVAILABLE, and Neo4j no longer runs the transaction.
func TestDeadlineStopsWorkInNeo4j(t *testing.T) {
	d := neo4jtest.Driver(t, neo4jtest.URI(t))
	s := New(d, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return s.run(ctx, tx, "UNWIND range(1, 10000000000) AS x WITH x WHERE x % 7 = -1 RETURN count(x)", nil)
	})
	if e, ok := apierr.As(err); !ok || e.Code != apierr.Unavailable {
		t.Fatalf("got %v, want UNAVAILABLE", err)
	}
	for i := 0; ; i++ {
		res, err := neo4j.ExecuteQuery(context.Background(), d,
			`SHOW TRANSACTIONS YIELD currentQuery
			 WHERE currentQuery CONTAINS 'range(1, 10000000000)' AND NOT currentQuery CONTAINS 'SHOW'
			 RETURN count(*)`, nil, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		if res.Records[0].Values[0].(int64) == 0 {
			return
		}
		if i == 50 {
			t.Fatal("the transaction still runs in Neo4j after its deadline")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
