package analysis

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
)

// maxNodes is the largest number of nodes a Graph holds; node indexes are int32.
const maxNodes = math.MaxInt32

// ErrInvalidOption is wrapped by every error about an option or argument out of
// its documented range.
var ErrInvalidOption = errors.New("invalid option")

// ErrInvalidTie is wrapped by the errors AddTie returns for a tie it refuses.
var ErrInvalidTie = errors.New("invalid tie")

// ErrUnknownNode is wrapped by errors about a node id the Graph does not hold.
var ErrUnknownNode = errors.New("unknown node")

// Graph is a projection of the community graph: nodes identified by string ids
// (such as "per_5mq3v0tq7c2k4e6w9xzr") with string attributes, and weighted
// ties between them, either all directed or all undirected.
//
// Parallel ties are merged: adding a tie between a pair that already has one
// adds the new weight to the old (so KNOWS and TRUSTS between the same two
// people make one tie of weight 2). In an undirected Graph a–b and b–a are the
// same pair; in a directed Graph they are two ties. Self-ties are refused.
//
// Weights are strengths (higher is stronger). Measures that read them say how;
// path-based measures choose between hops, weight as length and inverse weight
// as length with [Length].
//
// The zero Graph is not usable; make one with [NewGraph]. Measures may run
// concurrently with each other but not with AddNode or AddTie.
type Graph struct {
	directed bool
	ids      []string
	index    map[string]int32
	attrs    []map[string]string

	pairs  map[uint64]int32 // pair key -> tie index
	from   []int32
	to     []int32
	weight []float64

	mu        sync.Mutex
	cache     *csr // adjacency built on first use after the last change
	memo      map[memoKey]*memoEntry
	memoOrder []memoKey // keys of memo in the order they were added
}

// Tie is one (merged) tie of a Graph. In an undirected Graph From and To are in
// the order of the first AddTie call for the pair.
type Tie struct {
	From   string
	To     string
	Weight float64
}

// NewGraph returns an empty Graph whose ties are directed or not.
func NewGraph(directed bool) *Graph {
	return &Graph{
		directed: directed,
		index:    make(map[string]int32),
		pairs:    make(map[uint64]int32),
	}
}

// Directed reports whether the Graph's ties are directed.
func (g *Graph) Directed() bool { return g.directed }

// NodeCount returns the number of nodes.
func (g *Graph) NodeCount() int { return len(g.ids) }

// TieCount returns the number of ties after merging parallel ones.
func (g *Graph) TieCount() int { return len(g.from) }

// AddNode adds a node, or merges attrs into an existing node's attributes (a
// key given again takes the new value). attrs is copied; it may be nil. The id
// must not be empty.
func (g *Graph) AddNode(id string, attrs map[string]string) error {
	i, err := g.node(id)
	if err != nil {
		return fmt.Errorf("add node: %w", err)
	}
	if len(attrs) > 0 {
		if g.attrs[i] == nil {
			g.attrs[i] = make(map[string]string, len(attrs))
		}
		maps.Copy(g.attrs[i], attrs)
	}
	return nil
}

// node returns the index of id, adding the node if it is new.
func (g *Graph) node(id string) (int32, error) {
	if id == "" {
		return 0, fmt.Errorf("%w: empty node id", ErrInvalidOption)
	}
	if i, ok := g.index[id]; ok {
		return i, nil
	}
	if len(g.ids) >= maxNodes {
		return 0, fmt.Errorf("%w: more than %d nodes", ErrInvalidOption, maxNodes)
	}
	i := int32(len(g.ids))
	g.ids = append(g.ids, id)
	g.attrs = append(g.attrs, nil)
	g.index[id] = i
	g.invalidate()
	return i, nil
}

// AddTie adds a tie of the given weight from one node to another, adding
// either node that is not yet in the Graph (without attributes). A tie
// between a pair that already has one is merged into it by summing weights.
// It returns an error wrapping ErrInvalidTie for a self-tie, an empty id, or a
// weight that is not finite and greater than zero; the Graph is then unchanged.
func (g *Graph) AddTie(from, to string, weight float64) error {
	switch {
	case from == "" || to == "":
		return fmt.Errorf("add tie %q-%q: %w: empty node id", from, to, ErrInvalidTie)
	case from == to:
		return fmt.Errorf("add tie %q-%q: %w: self-tie", from, to, ErrInvalidTie)
	case !(weight > 0) || math.IsInf(weight, 1):
		return fmt.Errorf("add tie %q-%q: %w: weight %v is not finite and positive", from, to, ErrInvalidTie, weight)
	}
	need := 0
	if !g.HasNode(from) {
		need++
	}
	if !g.HasNode(to) {
		need++
	}
	if len(g.ids)+need > maxNodes {
		return fmt.Errorf("add tie %q-%q: %w: more than %d nodes", from, to, ErrInvalidTie, maxNodes)
	}
	u, err := g.node(from)
	if err != nil {
		return fmt.Errorf("add tie: %w", err)
	}
	v, err := g.node(to)
	if err != nil {
		return fmt.Errorf("add tie: %w", err)
	}
	key := g.pairKey(u, v)
	if t, ok := g.pairs[key]; ok {
		g.weight[t] += weight
	} else {
		g.pairs[key] = int32(len(g.from))
		g.from = append(g.from, u)
		g.to = append(g.to, v)
		g.weight = append(g.weight, weight)
	}
	g.invalidate()
	return nil
}

// pairKey identifies the pair u, v: ordered in a directed Graph, unordered in
// an undirected one.
func (g *Graph) pairKey(u, v int32) uint64 {
	if !g.directed && u > v {
		u, v = v, u
	}
	return uint64(uint32(u))<<32 | uint64(uint32(v))
}

