package cypher_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/cypher"
	"kith/internal/neo4jtest"
)

// BenchmarkPageDepth reads pages 1, 500 and 1,000 of people, 100 a page, without a count:
// with keyset cursors a page seeks to its cursor, so that its cost does not grow with its
// depth. Ascending by name is read along the name's index; descending by name sorts every
// match after the cursor. Every tenth person is unnamed (nulls sort last: page 1,000 of
// 100,000 ascending is among them, page 500 among the named). It needs a
// Neo4j it may fill (KITH_BENCH_NEO4J_URI, KITH_BENCH_PEOPLE, default 10,000; see
// neo4jtest.BenchDatabase), and keeps the people between runs.
//
//	KITH_BENCH_NEO4J_URI=bolt://127.0.0.1:7701 KITH_BENCH_PEOPLE=100000 \
//	  go test -run XXX -bench PageDepth -benchtime 50x ./cypher
func BenchmarkPageDepth(b *testing.B) {
	uri, people := neo4jtest.BenchDatabase(b)
	ctx := context.Background()
	driver := neo4jtest.Driver(b, uri)
	store := cypher.New(driver, cypher.Options{})
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	neo4jtest.EnsurePeople(b, driver, people, func() error {
		for from := 0; from < people; from += 10_000 {
			_, err := neo4j.ExecuteQuery(ctx, driver, `UNWIND range($from, $to - 1) AS i
CREATE (:Person:Entity {id: 'per_b' + i, displayName: CASE WHEN i % 10 = 9 THEN null ELSE 'Resident ' + (i * 7919 % $n) END})`,
				map[string]any{"from": from, "to": min(from+10_000, people), "n": people}, neo4j.EagerResultTransformer)
			if err != nil {
				return err
			}
		}
		return nil
	})
	const size, depth = 100, 1000
	for _, dir := range []string{"ASC", "DESC"} {
		order := []map[string]any{{"field": "DISPLAY_NAME", "direction": dir}}
		read := func(after *string, first int) *cypher.Page {
			p, err := store.List(ctx, "Person", cypher.ListArgs{PageArgs: cypher.PageArgs{First: &first, After: after}, OrderBy: order}, nil, false)
			if err != nil {
				b.Fatal(err)
			}
			return p
		}
		// The cursors that start pages 500 and 1,000: walk there 500 rows at a time.
		var mid, deep *string
		for done := 0; done < size*(depth-1); done += 500 {
			deep = read(deep, min(500, size*(depth-1)-done)).PageInfo.EndCursor
			if done+500 == size*(depth/2-1) {
				mid = deep
			}
		}
		for _, tc := range []struct {
			page  int
			after *string
		}{{1, nil}, {depth / 2, mid}, {depth, deep}} {
			b.Run(fmt.Sprintf("%s/page-%d", dir, tc.page), func(b *testing.B) {
				for range b.N {
					if p := read(tc.after, size); len(p.Records) != size {
						b.Fatalf("page of %d", len(p.Records))
					}
				}
			})
		}
	}
}
