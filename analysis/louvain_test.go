package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"

	"kith/seed"
)

// gonumLouvain runs gonum's community.Modularize on g (its undirected
// projection if directed) with the nodes in id order and the generator Louvain
// uses, and returns a community label per node index: the reference the flat
// implementation follows.
func gonumLouvain(g *Graph, resolution float64, seed uint64) []int32 {
	u := g
	if g.directed {
		u = g.Undirected()
	}
	v := u.view()
	order := g.idOrder()
	reduced := community.Modularize(newLouvainGraph(v, order), resolution, rand.NewPCG(seed, 0x6b697468))
	comm := make([]int32, v.n)
	for c, members := range reduced.Communities() {
		for _, n := range members {
			comm[order[n.ID()]] = int32(c)
		}
	}
	return comm
}

// samePartition reports whether two labellings group the nodes alike.
func samePartition(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	ab, ba := map[int32]int32{}, map[int32]int32{}
	for i := range a {
		x, okx := ab[a[i]]
		y, oky := ba[b[i]]
		if okx && x != b[i] || oky && y != a[i] {
			return false
		}
		ab[a[i]], ba[b[i]] = b[i], a[i]
	}
	return true
}

// labels returns the community label of every node index of c.
func labels(g *Graph, c Communities) []int32 {
	out := make([]int32, g.NodeCount())
	for i, grp := range c.Groups {
		for _, id := range grp.Members {
			out[g.index[id]] = int32(i)
		}
	}
	return out
}

// TestLouvainFollowsGonum checks that Louvain finds the partition gonum's
// Modularize finds, seed for seed, on the reference networks (integer weights:
// the sums are exact, so the two must agree move for move) and on random
// small-world graphs with integer weights.
func TestLouvainFollowsGonum(t *testing.T) {
	type named struct {
		name string
		g    *Graph
	}
	var graphs []named
	for _, name := range networks {
		g, _ := loadNetwork(t, name)
		graphs = append(graphs, named{name, g})
	}
	graphs = append(graphs,
		named{"small world 2000", smallWorld(2000, 5, 0.1, 3)},
		named{"directed small world 2000", smallWorldDirected(2000, 3, 0.2, 4)},
		named{"sparse random 3000", randomGraph(3000, 4000, 5, true)})
	for _, tc := range graphs {
		for _, res := range []float64{0.5, 1, 2} {
			for seed := range uint64(8) {
				c, err := tc.g.Louvain(res, seed)
				if err != nil {
					t.Fatal(err)
				}
				want := gonumLouvain(tc.g, res, seed)
				if !samePartition(labels(tc.g, c), want) {
					t.Errorf("%s, resolution %v, seed %d: partition differs from gonum's (Q %.6f, gonum's %.6f)",
						tc.name, res, seed, c.Modularity, modularity(tc.g.undirectedView(), want, res))
				}
			}
		}
	}
}

// TestLouvainRealWeights compares Louvain with gonum on graphs whose weights
// are not integers, where sums in another order can break a near tie the other
// way: Q must be within 0.005 of gonum's on average over seeds and never
// below it by more than 0.02, and the same seed must give the same partition.
func TestLouvainRealWeights(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    *Graph
	}{
		{"small world 3000", randomWeights(smallWorld(3000, 5, 0.1, 5), 6)},
		{"sparse random 3000", randomGraph(3000, 5000, 7, false)},
	} {
		var ours, theirs float64
		const seeds = 6
		for seed := range uint64(seeds) {
			c, err := tc.g.Louvain(1, seed)
			if err != nil {
				t.Fatal(err)
			}
			q := modularity(tc.g.undirectedView(), gonumLouvain(tc.g, 1, seed), 1)
			if c.Modularity < q-0.02 {
				t.Errorf("%s seed %d: Q = %.5f, gonum's %.5f", tc.name, seed, c.Modularity, q)
			}
			again, _ := tc.g.Louvain(1, seed)
			if !samePartition(labels(tc.g, c), labels(tc.g, again)) || again.Modularity != c.Modularity {
				t.Errorf("%s seed %d: two runs differ", tc.name, seed)
			}
			ours += c.Modularity
			theirs += q
		}
		if math.Abs(ours-theirs)/seeds > 0.005 {
			t.Errorf("%s: mean Q %.5f, gonum's %.5f", tc.name, ours/seeds, theirs/seeds)
		}
	}
}

