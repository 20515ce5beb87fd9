// Command exportgen empties a Neo4j and fills it with the synthetic network the export
// benchmark (internal/bench/export.sh) reads: N people in areas of 2,000, each consenting
// to analysis, with a household type and stored degree score, and M KNOWS ties between
// random pairs (a fifth STRONG), recorded in one of two waves. It writes with Cypher's
// own generators in batches, much faster than the validated loader of kith seed, and is
// deterministic (rand() aside: the pairs are drawn by Neo4j, so only their number is
// fixed). Not for a database that holds anything else: it deletes everything first.
//
// With -floor it loads nothing and times the least any export of that network costs: the
// people's ids and the ties' ends streamed through the raw driver, two statements in one
// read transaction, rows counted and dropped.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func main() {
	uri := flag.String("uri", os.Getenv("NEO4J_URI"), "Neo4j to fill (emptied first)")
	people := flag.Int("people", 100_000, "people")
	ties := flag.Int("ties", 500_000, "KNOWS ties")
	floor := flag.Bool("floor", false, "time the raw driver streaming ids and tie ends, load nothing")
	flag.Parse()
	ctx := context.Background()
	d, err := neo4j.NewDriverWithContext(*uri, neo4j.NoAuth())
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close(ctx)
	if *floor {
		timeFloor(ctx, d)
		return
	}
	steps := []struct {
		name, q string
	}{
		{"empty", "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"},
		{"waves", "UNWIND [1, 2] AS i CREATE (:Wave:Entity {id: 'wav_bench' + i, name: 'Wave ' + i, collectedOn: date('2026-01-01') + duration({months: 6 * (i - 1)})})"},
		{"areas", "UNWIND range(0, $people / 2000) AS i CREATE (:Area:Entity {id: 'are_bench' + i, name: 'Area ' + i})"},
		{"people", "UNWIND range(0, $people - 1) AS i CALL (i) { MATCH (a:Area {id: 'are_bench' + (i / 2000)}) " +
			"CREATE (p:Person:Entity {id: 'per_bench' + i, displayName: 'Person ' + i, consentAnalysis: true, " +
			"householdType: ['single', 'couple', 'family'][i % 3], score_degree: toFloat(i % 97) / 97.0})-[:LIVES_IN]->(a) } IN TRANSACTIONS OF 10000 ROWS"},
		{"ties", "UNWIND range(0, $ties - 1) AS i CALL (i) { " +
			"MATCH (a:Person {id: 'per_bench' + toInteger(rand() * $people)}), (b:Person {id: 'per_bench' + toInteger(rand() * $people)}) WHERE a <> b " +
			"CREATE (a)-[:KNOWS {strength: CASE WHEN i % 5 = 0 THEN 'STRONG' ELSE 'WEAK' END, waves: ['wav_bench' + (1 + i % 2)]}]->(b) } IN TRANSACTIONS OF 10000 ROWS"},
	}
	params := map[string]any{"people": *people, "ties": *ties}
	for _, s := range steps {
		start := time.Now()
		sess := d.NewSession(ctx, neo4j.SessionConfig{})
		res, err := sess.Run(ctx, s.q, params, neo4j.WithTxTimeout(time.Hour))
		if err == nil {
			_, err = res.Consume(ctx)
		}
		sess.Close(ctx)
		if err != nil {
			log.Fatalf("%s: %v", s.name, err)
		}
		fmt.Fprintf(os.Stderr, "exportgen: %s in %s\n", s.name, time.Since(start).Round(time.Millisecond))
	}
}

// timeFloor streams the people's ids, then the KNOWS ties' ends, and prints the time of
// the first row and of the whole.
func timeFloor(ctx context.Context, d neo4j.DriverWithContext) {
	sess := d.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead})
	defer sess.Close(ctx)
	for round := range 2 { // the first plans the statements
		start := time.Now()
		var first time.Duration
		rows := 0
		_, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			for _, q := range []string{"MATCH (n:Person) RETURN n.id", "MATCH (a:Person)-[r:KNOWS]->(b:Person) RETURN a.id, b.id"} {
				res, err := tx.Run(ctx, q, nil)
				if err != nil {
					return nil, err
				}
				for res.Next(ctx) {
					if rows == 0 {
						first = time.Since(start)
					}
					rows++
				}
				if err := res.Err(); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		if err != nil {
			log.Fatal(err)
		}
		if round == 1 {
			fmt.Printf("raw driver floor: first row %.2f s, %d rows in %.2f s\n", first.Seconds(), rows, time.Since(start).Seconds())
		}
	}
}