// invalidate drops the adjacency and every remembered result after a change.
func (g *Graph) invalidate() {
	g.mu.Lock()
	g.cache = nil
	g.memo, g.memoOrder = nil, nil
	g.mu.Unlock()
}

// HasNode reports whether the Graph holds the node.
func (g *Graph) HasNode(id string) bool {
	_, ok := g.index[id]
	return ok
}

// Nodes returns the node ids in the order they were added.
func (g *Graph) Nodes() []string { return slices.Clone(g.ids) }

// Attrs returns a copy of a node's attributes, or nil if the node is unknown or
// has none.
func (g *Graph) Attrs(id string) map[string]string {
	i, ok := g.index[id]
	if !ok || g.attrs[i] == nil {
		return nil
	}
	return maps.Clone(g.attrs[i])
}

// Ties returns the merged ties in the order their pairs were first added.
func (g *Graph) Ties() []Tie {
	out := make([]Tie, len(g.from))
	for t := range g.from {
		out[t] = Tie{From: g.ids[g.from[t]], To: g.ids[g.to[t]], Weight: g.weight[t]}
	}
	return out
}

// Weight returns the weight of the tie from one node to the other (either way
// round in an undirected Graph) and whether there is one.
func (g *Graph) Weight(from, to string) (float64, bool) {
	u, ok1 := g.index[from]
	v, ok2 := g.index[to]
	if !ok1 || !ok2 {
		return 0, false
	}
	t, ok := g.pairs[g.pairKey(u, v)]
	if !ok {
		return 0, false
	}
	return g.weight[t], true
}

// Partition returns the nodes' values of one attribute as a Partition; nodes
// without the attribute, or with an empty value, are left out.
func (g *Graph) Partition(attr string) Partition {
	p := make(Partition)
	for i, a := range g.attrs {
		if v := a[attr]; v != "" {
			p[g.ids[i]] = v
		}
	}
	return p
}

// Partition assigns nodes to groups: node id to group label. Nodes that are not
// in the map belong to no group; measures that use a Partition say how they
// treat them.
type Partition map[string]string

// Reverse returns a copy of the Graph with every tie turned round (for an
// undirected Graph, a plain copy). Use it when ties were recorded against the
// direction a measure expects, e.g. "R named P as someone who encourages them"
// stored as R→P when influence flows P→R.
func (g *Graph) Reverse() *Graph {
	r := g.emptyCopy(g.directed)
	for t := range g.from {
		r.mustAdd(g.to[t], g.from[t], g.weight[t])
	}
	return r
}

// Undirected returns an undirected copy of the Graph. Reciprocal directed ties
// a→b and b→a become one tie whose weight is the sum of theirs.
func (g *Graph) Undirected() *Graph {
	r := g.emptyCopy(false)
	for t := range g.from {
		r.mustAdd(g.from[t], g.to[t], g.weight[t])
	}
	return r
}

// emptyCopy returns a Graph with the same nodes (same indexes, copied
// attributes) and no ties.
func (g *Graph) emptyCopy(directed bool) *Graph {
	r := NewGraph(directed)
	r.ids = slices.Clone(g.ids)
	r.attrs = make([]map[string]string, len(g.attrs))
	for i, a := range g.attrs {
		r.attrs[i] = maps.Clone(a)
	}
	r.index = maps.Clone(g.index)
	return r
}

// mustAdd adds a tie between existing node indexes; the tie is known valid.
func (g *Graph) mustAdd(u, v int32, w float64) {
	key := g.pairKey(u, v)
	if t, ok := g.pairs[key]; ok {
		g.weight[t] += w
		return
	}
	g.pairs[key] = int32(len(g.from))
	g.from = append(g.from, u)
	g.to = append(g.to, v)
	g.weight = append(g.weight, w)
}

// ProjectOnto returns the one-mode projection of a two-mode (bipartite) Graph
// onto the given nodes, as networkx's bipartite.weighted_projected_graph: two
// of the given nodes are tied when they share at least one neighbour outside
// the given set (in either direction, for a directed Graph), with weight the
// number of such shared neighbours. Ties among the given nodes themselves are
// ignored. The result is undirected, keeps the given nodes' attributes and has
// them in the order given. For example, people projected through MEMBER_OF
// ties to groups are tied by the number of groups they share. It returns an
// error wrapping ErrUnknownNode if a given id is not in the Graph.
func (g *Graph) ProjectOnto(ids []string) (*Graph, error) {
	v := g.view()
	keep := make([]int32, g.NodeCount())
	for i := range keep {
		keep[i] = -1
	}
	r := NewGraph(false)
	for _, id := range ids {
		i, ok := g.index[id]
		if !ok {
			return nil, fmt.Errorf("project onto %q: %w", id, ErrUnknownNode)
		}
		if keep[i] >= 0 {
			continue
		}
		if err := r.AddNode(id, g.attrs[i]); err != nil {
			return nil, fmt.Errorf("project: %w", err)
		}
		keep[i] = int32(r.NodeCount() - 1)
	}
	shared := make([]float64, r.NodeCount())
	var touched []int32
	for ri, id := range r.ids {
		u := g.index[id]
		touched = touched[:0]
		for _, x := range v.nbr(u) {
			if keep[x] >= 0 {
				continue
			}
			for _, y := range v.nbr(x) {
				ry := keep[y]
				if ry <= int32(ri) { // not kept, u itself, or pair already seen from y
					continue
				}
				if shared[ry] == 0 {
					touched = append(touched, ry)
				}
				shared[ry]++
			}
		}
		slices.Sort(touched)
		for _, ry := range touched {
			r.mustAdd(int32(ri), ry, shared[ry])
			shared[ry] = 0
		}
	}
	return r, nil
}
