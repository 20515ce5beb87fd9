package analysis

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

func tiesGraph(t *testing.T, directed bool, ties [][2]string) *Graph {
	t.Helper()
	g := NewGraph(directed)
	for _, x := range ties {
		if err := g.AddTie(x[0], x[1], 1); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// checkCandidates checks the invariants every candidate list keeps.
func checkCandidates(t *testing.T, cs []Candidate, names ...string) {
	t.Helper()
	for i, c := range cs {
		if c.Rank != i+1 {
			t.Errorf("%s: rank %d at position %d", c.ID, c.Rank, i)
		}
		if i > 0 && c.Score > cs[i-1].Score {
			t.Errorf("%s: score %v above the previous %v", c.ID, c.Score, cs[i-1].Score)
		}
		if c.Score < 0 || c.Score > 1 || math.IsNaN(c.Score) {
			t.Errorf("%s: score %v", c.ID, c.Score)
		}
		var got []string
		for _, comp := range c.Components {
			got = append(got, comp.Name)
			if comp.Percentile < 0 || comp.Percentile > 1 || math.IsNaN(comp.Percentile) || math.IsNaN(comp.Value) {
				t.Errorf("%s: component %+v", c.ID, comp)
			}
		}
		if !slices.Equal(got, names) {
			t.Errorf("%s: components %v, want %v", c.ID, got, names)
		}
	}
}

func ids(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestConnectors(t *testing.T) {
	ctx := context.Background()
	g, _ := loadNetwork(t, "karate")
	cs, err := g.Connectors(ctx, KeyPeopleOptions{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	checkCandidates(t, cs, "degree")
	if !slices.Equal(ids(cs), []string{"33", "0", "32"}) || cs[0].Score != 1 || cs[0].Components[0].Value != 17 {
		t.Errorf("connectors = %+v", cs)
	}
	// Eligible restricts candidates and the population.
	officers, err := g.Connectors(ctx, KeyPeopleOptions{Eligible: func(_ string, a map[string]string) bool { return a["club"] == "Officer" }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range officers {
		if g.Attrs(c.ID)["club"] != "Officer" {
			t.Errorf("%s is not eligible", c.ID)
		}
	}
	if len(officers) != 17 || officers[0].ID != "33" {
		t.Errorf("officers: %d candidates, first %v", len(officers), officers[0])
	}
}

func TestMavens(t *testing.T) {
	// Ties point from the one who asks to the one asked. Five people ask m,
	// who asks two sources who do not know each other. q is asked by three
	// people who all ask each other too, and asks nobody.
	g := tiesGraph(t, true, [][2]string{
		{"p1", "m"}, {"p2", "m"}, {"p3", "m"}, {"p4", "m"}, {"p5", "m"},
		{"m", "s1"}, {"m", "s2"},
		{"r1", "q"}, {"r2", "q"}, {"r3", "q"}, {"r1", "r2"}, {"r2", "r3"}, {"r3", "r1"},
	})
	cs, err := g.Mavens(context.Background(), KeyPeopleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkCandidates(t, cs, "inDegree", "betweenness", "constraint")
	if len(cs) == 0 || cs[0].ID != "m" {
		t.Fatalf("mavens = %v, want m first", ids(cs))
	}
	for _, c := range cs {
		if slices.Contains([]string{"p1", "p2", "p3", "p4", "p5"}, c.ID) {
			t.Errorf("%s has in-degree 0 but is a candidate", c.ID)
		}
	}
	m := cs[0].Components
	if m[0].Value != 5 || m[0].Percentile != 1 || m[1].Percentile != 1 || !(m[1].Value > 0) {
		t.Errorf("m's components = %+v", m)
	}
	q := slices.IndexFunc(cs, func(c Candidate) bool { return c.ID == "q" })
	if q < 0 || cs[q].Components[2].Value <= m[2].Value {
		t.Errorf("q should be a candidate more constrained than m: %+v", cs)
	}
	// Sampled betweenness with every node as a source is the same ranking.
	sampled, err := g.Mavens(context.Background(), KeyPeopleOptions{Sample: &Sample{K: 100, Seed: 1}})
	if err != nil || !slices.Equal(ids(sampled), ids(cs)) {
		t.Errorf("sampled: %v, %v", ids(sampled), err)
	}
}

func TestSalespeople(t *testing.T) {
	// Ties point from the one who encourages to the one encouraged.
	g := tiesGraph(t, true, [][2]string{
		{"r", "a"}, {"r", "b"}, {"r", "c"}, {"a", "a1"}, {"a", "a2"}, {"b", "b1"}, {"x", "y"},
	})
	cs, err := g.Salespeople(context.Background(), KeyPeopleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkCandidates(t, cs, "reach", "eigenvector")
	if len(cs) != 4 || cs[0].ID != "r" || cs[1].ID != "a" {
		t.Fatalf("salespeople = %v", ids(cs))
	}
	if got := cs[0].Components[0].Value; math.Abs(got-6.0/8) > 1e-12 {
		t.Errorf("r's reach = %v, want 6/8", got)
	}
	one, _ := g.Salespeople(context.Background(), KeyPeopleOptions{Hops: 1, Limit: 1})
	if len(one) != 1 || one[0].ID != "r" || math.Abs(one[0].Components[0].Value-3.0/8) > 1e-12 {
		t.Errorf("hops 1: %+v", one)
	}
	// Recorded the other way round (respondent → persuader), Reverse fixes it.
	rev, _ := g.Reverse().Reverse().Salespeople(context.Background(), KeyPeopleOptions{Limit: 1})
	if rev[0].ID != "r" {
		t.Errorf("double reverse: %v", ids(rev))
	}
}

func TestKeyPeopleOptionErrors(t *testing.T) {
	ctx := context.Background()
	g := tiesGraph(t, true, [][2]string{{"a", "b"}})
	for _, o := range []KeyPeopleOptions{{Limit: -1}, {Hops: -2}, {Sample: &Sample{K: 0}}} {
		for name, f := range map[string]func(context.Context, KeyPeopleOptions) ([]Candidate, error){
			"connectors": g.Connectors, "mavens": g.Mavens, "salespeople": g.Salespeople,
		} {
			if _, err := f(ctx, o); !errors.Is(err, ErrInvalidOption) {
				t.Errorf("%s(%+v): error %v, want ErrInvalidOption", name, o, err)
			}
		}
	}
}

func TestPercentRanks(t *testing.T) {
	tests := []struct {
		in, want []float64
	}{
		{nil, []float64{}},
		{[]float64{5}, []float64{1}},
		{[]float64{1, 2, 3}, []float64{0, 0.5, 1}},
		{[]float64{2, 2, 2}, []float64{0.5, 0.5, 0.5}},
		{[]float64{0, 0, 0, 7}, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3, 1}},
		{[]float64{math.Inf(-1), 1, 1}, []float64{0, 0.75, 0.75}},
	}
	for _, tt := range tests {
		got := percentRanks(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("percentRanks(%v) = %v", tt.in, got)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-12 {
				t.Errorf("percentRanks(%v) = %v, want %v", tt.in, got, tt.want)
				break
			}
		}
	}
}
