package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"kith/auth"
	"kith/cypher"
	"kith/internal/neo4jtest"
	"kith/seed"
	"kith/server"
)

// BenchmarkQuestions measures the question queries through the HTTP API over a synthetic
// community from the seed generator, reporting p50 and p99 latency. It needs a Neo4j it
// may fill: KITH_BENCH_NEO4J_URI (skipped otherwise), and KITH_BENCH_PEOPLE (default
// 10000). The community is loaded once and kept while its size matches. Ten requests
// per query warm Neo4j's plan cache before the measured ones.
//
//	KITH_BENCH_NEO4J_URI=bolt://127.0.0.1:7690 KITH_BENCH_PEOPLE=100000 \
//	  go test -run XXX -bench Questions -benchtime 200x ./server
func BenchmarkQuestions(b *testing.B) {
	uri, people := neo4jtest.BenchDatabase(b)
	ctx := context.Background()
	driver := neo4jtest.Driver(b, uri)
	store := cypher.New(driver, cypher.Options{})
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	g := seed.Synthetic(people, 1)
	neo4jtest.EnsurePeople(b, driver, g.People(), func() error { return g.Load(ctx, store, nil) })
	var persons, consenting, activities []string
	for _, n := range g.Nodes {
		switch n.Label {
		case "Person":
			persons = append(persons, n.ID)
			if n.Props["consentSuggestions"] == true {
				consenting = append(consenting, n.ID)
			}
		case "Group":
			if a, ok := n.Props["activity"].(string); ok && !slices.Contains(activities, a) {
				activities = append(activities, a)
			}
		}
	}
	sample := func(i int) string { return persons[(i*7919)%len(persons)] }
	cfg := server.DefaultConfig()
	verifier, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		b.Fatal(err)
	}
	cfg.Verifier, cfg.RateLimit = verifier, 0
	api := server.New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(api.Handler())
	defer func() { srv.Close(); api.Close() }()
	e := &env{srv: srv, store: store, driver: driver, token: mint(b, "bench", []auth.Role{auth.Worker}, areaIDs(g))}
	queries := []struct {
		name  string
		query func(i int) (string, map[string]any)
	}{
		{"shortestTrustedPath", func(i int) (string, map[string]any) {
			return `query($p: ID!, $a: String!) { shortestTrustedPath(from: $p, to: {activity: $a}) { length steps { node { id } tie { kind } } } }`,
				map[string]any{"p": sample(i), "a": activities[i%len(activities)]}
		}},
		{"linksToAuthority", func(i int) (string, map[string]any) {
			return `query($p: ID!) { linksToAuthority(person: $p) { reachable links { routeCount node { id } } } }`, map[string]any{"p": sample(i)}
		}},
		{"trustedContacts", func(i int) (string, map[string]any) {
			return `query($p: ID!) { trustedContacts(person: $p) { why node { id } } }`, map[string]any{"p": sample(i)}
		}},
		{"egoNetwork", func(i int) (string, map[string]any) {
			return `query($p: ID!) { egoNetwork(id: $p, hops: 2) { nodes { hops node { id } } ties { kind } } }`, map[string]any{"p": sample(i)}
		}},
		{"reach", func(i int) (string, map[string]any) {
			return `query($p: [ID!]!) { reach(people: $p, hops: 3) { people } }`, map[string]any{"p": []string{sample(i), sample(i + 1), sample(i + 2)}}
		}},
		{"isolates", func(i int) (string, map[string]any) {
			return `{ isolates(first: 50, maxTies: 1) { totalCount edges { ties node { id } } } }`, nil
		}},
		{"suggestions", func(i int) (string, map[string]any) {
			return `query($p: ID!) { suggestions(person: $p, first: 5) { groupId sharedInterests knownMembers nearby score } }`,
				map[string]any{"p": consenting[(i*7919)%len(consenting)]}
		}},
		{"familiarStrangers", func(i int) (string, map[string]any) {
			return `{ familiarStrangers(first: 20) { isolatedSeen familiarStranger { id } } }`, nil
		}},
	}
	for _, q := range queries {
		b.Run(fmt.Sprintf("%s/%d", q.name, people), func(b *testing.B) {
			e := e.with(b)
			// Warm up: the first requests compile Neo4j's plans and fill its page cache.
			for i := 0; i < 10; i++ {
				query, vars := q.query(b.N + i)
				e.do(query, vars)
			}
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				query, vars := q.query(i)
				start := time.Now()
				r := e.do(query, vars)
				lat = append(lat, time.Since(start))
				if len(r.Errors) > 0 {
					b.Fatalf("%s: %+v", q.name, r.Errors)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99_ms")
		})
	}
}

// areaIDs lists the ids of a generated community's areas: a worker covering them all reads
// as a real worker does, with the area predicate in every statement.
func areaIDs(g *seed.Graph) []string {
	var ids []string
	for _, n := range g.Nodes {
		if n.Label == "Area" {
			ids = append(ids, n.ID)
		}
	}
	return ids
}
