package analysis

import "testing"

// TestBrokerageMatchesReference compares Gould–Fernandez counts with the
// brute-force count over all two-paths in reference.py.
func TestBrokerageMatchesReference(t *testing.T) {
	for _, name := range []string{"karate", "directed"} {
		g, ref := loadNetwork(t, name)
		got := g.Brokerage(g.Partition(ref.GroupAttr))
		if len(got) != g.NodeCount() {
			t.Errorf("%s: %d entries for %d nodes", name, len(got), g.NodeCount())
		}
		for id, w := range ref.Brokerage {
			r := got[id]
			have := map[string]int{
				"coordinator": r.Coordinator, "itinerant": r.Itinerant, "representative": r.Representative,
				"gatekeeper": r.Gatekeeper, "liaison": r.Liaison,
			}
			for role, n := range w {
				if have[role] != n {
					t.Errorf("%s: %s %s = %d, want %d", name, id, role, have[role], n)
				}
			}
		}
	}
}

func TestBrokerageRoles(t *testing.T) {
	// b brokers a→b→c in each role; the closed triad x→y→z, x→z is no brokerage.
	tests := []struct {
		name      string
		ga, gb, c string
		want      BrokerageRoles
	}{
		{"coordinator", "1", "1", "1", BrokerageRoles{Coordinator: 1}},
		{"itinerant", "1", "2", "1", BrokerageRoles{Itinerant: 1}},
		{"representative", "1", "1", "2", BrokerageRoles{Representative: 1}},
		{"gatekeeper", "1", "2", "2", BrokerageRoles{Gatekeeper: 1}},
		{"liaison", "1", "2", "3", BrokerageRoles{Liaison: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGraph(true)
			_ = g.AddTie("a", "b", 1)
			_ = g.AddTie("b", "c", 1)
			_ = g.AddTie("x", "y", 1)
			_ = g.AddTie("y", "z", 1)
			_ = g.AddTie("x", "z", 1)
			p := Partition{"a": tt.ga, "b": tt.gb, "c": tt.c, "x": "1", "y": "1", "z": "1"}
			got := g.Brokerage(p)
			if got["b"] != tt.want || got["b"].Total() != 1 {
				t.Errorf("b: %+v, want %+v", got["b"], tt.want)
			}
			if got["y"].Total() != 0 || got["a"].Total() != 0 {
				t.Errorf("closed triad or endpoint brokers: y %+v, a %+v", got["y"], got["a"])
			}
			// Without a group for c, the path does not count.
			delete(p, "c")
			if got := g.Brokerage(p)["b"]; got.Total() != 0 {
				t.Errorf("ungrouped end: %+v", got)
			}
		})
	}
}

// TestEIIndexMatchesReference compares E-I indexes with reference.py.
func TestEIIndexMatchesReference(t *testing.T) {
	for _, name := range []string{"karate", "directed"} {
		g, ref := loadNetwork(t, name)
		got := g.EIIndex(g.Partition(ref.GroupAttr))
		same := func(what string, g EI, w eiRef) {
			if g.External != w.External || g.Internal != w.Internal || !near(g.Index, w.Index) {
				t.Errorf("%s: %s = %+v, want %+v", name, what, g, w)
			}
		}
		same("network", got.Network, ref.EI.Network)
		for id, w := range ref.EI.Nodes {
			same("node "+id, got.Nodes[id], w)
		}
		for grp, w := range ref.EI.Groups {
			same("group "+grp, got.Groups[grp], w)
		}
		if len(got.Groups) != len(ref.EI.Groups) || len(got.Nodes) != g.NodeCount() {
			t.Errorf("%s: %d groups, %d nodes", name, len(got.Groups), len(got.Nodes))
		}
	}
}

func TestEIIndexOfCommunities(t *testing.T) {
	g, _ := loadNetwork(t, "karate")
	c, err := g.Louvain(1, karateLouvainSeed)
	if err != nil {
		t.Fatal(err)
	}
	ei := g.EIIndex(c.Partition())
	if ei.Network.External != len(c.Bridges) || ei.Network.Internal+ei.Network.External != g.TieCount() {
		t.Errorf("network E-I %+v vs %d bridges of %d ties", ei.Network, len(c.Bridges), g.TieCount())
	}
	if ei.Network.Index >= 0 {
		t.Errorf("communities should be mostly bonding: E-I %v", ei.Network.Index)
	}
}
