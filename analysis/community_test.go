package analysis

import (
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
)

// karateLouvainSeed is a seed with which Louvain finds the best known
// partition of the karate club (Q = 0.4198).
const karateLouvainSeed = 1

func TestLouvainKarate(t *testing.T) {
	g, ref := loadNetwork(t, "karate")
	c, err := g.Louvain(1, karateLouvainSeed)
	if err != nil {
		t.Fatal(err)
	}
	if c.Modularity < 0.41 || c.Modularity > ref.BestKnown+1e-4 {
		t.Errorf("Q = %.4f, want between 0.41 and the best known %.4f", c.Modularity, ref.BestKnown)
	}
	if !near(c.Modularity, ref.BestKnown) {
		t.Errorf("seed %d: Q = %.6f, want the best known %.4f", karateLouvainSeed, c.Modularity, ref.BestKnown)
	}
	checkCommunities(t, g, c)

	// Same seed, same result.
	again, _ := g.Louvain(1, karateLouvainSeed)
	for i := range c.Groups {
		if !slices.Equal(c.Groups[i].Members, again.Groups[i].Members) {
			t.Fatalf("same seed gave a different community %d", i)
		}
	}
	// Every seed gives a valid partition whose Q agrees with gonum's Q.
	for seed := range uint64(20) {
		c, err := g.Louvain(1, seed)
		if err != nil {
			t.Fatal(err)
		}
		checkCommunities(t, g, c)
		if q := gonumQ(g, c, 1); math.Abs(q-c.Modularity) > 1e-9 {
			t.Errorf("seed %d: Q = %v, gonum's Q = %v", seed, c.Modularity, q)
		}
		if c.Modularity < 0.39 {
			t.Errorf("seed %d: Q = %v", seed, c.Modularity)
		}
	}
	// Higher resolution, more communities.
	fine, _ := g.Louvain(3, karateLouvainSeed)
	if len(fine.Groups) <= len(c.Groups) {
		t.Errorf("resolution 3 gave %d communities, resolution 1 %d", len(fine.Groups), len(c.Groups))
	}
}

// checkCommunities checks that c partitions g and that its tie counts add up.
func checkCommunities(t *testing.T, g *Graph, c Communities) {
	t.Helper()
	seen := map[string]bool{}
	internal, external := 0, 0
	for i, grp := range c.Groups {
		if !slices.IsSorted(grp.Members) || len(grp.Members) == 0 {
			t.Errorf("community %d members not sorted or empty: %v", i, grp.Members)
		}
		if i > 0 && len(grp.Members) > len(c.Groups[i-1].Members) {
			t.Errorf("community %d larger than community %d", i, i-1)
		}
		for _, id := range grp.Members {
			if seen[id] {
				t.Errorf("%s in two communities", id)
			}
			seen[id] = true
		}
		internal += grp.InternalTies
		external += grp.ExternalTies
	}
	if len(seen) != g.NodeCount() {
		t.Errorf("communities cover %d of %d nodes", len(seen), g.NodeCount())
	}
	if internal+len(c.Bridges) != g.TieCount() || external != 2*len(c.Bridges) {
		t.Errorf("internal %d + bridges %d != ties %d, or external %d != 2 × bridges", internal, len(c.Bridges), g.TieCount(), external)
	}
	p := c.Partition()
	for _, b := range c.Bridges {
		if p[b.From] == p[b.To] {
			t.Errorf("bridge %v inside community %s", b, p[b.From])
		}
	}
}

// gonumQ computes Q with gonum's community.Q on a simple graph.
func gonumQ(g *Graph, c Communities, resolution float64) float64 {
	sg := simple.NewWeightedUndirectedGraph(0, 0)
	idx := map[string]int64{}
	for i, id := range g.Nodes() {
		idx[id] = int64(i)
		sg.AddNode(simple.Node(i))
	}
	for _, x := range g.Ties() {
		f, t := simple.Node(idx[x.From]), simple.Node(idx[x.To])
		w := x.Weight
		if e := sg.WeightedEdge(idx[x.From], idx[x.To]); e != nil {
			w += e.Weight()
		}
		sg.SetWeightedEdge(sg.NewWeightedEdge(f, t, w))
	}
	var comms [][]graph.Node
	for _, grp := range c.Groups {
		var ns []graph.Node
		for _, id := range grp.Members {
			ns = append(ns, simple.Node(idx[id]))
		}
		comms = append(comms, ns)
	}
	return community.Q(sg, comms, resolution)
}

func TestModularityMatchesNetworkx(t *testing.T) {
	for _, name := range []string{"karate", "directed"} {
		g, ref := loadNetwork(t, name)
		q, err := g.Modularity(g.Partition(ref.GroupAttr), 1)
		if err != nil {
			t.Fatal(err)
		}
		if !near(q, ref.GroupModularity) {
			t.Errorf("%s: Q(%s) = %v, want %v", name, ref.GroupAttr, q, ref.GroupModularity)
		}
	}
}

func TestLouvainDirectedAndEdgeCases(t *testing.T) {
	g, _ := loadNetwork(t, "directed")
	c, err := g.Louvain(1, 7)
	if err != nil {
		t.Fatal(err)
	}
	checkCommunities(t, g, c)
	if q := gonumQ(g, c, 1); math.Abs(q-c.Modularity) > 1e-9 || c.Modularity <= 0.3 {
		t.Errorf("directed: Q = %v, gonum's Q = %v", c.Modularity, q)
	}

	empty := NewGraph(false)
	if c, err := empty.Louvain(1, 0); err != nil || len(c.Groups) != 0 || c.Modularity != 0 {
		t.Errorf("empty: %+v, %v", c, err)
	}
	lonely := NewGraph(true)
	for _, id := range []string{"c", "a", "b"} {
		_ = lonely.AddNode(id, nil)
	}
	c, err = lonely.Louvain(1, 0)
	if err != nil || len(c.Groups) != 3 || c.Modularity != 0 || c.Groups[0].Members[0] != "a" {
		t.Errorf("no ties: %+v, %v", c, err)
	}
	for _, r := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if _, err := g.Louvain(r, 0); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("Louvain(resolution %v): error %v, want ErrInvalidOption", r, err)
		}
		if _, err := g.Modularity(nil, r); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("Modularity(resolution %v): error %v, want ErrInvalidOption", r, err)
		}
	}
}