// TestLouvainInsertionOrder checks that the order nodes and ties were added in
// does not change the partition (integer weights).
func TestLouvainInsertionOrder(t *testing.T) {
	g := smallWorld(1500, 4, 0.2, 8)
	ties := g.Ties()
	rng := rand.New(rand.NewPCG(9, 9))
	rng.Shuffle(len(ties), func(i, j int) { ties[i], ties[j] = ties[j], ties[i] })
	h := NewGraph(false)
	nodes := g.Nodes()
	slices.Reverse(nodes)
	for _, id := range nodes {
		_ = h.AddNode(id, nil)
	}
	for _, x := range ties {
		if err := h.AddTie(x.To, x.From, x.Weight); err != nil {
			t.Fatal(err)
		}
	}
	for seed := range uint64(4) {
		a, _ := g.Louvain(1, seed)
		b, _ := h.Louvain(1, seed)
		if len(a.Groups) != len(b.Groups) || math.Abs(a.Modularity-b.Modularity) > 1e-12 {
			t.Fatalf("seed %d: %d communities Q %v, reordered %d Q %v", seed, len(a.Groups), a.Modularity, len(b.Groups), b.Modularity)
		}
		for i := range a.Groups {
			if !slices.Equal(a.Groups[i].Members, b.Groups[i].Members) {
				t.Fatalf("seed %d: community %d differs", seed, i)
			}
		}
	}
}

// undirectedView is the csr Louvain and Modularity read.
func (g *Graph) undirectedView() *csr {
	if g.directed {
		return g.Undirected().view()
	}
	return g.view()
}

// randomGraph returns an undirected Graph of n nodes and about m random ties
// (many nodes isolated or in small pieces when m is near n), with weights 1 to
// 3 when integer, else uniform in (0.1, 3).
func randomGraph(n, m int, seed uint64, integer bool) *Graph {
	rng := rand.New(rand.NewPCG(seed, 2))
	g := NewGraph(false)
	for i := range n {
		_ = g.AddNode(fmt.Sprintf("n%05d", i), nil)
	}
	for range m {
		a, b := rng.IntN(n), rng.IntN(n)
		if a == b {
			continue
		}
		w := float64(1 + rng.IntN(3))
		if !integer {
			w = 0.1 + 2.9*rng.Float64()
		}
		_ = g.AddTie(fmt.Sprintf("n%05d", a), fmt.Sprintf("n%05d", b), w)
	}
	return g
}

// randomWeights returns a copy of g with every tie's weight replaced by a
// uniform draw in (0.1, 3).
func randomWeights(g *Graph, seed uint64) *Graph {
	rng := rand.New(rand.NewPCG(seed, 3))
	h := NewGraph(g.directed)
	for _, id := range g.Nodes() {
		_ = h.AddNode(id, nil)
	}
	for _, x := range g.Ties() {
		_ = h.AddTie(x.From, x.To, 0.1+2.9*rng.Float64())
	}
	return h
}

// louvainGraph presents an undirected csr to gonum as a
// graph.WeightedUndirected whose node ids are the nodes' ranks in id order, so
// that gonum's traversal order does not depend on insertion order.
type louvainGraph struct {
	v     *csr
	order []int32 // rank -> index
	rank  []int32 // index -> rank
	nodes []graph.Node
}

func newLouvainGraph(v *csr, order []int32) *louvainGraph {
	lg := &louvainGraph{v: v, order: order, rank: make([]int32, v.n), nodes: make([]graph.Node, v.n)}
	for r, i := range order {
		lg.rank[i] = int32(r)
		lg.nodes[r] = simple.Node(r)
	}
	return lg
}

func (lg *louvainGraph) valid(id int64) bool { return id >= 0 && id < int64(lg.v.n) }

// Node implements graph.Graph.
func (lg *louvainGraph) Node(id int64) graph.Node {
	if !lg.valid(id) {
		return nil
	}
	return simple.Node(id)
}

