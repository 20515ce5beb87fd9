package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"
)

// Community is one detected community.
type Community struct {
	// Members are the node ids, sorted.
	Members []string
	// InternalTies counts ties between members (bonding); ExternalTies ties
	// from a member to a non-member (bridging).
	InternalTies int
	ExternalTies int
}

// Communities is a partition of a Graph's nodes into communities.
type Communities struct {
	// Resolution and Seed are the arguments of the Louvain call.
	Resolution float64
	Seed       uint64
	// Modularity is Q of this partition at Resolution (see Graph.Modularity).
	Modularity float64
	// Groups are the communities, largest first, equal sizes ordered by first
	// member; an isolate is a community of one.
	Groups []Community
	// Bridges are the ties whose ends lie in different communities, in the
	// Graph's tie order.
	Bridges []Tie
}

// Partition returns the communities as a Partition labelled by the index of
// the community in Groups ("0", "1", …), for EIIndex or Brokerage.
func (c Communities) Partition() Partition {
	p := make(Partition)
	for i, grp := range c.Groups {
		label := strconv.Itoa(i)
		for _, id := range grp.Members {
			p[id] = label
		}
	}
	return p
}

// Louvain detects communities by maximising modularity with the Louvain
// method (gonum's community.Modularize), on the undirected Graph or, for a
// directed Graph, on its undirected projection (reciprocal ties' weights
// summed; see Graph.Undirected). Ties are weighted by their weight.
//
// The result is deterministic for a given Graph content, resolution and seed:
// the nodes are handed to gonum in id order and the moves are shuffled by a
// PCG generator seeded with seed. Different seeds can give different
// partitions; a caller wanting the best of several runs compares Modularity.
// Higher resolution gives more, smaller communities; 1 is the classic
// modularity. A Graph without ties gives one community per node and Q = 0.
//
// It returns an error wrapping ErrInvalidOption if resolution is not finite
// and greater than 0.
func (g *Graph) Louvain(resolution float64, seed uint64) (Communities, error) {
	if !(resolution > 0) || math.IsInf(resolution, 1) {
		return Communities{}, fmt.Errorf("louvain: %w: resolution %v, want > 0", ErrInvalidOption, resolution)
	}
	u := g
	if g.directed {
		u = g.Undirected()
	}
	v := u.view()
	order := g.idOrder() // rank -> index
	comm := make([]int32, v.n)
	if len(v.outAdj) == 0 {
		for i := range comm {
			comm[i] = int32(i)
		}
	} else {
		lg := newLouvainGraph(v, order)
		reduced := community.Modularize(lg, resolution, rand.NewPCG(seed, 0x6b697468))
		for c, members := range reduced.Communities() {
			for _, n := range members {
				comm[order[n.ID()]] = int32(c)
			}
		}
	}
	res := g.communities(comm)
	res.Resolution, res.Seed = resolution, seed
	res.Modularity = modularity(v, comm, resolution)
	return res, nil
}

// communities builds the result for a community label per node index.
func (g *Graph) communities(comm []int32) Communities {
	groups := make(map[int32][]string)
	for u, c := range comm {
		groups[c] = append(groups[c], g.ids[u])
	}
	lists := make([][]string, 0, len(groups))
	for _, members := range groups {
		slices.Sort(members)
		lists = append(lists, members)
	}
	sortGroups(lists)
	var res Communities
	res.Groups = make([]Community, len(lists))
	final := make(map[string]int, len(g.ids))
	for i, members := range lists {
		res.Groups[i].Members = members
		for _, id := range members {
			final[id] = i
		}
	}
	for t := range g.from {
		a, b := final[g.ids[g.from[t]]], final[g.ids[g.to[t]]]
		if a == b {
			res.Groups[a].InternalTies++
			continue
		}
		res.Groups[a].ExternalTies++
		res.Groups[b].ExternalTies++
		res.Bridges = append(res.Bridges, Tie{From: g.ids[g.from[t]], To: g.ids[g.to[t]], Weight: g.weight[t]})
	}
	return res
}

// Modularity returns the modularity Q of the partition p at the given
// resolution γ, as networkx's community.modularity on the undirected Graph (a
// directed Graph is read through its undirected projection):
//
//	Q = Σ_c [ L_c / m − γ (D_c / 2m)² ]
//
// where m is the total tie weight, L_c the weight of ties inside community c
// and D_c the total weighted degree of its members. Nodes missing from p are
// each a community of their own. Q is 0 for a Graph without ties. It returns
// an error wrapping ErrInvalidOption if resolution is not finite and greater
// than 0.
func (g *Graph) Modularity(p Partition, resolution float64) (float64, error) {
	if !(resolution > 0) || math.IsInf(resolution, 1) {
		return 0, fmt.Errorf("modularity: %w: resolution %v, want > 0", ErrInvalidOption, resolution)
	}
	grp := g.groupIndex(p)
	next := int32(len(g.ids)) // singleton labels beyond every group index
	for u := range grp {
		if grp[u] < 0 {
			grp[u] = next
			next++
		}
	}
	u := g
	if g.directed {
		u = g.Undirected()
	}
	return modularity(u.view(), grp, resolution), nil
}

// modularity computes Q on an undirected csr for a label per node.
func modularity(v *csr, comm []int32, resolution float64) float64 {
	var m2 float64 // 2m: every tie appears twice in the out-lists
	inside := make(map[int32]float64)
	degree := make(map[int32]float64)
	for u := range int32(v.n) {
		for k, x := range v.out(u) {
			w := v.outW[v.outOff[u]+k]
			m2 += w
			degree[comm[u]] += w
			if comm[x] == comm[u] {
				inside[comm[u]] += w // each internal tie twice: 2 L_c
			}
		}
	}
	if m2 == 0 {
		return 0
	}
	var q float64
	for c, d := range degree {
		q += inside[c]/m2 - resolution*(d/m2)*(d/m2)
	}
	return q
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
