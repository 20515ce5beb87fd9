package analysis

import (
	"fmt"
	"math"
	"slices"
	"strconv"
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
// method, on the undirected Graph or, for a directed Graph, on its undirected
// projection (reciprocal ties' weights summed; see Graph.Undirected). Ties are
// weighted by their weight.
//
// The method is gonum's community.Modularize for undirected graphs, step for
// step (Blondel et al.'s local moving and aggregation, as gonum documents it
// in louvain.tex), run on flat arrays instead of through gonum's graph
// interfaces: gonum sums a community's weights over all its members for every
// move it considers and aggregates a level through maps and lookups between
// every pair of members, so its cost grows with the square of the
// communities' sizes. The local moves, their order, the tie-breaks and
// the aggregation are gonum's, so with integer tie weights (Kith's) the
// partition is the one Modularize returns for the same seed; with other
// weights sums are added in another order, and a near tie between two moves
// can go the other way. The tests compare the two.
//
// The result is deterministic for a given Graph content, resolution and seed:
// the nodes are taken in id order and the moves are shuffled by a PCG
// generator seeded with seed. Different seeds can give different partitions;
// a caller wanting the best of several runs compares Modularity. Higher
// resolution gives more, smaller communities; 1 is the classic modularity. A
// Graph without ties gives one community per node and Q = 0.
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
	comm := make([]int32, v.n)
	if len(v.outAdj) == 0 {
		for i := range comm {
			comm[i] = int32(i)
		}
	} else {
		order := g.idOrder() // rank -> index
		for r, c := range louvain(v, order, resolution, seed) {
			comm[order[r]] = c
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

// modularity computes Q on an undirected csr for a label per node (labels are
// non-negative). Communities are summed in label order, so the same labels
// give the same bits.
func modularity(v *csr, comm []int32, resolution float64) float64 {
	var labels int32
	for _, c := range comm {
		labels = max(labels, c+1)
	}
	inside := make([]float64, labels)
	degree := make([]float64, labels)
	var m2 float64 // 2m: every tie appears twice in the out-lists
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
		if d != 0 {
			q += inside[c]/m2 - resolution*(d/m2)*(d/m2)
		}
	}
	return q
}
