package analysis

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCompareWaves(t *testing.T) {
	tests := []struct {
		name          string
		directed      bool
		before, after [][2]string
		// expectations
		gained, lost []Tie
		common       int
		jaccard      float64
		node         string // the node whose change is checked
		nodeChange   NodeChange
		onlyBefore   []string
		onlyAfter    []string
	}{
		{
			name:      "undirected",
			before:    [][2]string{{"a", "b"}, {"b", "c"}, {"c", "d"}},
			after:     [][2]string{{"b", "a"}, {"c", "e"}, {"b", "c"}},
			gained:    []Tie{{"c", "e", 1}},
			lost:      []Tie{{"c", "d", 1}},
			common:    2,
			jaccard:   2.0 / 4,
			node:      "c",
			onlyAfter: []string{"e"}, onlyBefore: []string{"d"},
			nodeChange: NodeChange{ID: "c", InBefore: true, InAfter: true, DegreeBefore: 2, DegreeAfter: 2,
				Gained: []Tie{{"c", "e", 1}}, Lost: []Tie{{"c", "d", 1}}, Jaccard: 1.0 / 3},
		},
		{
			name:      "directed",
			directed:  true,
			before:    [][2]string{{"a", "b"}},
			after:     [][2]string{{"b", "a"}, {"a", "b"}, {"a", "c"}},
			gained:    []Tie{{"a", "c", 1}, {"b", "a", 1}},
			common:    1,
			jaccard:   1.0 / 3,
			node:      "b",
			onlyAfter: []string{"c"},
			nodeChange: NodeChange{ID: "b", InBefore: true, InAfter: true, DegreeBefore: 1, DegreeAfter: 2, DegreeChange: 1,
				Gained: []Tie{{"b", "a", 1}}, Jaccard: 0.5},
		},
		{
			name:    "no ties",
			before:  nil,
			after:   nil,
			jaccard: 0,
			node:    "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, a := tiesGraph(t, tt.directed, tt.before), tiesGraph(t, tt.directed, tt.after)
			got, err := CompareWaves(b, a)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Gained, tt.gained) || !slices.Equal(got.Lost, tt.lost) {
				t.Errorf("gained %v lost %v, want %v, %v", got.Gained, got.Lost, tt.gained, tt.lost)
			}
			if got.Common != tt.common || got.Jaccard != tt.jaccard || got.TiesBefore != len(tt.before) {
				t.Errorf("common %d jaccard %v before %d", got.Common, got.Jaccard, got.TiesBefore)
			}
			if !slices.Equal(got.OnlyBefore, tt.onlyBefore) || !slices.Equal(got.OnlyAfter, tt.onlyAfter) {
				t.Errorf("only before %v, only after %v", got.OnlyBefore, got.OnlyAfter)
			}
			if !slices.IsSortedFunc(got.Nodes, func(x, y NodeChange) int { return strings.Compare(x.ID, y.ID) }) {
				t.Error("nodes not sorted")
			}
			if tt.node == "" {
				return
			}
			i := slices.IndexFunc(got.Nodes, func(c NodeChange) bool { return c.ID == tt.node })
			if i < 0 {
				t.Fatalf("no change for %s", tt.node)
			}
			c, w := got.Nodes[i], tt.nodeChange
			if c.ID != w.ID || c.InBefore != w.InBefore || c.InAfter != w.InAfter || c.DegreeBefore != w.DegreeBefore ||
				c.DegreeAfter != w.DegreeAfter || c.DegreeChange != w.DegreeChange || c.Jaccard != w.Jaccard ||
				!slices.Equal(c.Gained, w.Gained) || !slices.Equal(c.Lost, w.Lost) {
				t.Errorf("%s: %+v, want %+v", tt.node, c, w)
			}
		})
	}
}

func TestCompareWavesErrors(t *testing.T) {
	if _, err := CompareWaves(NewGraph(true), NewGraph(false)); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("mixed directedness: %v", err)
	}
	if _, err := CompareWaves(nil, NewGraph(false)); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("nil graph: %v", err)
	}
}
