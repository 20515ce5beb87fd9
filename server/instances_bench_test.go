package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/cypher"
	"kith/internal/neo4jtest"
)

// BenchmarkInstanceChecks measures what running several instances costs a request, and
// what a rate limit kept in Neo4j would add (docs/instances.md):
//
//   - baseline: RETURN 1, the least a statement costs;
//
//   - callerCheck: the statement every request runs to read revocations and the purge
//     generation (cypher.Store.CheckCaller);
//
//   - sharedBucket: the write transaction a per-token bucket shared through Neo4j would
//     need on every request (read, refill and take a token, under the node's write
//     lock), which is why the rate limit stays in each instance's memory.
//
//     NEO4J_URI=bolt://127.0.0.1:7741 go test -run XXX -bench InstanceChecks -benchtime 2000x ./server
func BenchmarkInstanceChecks(b *testing.B) {
	ctx := context.Background()
	driver := neo4jtest.Driver(b, neo4jtest.URI(b))
	store := cypher.New(driver, cypher.Options{})
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := neo4j.ExecuteQuery(ctx, driver, "RETURN 1", nil, neo4j.EagerResultTransformer,
				neo4j.ExecuteQueryWithReadersRouting()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("callerCheck", func(b *testing.B) {
		issued := time.Now()
		for b.Loop() {
			if _, err := store.CheckCaller(ctx, "bench-subject", issued); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sharedBucket", func(b *testing.B) {
		defer func() {
			_, _ = neo4j.ExecuteQuery(ctx, driver, "MATCH (n:KithBenchBucket) DELETE n", nil, neo4j.EagerResultTransformer)
		}()
		params := map[string]any{"key": "bench-token", "rate": 50.0, "burst": 100.0}
		for b.Loop() {
			params["now"] = time.Now().UTC()
			if _, err := neo4j.ExecuteQuery(ctx, driver, `MERGE (t:KithBenchBucket {key: $key})
ON CREATE SET t.tokens = $burst, t.at = $now
WITH t, CASE WHEN t.tokens + duration.inSeconds(t.at, $now).seconds * $rate > $burst THEN $burst
  ELSE t.tokens + duration.inSeconds(t.at, $now).seconds * $rate END AS tokens
SET t.tokens = CASE WHEN tokens >= 1 THEN tokens - 1 ELSE tokens END, t.at = $now
RETURN tokens >= 1`, params, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithWritersRouting()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
