package analysisservice

import (
	"testing"

	"kith/cypher"
)

// TestBuildGraph checks how stored ties become the analysis graph's ties: one per pair
// (and direction), a kind counted once whatever the waves, kinds added when weighted.
func TestBuildGraph(t *testing.T) {
	nodes := []cypher.ProjectedNode{{ID: "a", Label: "Person"}, {ID: "b", Label: "Person"}, {ID: "c", Label: "Person"}}
	const knows, trusts = 0, 1
	ties := []cypher.ProjectedTie{
		{From: 0, To: 1, Kind: knows, Strong: true}, // a KNOWS b, STRONG, in wave 1
		{From: 0, To: 1, Kind: knows, Strong: true}, // the same, in wave 2
		{From: 0, To: 1, Kind: trusts},              // a TRUSTS b
		{From: 1, To: 0, Kind: knows},               // b KNOWS a, WEAK
		{From: 1, To: 2, Kind: trusts},              // b TRUSTS c (for help)
		{From: 1, To: 2, Kind: trusts},              // b TRUSTS c (for advice)
	}
	type weight struct {
		from, to string
		want     float64
	}
	tests := []struct {
		name               string
		directed, weighted bool
		ties               int
		weights            []weight
	}{
		{"directed unweighted", true, false, 3, []weight{{"a", "b", 1}, {"b", "a", 1}, {"b", "c", 1}}},
		{"directed weighted", true, true, 3, []weight{{"a", "b", 3}, {"b", "a", 1}, {"b", "c", 1}}},
		{"undirected unweighted", false, false, 2, []weight{{"a", "b", 1}, {"b", "c", 1}}},
		// a–b: KNOWS strong (2, the strongest of a→b and b→a) + TRUSTS (1).
		{"undirected weighted", false, true, 2, []weight{{"a", "b", 3}, {"c", "b", 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &cypher.Projection{Nodes: nodes, Ties: ties, Kinds: []string{"KNOWS", "TRUSTS"}, Version: "v"}
			g, err := buildGraph(p, Scope{Directed: tc.directed, Weighted: tc.weighted})
			if err != nil {
				t.Fatal(err)
			}
			if g.G.NodeCount() != 3 || g.G.TieCount() != tc.ties || len(g.from) != tc.ties {
				t.Fatalf("%d nodes, %d ties (%d indexed), want 3 and %d", g.G.NodeCount(), g.G.TieCount(), len(g.from), tc.ties)
			}
			for _, w := range tc.weights {
				if got, ok := g.G.Weight(w.from, w.to); !ok || got != w.want {
					t.Errorf("%s–%s: weight %v (%v), want %v", w.from, w.to, got, ok, w.want)
				}
			}
		})
	}
}

// TestAuthorityReach checks the breadth-first search towards authority.
func TestAuthorityReach(t *testing.T) {
	// a → b → c (authority), d → a, e alone; f is an authority organisation nobody reaches.
	nodes := []cypher.ProjectedNode{
		{ID: "a", Label: "Person"}, {ID: "b", Label: "Person"}, {ID: "c", Label: "Person", IsAuthority: true},
		{ID: "d", Label: "Person"}, {ID: "e", Label: "Person"}, {ID: "f", Label: "Organisation", IsAuthority: true},
	}
	ties := []cypher.ProjectedTie{{From: 0, To: 1}, {From: 1, To: 2}, {From: 3, To: 0}}
	tests := []struct {
		name      string
		directed  bool
		hops      int
		reachable int
	}{
		{"one hop", true, 1, 1},    // b
		{"two hops", true, 2, 2},   // b, a
		{"three hops", true, 3, 3}, // b, a, d
		{"undirected", false, 1, 1},
		{"undirected, far", false, 6, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := buildGraph(&cypher.Projection{Nodes: nodes, Ties: ties, Kinds: []string{"KNOWS"}}, Scope{Directed: tc.directed})
			if err != nil {
				t.Fatal(err)
			}
			r := authorityReach(g, tc.hops)
			if r.Authorities != 2 || r.People != 4 || r.Reachable != tc.reachable || r.Share != float64(tc.reachable)/4 {
				t.Errorf("got %+v, want %d of 4 people", r, tc.reachable)
			}
		})
	}
}
