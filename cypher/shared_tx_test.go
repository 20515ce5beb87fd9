package cypher

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/internal/neo4jtest"
)

// TestInOneTransactionRetriesADeadlock makes InOneTransaction's transaction close a
// deadlock with another one: Neo4j aborts it as retryable, and the whole function runs
// again once the other has committed, so both sets of writes are kept.
func TestInOneTransactionRetriesADeadlock(t *testing.T) {
	d := neo4jtest.Driver(t, neo4jtest.URI(t))
	neo4jtest.Reset(t, d)
	s := New(d, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := neo4j.ExecuteQuery(ctx, d, "CREATE (:DeadlockTest {name: 'a'}), (:DeadlockTest {name: 'b'})", nil, neo4j.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	set := func(name, by string) func(tx neo4j.ManagedTransaction) (any, error) {
		return func(tx neo4j.ManagedTransaction) (any, error) {
			res, err := tx.Run(ctx, "MATCH (n:DeadlockTest {name: $name}) SET n.by = coalesce(n.by, []) + $by", map[string]any{"name": name, "by": by})
			if err != nil {
				return nil, err
			}
			return res.Consume(ctx)
		}
	}
	// The other transaction holds a, then waits for b.
	other := d.NewSession(ctx, neo4j.SessionConfig{})
	defer other.Close(ctx)
	otx, err := other.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set("a", "other")(otx); err != nil {
		t.Fatal(err)
	}
	otherDone := make(chan error, 1)
	attempts := 0
	err = s.InOneTransaction(ctx, func(ctx context.Context) error {
		attempts++
		if _, err := s.write(ctx, set("b", "shared")); err != nil {
			return err
		}
		if attempts == 1 {
			go func() {
				_, err := set("b", "other")(otx) // waits for the shared transaction's lock on b
				if err == nil {
					err = otx.Commit(ctx)
				}
				otherDone <- err
			}()
			time.Sleep(300 * time.Millisecond) // let the other transaction wait for b first
		}
		_, err := s.write(ctx, set("a", "shared")) // closes the cycle on the first attempt
		if attempts == 1 && err == nil {
			return errors.New("the first attempt was not aborted by the deadlock")
		}
		if attempts == 1 {
			if e, ok := apierr.As(err); !ok || e.Code != apierr.CodeUnavailable {
				t.Errorf("the deadlock reached the function as %v, want UNAVAILABLE", err)
			}
		}
		return err
	})
	if err != nil {
		t.Fatalf("InOneTransaction: %v", err)
	}
	if err := <-otherDone; err != nil {
		t.Fatalf("the other transaction: %v", err)
	}
	if attempts != 2 {
		t.Errorf("the function ran %d times, want 2", attempts)
	}
	res, err := neo4j.ExecuteQuery(ctx, d, "MATCH (n:DeadlockTest) RETURN n.name AS name, n.by AS by ORDER BY name", nil, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, r := range res.Records {
		got[r.Values[0].(string)] = r.Values[1]
	}
	for _, name := range []string{"a", "b"} {
		by, _ := got[name].([]any)
		if len(by) != 2 {
			t.Errorf("%s was written by %v, want the other transaction and the retried one", name, by)
		}
	}
}
