package bench

import (
	"context"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/internal/neo4jtest"
)

// TestSettleTerminatesLeftovers: a statement still running after a burst (as when a client
// gave up on it) is terminated before the next burst, and settle then returns.
func TestSettleTerminatesLeftovers(t *testing.T) {
	d := neo4jtest.Driver(t, neo4jtest.URI(t))
	db := &database{driver: d, cpu: cpuMeter{pid: -1}}
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := neo4j.ExecuteQuery(ctx, d, "UNWIND range(1, 10000000000) AS x WITH x WHERE x % 7 = -1 RETURN count(x)",
			nil, neo4j.EagerResultTransformer)
		done <- err
	}()
	time.Sleep(1500 * time.Millisecond) // past the second after which settle terminates
	n, err := db.settle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n < 1 {
		t.Errorf("terminated %d transactions, want the long statement", n)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("the long statement ran to the end")
		}
	case <-time.After(10 * time.Second):
		t.Error("the long statement still runs after settle")
	}
	if n, err := db.settle(ctx); err != nil || n != 0 {
		t.Errorf("a quiet database: terminated %d, %v", n, err)
	}
}