// Nodes implements graph.Graph.
func (lg *louvainGraph) Nodes() graph.Nodes { return iterator.NewOrderedNodes(lg.nodes) }

// From implements graph.Graph.
func (lg *louvainGraph) From(id int64) graph.Nodes {
	if !lg.valid(id) {
		return graph.Empty
	}
	return &rankIter{list: lg.v.out(lg.order[id]), rank: lg.rank, pos: -1}
}

// Weight implements graph.Weighted; a node's weight to itself is 0.
func (lg *louvainGraph) Weight(xid, yid int64) (float64, bool) {
	if !lg.valid(xid) || !lg.valid(yid) {
		return 0, false
	}
	if xid == yid {
		return 0, true
	}
	x, y := lg.order[xid], lg.order[yid]
	k, ok := slices.BinarySearch(lg.v.out(x), y)
	if !ok {
		return 0, false
	}
	return lg.v.outWeight(x)[k], true
}

// HasEdgeBetween implements graph.Graph.
func (lg *louvainGraph) HasEdgeBetween(xid, yid int64) bool {
	_, ok := lg.Weight(xid, yid)
	return ok && xid != yid
}

// Edge implements graph.Graph.
func (lg *louvainGraph) Edge(uid, vid int64) graph.Edge { return lg.WeightedEdge(uid, vid) }

// EdgeBetween implements graph.Undirected.
func (lg *louvainGraph) EdgeBetween(xid, yid int64) graph.Edge { return lg.WeightedEdge(xid, yid) }

// WeightedEdgeBetween implements graph.WeightedUndirected.
func (lg *louvainGraph) WeightedEdgeBetween(xid, yid int64) graph.WeightedEdge {
	return lg.WeightedEdge(xid, yid)
}

// WeightedEdge implements graph.Weighted.
func (lg *louvainGraph) WeightedEdge(uid, vid int64) graph.WeightedEdge {
	w, ok := lg.Weight(uid, vid)
	if !ok || uid == vid {
		return nil
	}
	return simple.WeightedEdge{F: simple.Node(uid), T: simple.Node(vid), W: w}
}

// rankIter iterates over a neighbour list as gonum nodes identified by rank.
type rankIter struct {
	list []int32
	rank []int32
	pos  int
}

// Next implements graph.Iterator.
func (it *rankIter) Next() bool {
	if it.pos+1 >= len(it.list) {
		it.pos = len(it.list)
		return false
	}
	it.pos++
	return true
}

// Len implements graph.Iterator.
func (it *rankIter) Len() int { return max(0, len(it.list)-it.pos-1) }

// Reset implements graph.Iterator.
func (it *rankIter) Reset() { it.pos = -1 }

// Node implements graph.Nodes.
func (it *rankIter) Node() graph.Node {
	if it.pos < 0 || it.pos >= len(it.list) {
		return nil
	}
	return simple.Node(it.rank[it.list[it.pos]])
}

// BenchmarkLouvainSyntheticCommunity compares Louvain with gonum's Modularize, which it
// follows step for step, on the people and their KNOWS and TRUSTS ties of Kith's
// synthetic community (seed.Synthetic): its neighbourhoods give large communities, where
// gonum's cost grows with the square of their sizes.
func BenchmarkLouvainSyntheticCommunity(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("large graph skipped with -short")
			}
			sg := seed.Synthetic(n, 1)
			g := NewGraph(false)
			for _, node := range sg.Nodes {
				if node.Label == "Person" {
					if err := g.AddNode(node.ID, nil); err != nil {
						b.Fatal(err)
					}
				}
			}
			for _, t := range sg.Ties {
				if (t.Kind == "KNOWS" || t.Kind == "TRUSTS") && g.HasNode(t.From) && g.HasNode(t.To) {
					if err := g.AddTie(t.From, t.To, 1); err != nil {
						b.Fatal(err)
					}
				}
			}
			g.view()
			b.Run("kith", func(b *testing.B) {
				timeIt(b, func() error { _, err := g.Louvain(1, 1); return err })
			})
			b.Run("gonum", func(b *testing.B) {
				timeIt(b, func() error { gonumLouvain(g, 1, 1); return nil })
			})
		})
	}
}
