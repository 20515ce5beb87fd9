package analysis

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAddTieRefusesInvalidTies(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		weight   float64
	}{
		{"self-tie", "a", "a", 1},
		{"empty from", "", "b", 1},
		{"empty to", "a", "", 1},
		{"zero weight", "a", "b", 0},
		{"negative weight", "a", "b", -2},
		{"NaN weight", "a", "b", math.NaN()},
		{"infinite weight", "a", "b", math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGraph(true)
			err := g.AddTie(tt.from, tt.to, tt.weight)
			if !errors.Is(err, ErrInvalidTie) {
				t.Fatalf("error %v, want ErrInvalidTie", err)
			}
			if g.NodeCount() != 0 || g.TieCount() != 0 {
				t.Errorf("graph changed: %d nodes, %d ties", g.NodeCount(), g.TieCount())
			}
		})
	}
	if err := NewGraph(false).AddNode("", nil); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("AddNode(\"\"): error %v, want ErrInvalidOption", err)
	}
}

func TestParallelTiesAreSummed(t *testing.T) {
	tests := []struct {
		name     string
		directed bool
		ties     []Tie
		want     []Tie
		wantBA   float64 // Weight("b", "a")
	}{
		{"directed", true, []Tie{{"a", "b", 1}, {"a", "b", 2.5}, {"b", "a", 1}},
			[]Tie{{"a", "b", 3.5}, {"b", "a", 1}}, 1},
		{"undirected", false, []Tie{{"a", "b", 1}, {"b", "a", 2}, {"a", "c", 1}},
			[]Tie{{"a", "b", 3}, {"a", "c", 1}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGraph(tt.directed)
			for _, x := range tt.ties {
				if err := g.AddTie(x.From, x.To, x.Weight); err != nil {
					t.Fatal(err)
				}
			}
			if got := g.Ties(); !slices.Equal(got, tt.want) {
				t.Errorf("Ties() = %v, want %v", got, tt.want)
			}
			if w, ok := g.Weight("b", "a"); !ok || w != tt.wantBA {
				t.Errorf("Weight(b, a) = %v, %v", w, ok)
			}
			if _, ok := g.Weight("b", "c"); ok {
				t.Error("Weight(b, c) found a tie that does not exist")
			}
		})
	}
}

func TestAddNodeMergesAttributes(t *testing.T) {
	g := NewGraph(false)
	in := map[string]string{"label": "Person", "area": "Barton"}
	if err := g.AddNode("per_1", in); err != nil {
		t.Fatal(err)
	}
	in["area"] = "changed after the call"
	if err := g.AddNode("per_1", map[string]string{"area": "Winton", "group": "g"}); err != nil {
		t.Fatal(err)
	}
	got := g.Attrs("per_1")
	want := map[string]string{"label": "Person", "area": "Winton", "group": "g"}
	if len(got) != len(want) {
		t.Fatalf("Attrs = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Attrs[%q] = %q, want %q", k, got[k], v)
		}
	}
	if g.Attrs("nobody") != nil || g.HasNode("nobody") {
		t.Error("unknown node has attributes or exists")
	}
	if p := g.Partition("group"); len(p) != 1 || p["per_1"] != "g" {
		t.Errorf("Partition(group) = %v", p)
	}
}

func TestReverseAndUndirected(t *testing.T) {
	g := NewGraph(true)
	for _, x := range []Tie{{"a", "b", 1}, {"b", "a", 2}, {"b", "c", 4}} {
		if err := g.AddTie(x.From, x.To, x.Weight); err != nil {
			t.Fatal(err)
		}
	}
	r := g.Reverse()
	if w, ok := r.Weight("c", "b"); !ok || w != 4 || !r.Directed() {
		t.Errorf("reverse: c→b = %v, %v", w, ok)
	}
	if _, ok := r.Weight("b", "c"); ok {
		t.Error("reverse kept b→c")
	}
	u := g.Undirected()
	if w, _ := u.Weight("b", "a"); w != 3 || u.Directed() || u.TieCount() != 2 {
		t.Errorf("undirected: a–b = %v, ties %d", w, u.TieCount())
	}
}

