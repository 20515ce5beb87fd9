package analysis

import (
	"context"
	"errors"
	"math"
	"testing"
)

// edgeGraphs are the degenerate inputs every measure must handle.
func edgeGraphs(t *testing.T) map[string]*Graph {
	t.Helper()
	one := NewGraph(false)
	_ = one.AddNode("a", nil)
	pair := NewGraph(true)
	_ = pair.AddTie("a", "b", 2)
	lonely := NewGraph(true)
	for _, id := range []string{"a", "b", "c"} {
		_ = lonely.AddNode(id, map[string]string{"group": id})
	}
	split := NewGraph(false)
	_ = split.AddTie("a", "b", 1)
	_ = split.AddTie("c", "d", 1)
	_ = split.AddTie("d", "e", 1)
	_ = split.AddNode("f", nil)
	return map[string]*Graph{
		"empty directed":   NewGraph(true),
		"empty undirected": NewGraph(false),
		"one node":         one,
		"one tie":          pair,
		"no ties":          lonely,
		"disconnected":     split,
	}
}

// TestEdgeCasesAreDefined runs every measure on degenerate graphs and checks
// that none panics, errs, or returns NaN or ±Inf, and that each node has a
// score.
func TestEdgeCasesAreDefined(t *testing.T) {
	ctx := context.Background()
	sample := &Sample{K: 1, Seed: 3}
	for name, g := range edgeGraphs(t) {
		t.Run(name, func(t *testing.T) {
			for _, mc := range measureCases {
				s, err := mc.fn(ctx, g)
				// A directed tie a→b has no cycle: the eigenvector iteration
				// converges only polynomially (networkx fails too).
				if err != nil && !(name == "one tie" && errors.Is(err, ErrNoConvergence)) {
					t.Errorf("%s: %v", mc.ref, err)
				}
				checkDefined(t, mc.ref, g, s)
			}
			for _, f := range []struct {
				name string
				fn   func() (Scores, error)
			}{
				{"sampled betweenness", func() (Scores, error) { return g.Betweenness(ctx, BetweennessOptions{Sample: sample}) }},
				{"sampled closeness", func() (Scores, error) { return g.Closeness(ctx, ClosenessOptions{Sample: sample}) }},
				{"sampled harmonic", func() (Scores, error) { return g.Harmonic(ctx, ClosenessOptions{Sample: sample}) }},
				{"weighted pagerank", func() (Scores, error) { return g.PageRank(PageRankOptions{Weights: Weighted}) }},
			} {
				s, err := f.fn()
				if err != nil {
					t.Errorf("%s: %v", f.name, err)
				}
				checkDefined(t, f.name, g, s)
			}
			for _, x := range []float64{g.Density(), g.Transitivity(), g.Reciprocity()} {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Errorf("scalar %v", x)
				}
			}
			s := g.Summary()
			for _, x := range []float64{s.Density, s.AverageDegree, s.AverageClustering, s.Transitivity, s.Reciprocity} {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Errorf("summary %+v", s)
				}
			}
			c, err := g.Louvain(1, 1)
			if err != nil || math.IsNaN(c.Modularity) {
				t.Errorf("louvain: %+v, %v", c, err)
			}
			checkCommunities(t, g, c)
			if q, err := g.Modularity(g.Partition("group"), 1); err != nil || math.IsNaN(q) {
				t.Errorf("modularity %v, %v", q, err)
			}
			ei := g.EIIndex(g.Partition("group"))
			if math.IsNaN(ei.Network.Index) || len(ei.Nodes) != g.NodeCount() {
				t.Errorf("E-I %+v", ei)
			}
			if b := g.Brokerage(g.Partition("group")); len(b) != g.NodeCount() {
				t.Errorf("brokerage has %d entries", len(b))
			}
			for _, f := range []func(context.Context, KeyPeopleOptions) ([]Candidate, error){g.Connectors, g.Mavens, g.Salespeople} {
				cs, err := f(ctx, KeyPeopleOptions{})
				if err != nil {
					t.Errorf("key people: %v", err)
				}
				for _, c := range cs {
					if math.IsNaN(c.Score) {
						t.Errorf("key people: %+v", c)
					}
				}
			}
			if _, err := CompareWaves(g, g); err != nil {
				t.Errorf("compare waves: %v", err)
			}
			if _, err := g.ProjectOnto(g.Nodes()); err != nil {
				t.Errorf("project: %v", err)
			}
		})
	}
}

func checkDefined(t *testing.T, what string, g *Graph, s Scores) {
	t.Helper()
	if len(s) != g.NodeCount() {
		t.Errorf("%s: %d scores for %d nodes", what, len(s), g.NodeCount())
	}
	for id, x := range s {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Errorf("%s: %s = %v", what, id, x)
		}
	}
}

// TestEdgeCaseValues pins the documented values on small graphs.
func TestEdgeCaseValues(t *testing.T) {
	ctx := context.Background()
	gs := edgeGraphs(t)
	one := gs["one node"]
	if d, _ := one.DegreeCentrality(Total); d["a"] != 0 {
		t.Errorf("one node: degree centrality %v, want 0", d["a"])
	}
	if e, _ := one.Eigenvector(EigenvectorOptions{}); e["a"] != 1 {
		t.Errorf("one node: eigenvector %v, want 1", e["a"])
	}
	if p, _ := one.PageRank(PageRankOptions{}); p["a"] != 1 {
		t.Errorf("one node: pagerank %v, want 1", p["a"])
	}
	lonely := gs["no ties"]
	if e, _ := lonely.Eigenvector(EigenvectorOptions{}); math.Abs(e["a"]-1/math.Sqrt(3)) > 1e-12 {
		t.Errorf("no ties: eigenvector %v, want 1/sqrt(3)", e["a"])
	}
	if c, _ := lonely.Constraint(Unweighted); c["a"] != 0 {
		t.Errorf("no ties: constraint %v, want 0", c["a"])
	}
	split := gs["disconnected"]
	c, _ := split.Closeness(ctx, ClosenessOptions{})
	// a reaches b only: (1/1) × (1/5).
	if math.Abs(c["a"]-0.2) > 1e-12 || c["f"] != 0 {
		t.Errorf("disconnected: closeness a %v f %v", c["a"], c["f"])
	}
	b, _ := split.Betweenness(ctx, BetweennessOptions{})
	// d is on the c–e path both ways: 2 / (5 × 4).
	if math.Abs(b["d"]-0.1) > 1e-12 {
		t.Errorf("disconnected: betweenness of d %v, want 0.1", b["d"])
	}
	pair := gs["one tie"]
	p, _ := pair.PageRank(PageRankOptions{})
	if math.Abs(p["a"]+p["b"]-1) > 1e-9 || p["b"] <= p["a"] {
		t.Errorf("one tie: pagerank %v", p)
	}
}
