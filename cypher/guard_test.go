package cypher

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/internal/neo4jtest"
)

// TestGatesShareNeo4j: statements under a gate run at most its slots at once, and one that
// waits past its deadline is a TIMEOUT naming whose share is used up.
func TestGatesShareNeo4j(t *testing.T) {
	d := neo4jtest.Driver(t, neo4jtest.URI(t))
	s := New(d, Options{})
	const slow = `UNWIND range(1, 4000000) AS gated RETURN count(gated)`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx = WithGates(ctx, NewGate(2, "this request"))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.query(ctx, slow, nil)
			errs <- err
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	peak, polls := 0, 0
poll:
	for {
		select {
		case <-done:
			break poll
		default:
		}
		res, err := neo4j.ExecuteQuery(context.Background(), d,
			`SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS 'AS gated' AND NOT currentQuery CONTAINS 'SHOW' RETURN count(*)`,
			nil, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := res.Records[0].Values[0].(int64)
		peak, polls = max(peak, int(n)), polls+1
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a gated statement failed: %v", err)
		}
	}
	if peak > 2 || peak == 0 {
		t.Errorf("at most %d statements ran at once (over %d polls), want 1 or 2", peak, polls)
	}

	// Every slot taken: the next statement waits out its deadline and says why.
	g := NewGate(1, "this token")
	if err := g.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(WithGates(context.Background(), g), 100*time.Millisecond)
	defer cancel2()
	_, err := s.query(short, "RETURN 1", nil)
	if e, ok := apierr.As(err); !ok || e.Code != apierr.CodeTimeout {
		t.Errorf("a statement with no slot: %v, want TIMEOUT", err)
	}
	g.release()
	if _, err := s.query(WithGates(context.Background(), g), "RETURN 1", nil); err != nil {
		t.Errorf("after a release: %v", err)
	}
}
