package cypher

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/internal/neo4jtest"
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
// deadline, as a single read (auto-commit) and in a transaction function: the caller gets
// UNAVAILABLE, and Neo4j no longer runs the transaction.
func TestDeadlineStopsWorkInNeo4j(t *testing.T) {
	d := neo4jtest.Driver(t, neo4jtest.URI(t))
	s := New(d, Options{})
	const long = "UNWIND range(1, 10000000000) AS x WITH x WHERE x % 7 = -1 RETURN count(x)"
	for _, c := range []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"single read", func(ctx context.Context) error { _, err := s.query(ctx, long, nil); return err }},
		{"transaction", func(ctx context.Context) error {
			_, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) { return s.run(ctx, tx, long, nil) })
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			if err := c.run(ctx); !isCode(err, apierr.CodeTimeout) {
				t.Fatalf("got %v, want TIMEOUT", err)
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
		})
	}
}

func isCode(err error, code apierr.Code) bool {
	e, ok := apierr.As(err)
	return ok && e.Code == code
}

// TestSingleReadIsNotRetriedOnClientErrors: a statement Neo4j refuses is sent once, and
// the error keeps only Neo4j's status code.
func TestSingleReadIsNotRetriedOnClientErrors(t *testing.T) {
	s := New(neo4jtest.Driver(t, neo4jtest.URI(t)), Options{})
	before := s.RoundTrips()
	_, err := s.query(context.Background(), "RETURN 1 / $zero", map[string]any{"zero": 0})
	if err == nil {
		t.Fatal("a division by zero was answered")
	}
	if got := s.RoundTrips() - before; got != 1 {
		t.Errorf("sent %d times, want once", got)
	}
	if want := "neo4j Neo.ClientError.Statement.ArithmeticError"; !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "zero") {
		t.Errorf("error %q, want only %q", err, want)
	}
}
