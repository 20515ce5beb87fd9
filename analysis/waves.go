package analysis

import (
	"cmp"
	"fmt"
	"slices"
)

// WaveComparison compares the ties of two survey waves. Ties are compared as
// pairs of node ids (ordered in directed Graphs, unordered in undirected ones,
// where the Ties listed here put the lesser id in From); weights are carried
// along but not compared.
type WaveComparison struct {
	// TiesBefore and TiesAfter count each wave's ties; Common those in both.
	TiesBefore int
	TiesAfter  int
	Common     int
	// Gained are the ties only in the later wave (with its weights), Lost those
	// only in the earlier (with its weights), sorted by From then To.
	Gained []Tie
	Lost   []Tie
	// Jaccard is Common / |ties in either wave|, 1 for identical tie sets, 0
	// for disjoint ones and 0 when neither wave has ties.
	Jaccard float64
	// OnlyBefore and OnlyAfter list the nodes present in one wave only,
	// sorted.
	OnlyBefore []string
	OnlyAfter  []string
	// Nodes has one entry for every node of either wave, sorted by id.
	Nodes []NodeChange
}

// NodeChange is one node's change between two waves.
type NodeChange struct {
	ID string
	// InBefore and InAfter say in which waves the node is present.
	InBefore bool
	InAfter  bool
	// DegreeBefore and DegreeAfter are total degrees (in plus out), 0 where the
	// node is absent; DegreeChange is after minus before.
	DegreeBefore int
	DegreeAfter  int
	DegreeChange int
	// Gained and Lost are the node's ties only in the later or earlier wave,
	// sorted by From then To.
	Gained []Tie
	Lost   []Tie
	// Jaccard is the overlap of the node's ties in the two waves: common ties
	// over ties in either; 0 when the node has no ties in either wave.
	Jaccard float64
}

// CompareWaves compares two Graphs of the same community at two times, before
// and after, over node ids that mean the same people in both. Nodes may join
// or leave between waves. It returns an error wrapping ErrInvalidOption if
// either Graph is nil or one is directed and the other not.
func CompareWaves(before, after *Graph) (WaveComparison, error) {
	if before == nil || after == nil {
		return WaveComparison{}, fmt.Errorf("compare waves: %w: nil graph", ErrInvalidOption)
	}
	if before.directed != after.directed {
		return WaveComparison{}, fmt.Errorf("compare waves: %w: one graph is directed and the other not", ErrInvalidOption)
	}
	b, a := before.tieSet(), after.tieSet()
	res := WaveComparison{TiesBefore: len(b), TiesAfter: len(a)}

	nodes := make(map[string]*NodeChange)
	change := func(id string) *NodeChange {
		c := nodes[id]
		if c == nil {
			c = &NodeChange{ID: id}
			nodes[id] = c
		}
		return c
	}
	for _, id := range before.ids {
		change(id).InBefore = true
	}
	for _, id := range after.ids {
		change(id).InAfter = true
	}
	common := make(map[string]int) // common ties per node
	for k, t := range b {
		cf, ct := change(t.From), change(t.To)
		cf.DegreeBefore++
		ct.DegreeBefore++
		if _, ok := a[k]; ok {
			res.Common++
			common[t.From]++
			common[t.To]++
			continue
		}
		res.Lost = append(res.Lost, t)
		cf.Lost = append(cf.Lost, t)
		ct.Lost = append(ct.Lost, t)
	}
	for k, t := range a {
		cf, ct := change(t.From), change(t.To)
		cf.DegreeAfter++
		ct.DegreeAfter++
		if _, ok := b[k]; ok {
			continue
		}
		res.Gained = append(res.Gained, t)
		cf.Gained = append(cf.Gained, t)
		ct.Gained = append(ct.Gained, t)
	}
	res.Jaccard = jaccard(res.Common, len(a)+len(b)-res.Common)
	sortTies(res.Gained)
	sortTies(res.Lost)
	res.Nodes = make([]NodeChange, 0, len(nodes))
	for _, c := range nodes {
		c.DegreeChange = c.DegreeAfter - c.DegreeBefore
		c.Jaccard = jaccard(common[c.ID], c.DegreeBefore+c.DegreeAfter-common[c.ID])
		sortTies(c.Gained)
		sortTies(c.Lost)
		switch {
		case !c.InAfter:
			res.OnlyBefore = append(res.OnlyBefore, c.ID)
		case !c.InBefore:
			res.OnlyAfter = append(res.OnlyAfter, c.ID)
		}
		res.Nodes = append(res.Nodes, *c)
	}
	slices.SortFunc(res.Nodes, func(x, y NodeChange) int { return cmp.Compare(x.ID, y.ID) })
	slices.Sort(res.OnlyBefore)
	slices.Sort(res.OnlyAfter)
	return res, nil
}

// tieSet returns the Graph's ties keyed by their (normalised) pair of ids; an
// undirected tie is stored with the lesser id first.
func (g *Graph) tieSet() map[[2]string]Tie {
	set := make(map[[2]string]Tie, len(g.from))
	for t := range g.from {
		x := Tie{From: g.ids[g.from[t]], To: g.ids[g.to[t]], Weight: g.weight[t]}
		if !g.directed && x.To < x.From {
			x.From, x.To = x.To, x.From
		}
		set[[2]string{x.From, x.To}] = x
	}
	return set
}

func jaccard(common, union int) float64 {
	if union == 0 {
		return 0
	}
	return float64(common) / float64(union)
}

func sortTies(ts []Tie) {
	slices.SortFunc(ts, func(x, y Tie) int {
		if c := cmp.Compare(x.From, y.From); c != 0 {
			return c
		}
		return cmp.Compare(x.To, y.To)
	})
}