// TestProjectOntoMatchesNetworkx projects the Davis bipartite graph onto the
// women and compares with networkx's weighted_projected_graph.
func TestProjectOntoMatchesNetworkx(t *testing.T) {
	bip := loadGraph(t, "davis_bipartite", false)
	var women []string
	for _, row := range readCSV(t, "davis_bipartite_nodes.csv") {
		if row[1] == "0" {
			women = append(women, row[0])
		}
	}
	got, err := bip.ProjectOnto(women)
	if err != nil {
		t.Fatal(err)
	}
	want := loadGraph(t, "davis", false)
	if got.NodeCount() != want.NodeCount() || got.TieCount() != want.TieCount() {
		t.Fatalf("projection has %d nodes, %d ties; want %d, %d", got.NodeCount(), got.TieCount(), want.NodeCount(), want.TieCount())
	}
	for _, tie := range want.Ties() {
		if w, ok := got.Weight(tie.From, tie.To); !ok || w != tie.Weight {
			t.Errorf("%s–%s: got %v (%v), want %v", tie.From, tie.To, w, ok, tie.Weight)
		}
	}
	if _, err := bip.ProjectOnto([]string{"nobody"}); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("unknown node: error %v, want ErrUnknownNode", err)
	}
}

// TestInsertionOrderDoesNotMatter builds the karate club with nodes and ties
// shuffled and checks that seeded results are the same.
func TestInsertionOrderDoesNotMatter(t *testing.T) {
	ctx := context.Background()
	a, _ := loadNetwork(t, "karate")
	b := NewGraph(false)
	ids := a.Nodes()
	ties := a.Ties()
	rng := rand.New(rand.NewPCG(3, 4))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	rng.Shuffle(len(ties), func(i, j int) { ties[i], ties[j] = ties[j], ties[i] })
	for _, id := range ids {
		if err := b.AddNode(id, a.Attrs(id)); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range ties {
		if err := b.AddTie(x.To, x.From, x.Weight); err != nil {
			t.Fatal(err)
		}
	}
	for seed := range uint64(5) {
		ca, _ := a.Louvain(1, seed)
		cb, _ := b.Louvain(1, seed)
		if len(ca.Groups) != len(cb.Groups) || math.Abs(ca.Modularity-cb.Modularity) > 1e-12 {
			t.Fatalf("seed %d: Q %v vs %v", seed, ca.Modularity, cb.Modularity)
		}
		for i := range ca.Groups {
			if !slices.Equal(ca.Groups[i].Members, cb.Groups[i].Members) {
				t.Errorf("seed %d: community %d differs: %v vs %v", seed, i, ca.Groups[i].Members, cb.Groups[i].Members)
			}
		}
	}
	sa, _ := a.Betweenness(ctx, BetweennessOptions{Sample: &Sample{K: 7, Seed: 9}})
	sb, _ := b.Betweenness(ctx, BetweennessOptions{Sample: &Sample{K: 7, Seed: 9}})
	for id, x := range sa {
		if math.Abs(sb[id]-x) > 1e-12 {
			t.Errorf("sampled betweenness of %s: %v vs %v", id, x, sb[id])
		}
	}
}

// TestConcurrentReads runs measures on one Graph from several goroutines (run
// with -race to check the adjacency cache).
func TestConcurrentReads(t *testing.T) {
	g, _ := loadNetwork(t, "karate")
	ctx := context.Background()
	done := make(chan Scores)
	for range 4 {
		go func() {
			s, _ := g.Betweenness(ctx, BetweennessOptions{})
			done <- s
		}()
	}
	first := <-done
	for range 3 {
		s := <-done
		for id, x := range first {
			if s[id] != x {
				t.Fatalf("%s: %v vs %v", id, x, s[id])
			}
		}
	}
}
