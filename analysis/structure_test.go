package analysis

import (
	"slices"
	"testing"
)

// TestScalarsMatchNetworkx compares whole-network numbers with networkx.
func TestScalarsMatchNetworkx(t *testing.T) {
	for _, name := range networks {
		g, ref := loadNetwork(t, name)
		avgW, err := g.AverageClustering(Weighted)
		if err != nil {
			t.Fatal(err)
		}
		s := g.Summary()
		got := map[string]float64{
			"density":                   g.Density(),
			"average_clustering":        s.AverageClustering,
			"average_clustering_weight": avgW,
			"transitivity":              g.Transitivity(),
			"components":                float64(len(g.Components())),
			"reciprocity":               g.Reciprocity(),
		}
		for key, want := range ref.Scalars {
			if !near(got[key], want) {
				t.Errorf("%s: %s = %v, want %v", name, key, got[key], want)
			}
		}
		if s.Components != int(ref.Scalars["components"]) || !near(s.Density, ref.Scalars["density"]) || !near(s.Transitivity, ref.Scalars["transitivity"]) {
			t.Errorf("%s: summary %+v disagrees with the reference", name, s)
		}
	}
}

func TestComponentsAndIsolates(t *testing.T) {
	g, _ := loadNetwork(t, "florentine")
	comps := g.Components()
	if len(comps) != 2 || len(comps[0]) != 15 || !slices.Equal(comps[1], []string{"Pucci"}) {
		t.Errorf("components = %v", comps)
	}
	is := g.Isolates()
	if !slices.Equal(is.Isolated, []string{"Pucci"}) || is.NamedNobody != nil || is.NamedByNobody != nil {
		t.Errorf("isolates = %+v", is)
	}
	s := g.Summary()
	want := Summary{Nodes: 16, Ties: 20, Components: 2, LargestComponent: 15, Isolated: 1, Reciprocity: 1, AverageDegree: 2.5}
	if s.Nodes != want.Nodes || s.Ties != want.Ties || s.Components != want.Components || s.LargestComponent != want.LargestComponent ||
		s.Isolated != want.Isolated || s.Reciprocity != want.Reciprocity || s.AverageDegree != want.AverageDegree {
		t.Errorf("summary = %+v, want %+v (in these fields)", s, want)
	}
}

func TestDirectedIsolates(t *testing.T) {
	// Survey: a and b named each other, a named c, nobody named d, d named a;
	// e took no part.
	g := NewGraph(true)
	for _, x := range [][2]string{{"a", "b"}, {"b", "a"}, {"a", "c"}, {"d", "a"}} {
		if err := g.AddTie(x[0], x[1], 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.AddNode("e", nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"isolated", g.Isolates().Isolated, []string{"e"}},
		{"named nobody", g.Isolates().NamedNobody, []string{"c", "e"}},
		{"named by nobody", g.Isolates().NamedByNobody, []string{"d", "e"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	s := g.Summary()
	if s.Isolated != 1 || s.NamedNobody != 2 || s.NamedByNobody != 2 || s.Components != 2 || s.Reciprocity != 0.5 {
		t.Errorf("summary = %+v", s)
	}
	deg, _ := g.Degrees(Total)
	in, _ := g.Degrees(In)
	out, _ := g.Degrees(Out)
	if deg["a"] != 4 || in["a"] != 2 || out["a"] != 2 || deg["e"] != 0 {
		t.Errorf("degrees of a: total %d in %d out %d", deg["a"], in["a"], out["a"])
	}
}
