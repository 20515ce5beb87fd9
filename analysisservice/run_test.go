package analysisservice_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/analysisservice"
	"kith/cypher"
	"kith/internal/neo4jtest"
	"kith/nodeid"
)

// TestRunManyBatches stores a run over more nodes than one write transaction of
// SaveAnalysisRun scores (5,000), so it spans several: every node must carry its score
// and the run's id, and the run must be stored with its best scores.
func TestRunManyBatches(t *testing.T) {
	ctx := context.Background()
	driver := neo4jtest.Driver(t, neo4jtest.URI(t))
	neo4jtest.Reset(t, driver)
	store := cypher.New(driver, cypher.Options{})
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// A chain of 12,001 people: three batches, the last of one node.
	const people = 12_001
	nodes := make([]cypher.LoadNode, people)
	ties := make([]cypher.LoadTie, people-1)
	for i := range nodes {
		key := fmt.Sprintf("p%05d", i)
		nodes[i] = cypher.LoadNode{Label: "Person", ID: nodeid.FromKey("Person", key), Props: map[string]any{"externalId": key}}
		if i > 0 {
			ties[i-1] = cypher.LoadTie{Kind: "KNOWS", From: nodes[i-1].ID, To: nodes[i].ID, Props: map[string]any{"strength": "WEAK"}}
		}
	}
	if err := store.Load(ctx, nodes, ties, nil); err != nil {
		t.Fatal(err)
	}
	svc := analysisservice.New(store, analysisservice.Options{})
	run, err := svc.Run(ctx, cypher.Scope{}, analysisservice.Scope{}, []analysisservice.Measure{analysisservice.Degree, analysisservice.PageRank}, analysisservice.Sampling{})
	if err != nil {
		t.Fatal(err)
	}
	if run.Nodes != people {
		t.Fatalf("run over %d nodes, want %d", run.Nodes, people)
	}
	// Degree centrality on a chain: 1/(n-1) at the two ends, 2/(n-1) inside, summing to 2.
	res, err := neo4j.ExecuteQuery(ctx, driver,
		"MATCH (p:Person) WHERE p.score_degree_run = $run AND p.score_pagerank_run = $run "+
			"RETURN count(p), sum(p.score_degree), min(p.score_pagerank) > 0",
		map[string]any{"run": run.ID}, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	v := res.Records[0].Values
	if v[0].(int64) != people || math.Abs(v[1].(float64)-2) > 1e-9 || v[2] != true {
		t.Errorf("%v people carry the run, their degrees sum to %v, every PageRank > 0: %v; want %d, 2, true", v[0], v[1], v[2], people)
	}
	stored, err := store.AnalysisRunByID(ctx, run.ID)
	if err != nil || stored == nil {
		t.Fatalf("stored run: %+v, %v", stored, err)
	}
	top := stored.Top["degree"]
	if len(stored.Measures) != 2 || len(top) != cypher.MaxRunTop || math.Abs(top[0].Value-2.0/(people-1)) > 1e-12 {
		t.Errorf("stored run: measures %v, %d best degrees, first %+v", stored.Measures, len(top), top[0])
	}
}
