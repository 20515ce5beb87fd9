package analysis

import (
	"fmt"
	"math"
)

// mutual returns, for node u's neighbour list, the mutual weights
// m_ux = a_ux + a_xu (a the tie weight when weighted, else 1 per tie; an
// undirected tie counts both ways), as networkx's structural-hole measures use.
func (v *csr) mutual(u int32, weighted bool, buf []float64) []float64 {
	out, in := v.nbWeights(u)
	buf = buf[:0]
	for k := range out {
		var m float64
		for _, x := range [2]float64{out[k], in[k]} {
			switch {
			case x == 0:
			case weighted:
				m += x
			default:
				m++
			}
		}
		buf = append(buf, m)
	}
	return buf
}

// mutualTotals returns every node's sum and maximum of mutual weights.
func (v *csr) mutualTotals(weighted bool) (sum, maxm []float64) {
	sum, maxm = make([]float64, v.n), make([]float64, v.n)
	var buf []float64
	for u := range int32(v.n) {
		buf = v.mutual(u, weighted, buf)
		for _, m := range buf {
			sum[u] += m
			maxm[u] = math.Max(maxm[u], m)
		}
	}
	return sum, maxm
}

// Constraint returns Burt's constraint as networkx's constraint: with
// p_uv = m_uv / Σ_x m_ux the share of u's (mutual, in plus out) tie weight
// invested in v,
//
//	c(u) = Σ_{v ∈ N(u)} (p_uv + Σ_{w ∈ N(u)} p_uw p_wv)²
//
// over u's neighbours in either direction. Low constraint means contacts who
// are not tied to each other: a broker across structural holes. Unweighted
// counts each tie as 1. A node without ties gets 0 (networkx: NaN), so check
// its degree before reading 0 as "unconstrained". It returns an error
// wrapping ErrInvalidOption for unknown Weights.
func (g *Graph) Constraint(w Weights) (Scores, error) {
	if err := w.check(); err != nil {
		return nil, fmt.Errorf("constraint: %w", err)
	}
	return g.scores(g.structuralHoles(w == Weighted, false)), nil
}

// EffectiveSize returns Burt's effective size as networkx's effective_size:
//
//	e(u) = Σ_{v ∈ N(u)} (1 - Σ_{w ∈ N(u)} p_uw m_vw / max_x m_vx)
//
// with p and m as in Constraint: the number of u's contacts less their
// redundancy with each other. For an undirected Unweighted Graph this is
// n - 2t/n for the n neighbours and t ties among them (Borgatti). A node
// without ties gets 0 (networkx: NaN). It returns an error wrapping
// ErrInvalidOption for unknown Weights.
func (g *Graph) EffectiveSize(w Weights) (Scores, error) {
	if err := w.check(); err != nil {
		return nil, fmt.Errorf("effective size: %w", err)
	}
	return g.scores(g.structuralHoles(w == Weighted, true)), nil
}

// structuralHoles computes constraint, or effective size when effSize, for
// every node by walking two steps out from it.
func (g *Graph) structuralHoles(weighted, effSize bool) []float64 {
	v := g.view()
	sum, maxm := v.mutualTotals(weighted)
	vals := make([]float64, v.n)
	p := make([]float64, v.n)   // p_ux for the current u's neighbours x, else 0
	acc := make([]float64, v.n) // indirect constraint or redundancy per neighbour
	var mu, mw []float64
	for u := range int32(v.n) {
		nb := v.nbr(u)
		if len(nb) == 0 {
			continue
		}
		mu = v.mutual(u, weighted, mu)
		for k, x := range nb {
			p[x] = mu[k] / sum[u]
		}
		for _, w := range nb {
			mw = v.mutual(w, weighted, mw)
			for k, x := range v.nbr(w) {
				if p[x] == 0 {
					continue // not a neighbour of u (or u itself)
				}
				if effSize {
					acc[x] += p[w] * mw[k] / maxm[x]
				} else {
					acc[x] += p[w] * mw[k] / sum[w]
				}
			}
		}
		var s float64
		for _, x := range nb {
			if effSize {
				s += 1 - acc[x]
			} else {
				c := p[x] + acc[x]
				s += c * c
			}
			p[x], acc[x] = 0, 0
		}
		vals[u] = s
	}
	return vals
}

// BrokerageRoles counts the two-paths a→b→c (with no tie a→c) on which a node
// b is the broker, by Gould and Fernandez's roles, from the groups of a, b
// and c:
//
//   - Coordinator: all three in the same group (a local broker);
//   - Itinerant (consultant): a and c in one group, b in another;
//   - Representative: a and b in one group, c in another (b speaks for its
//     group to outsiders);
//   - Gatekeeper: b and c in one group, a in another (b controls what reaches
//     its group);
//   - Liaison: all three in different groups.
type BrokerageRoles struct {
	Coordinator    int
	Itinerant      int
	Representative int
	Gatekeeper     int
	Liaison        int
}

// Total returns the number of two-paths brokered in any role.
func (r BrokerageRoles) Total() int {
	return r.Coordinator + r.Itinerant + r.Representative + r.Gatekeeper + r.Liaison
}

// Brokerage returns every node's Gould–Fernandez brokerage counts for the
// groups in p. A two-path a→b→c counts when a != c, there is no tie a→c, and
// a, b and c all have a group in p; nodes missing from p take no part. An
// undirected tie is read as two directed ones, so an open triad a–b–c counts
// twice at b (a→b→c and c→b→a): coordinator, itinerant and liaison counts are
// even, and representative equals gatekeeper. Every node has an entry.
func (g *Graph) Brokerage(p Partition) map[string]BrokerageRoles {
	v := g.view()
	grp := g.groupIndex(p)
	out := make(map[string]BrokerageRoles, v.n)
	for b := range int32(v.n) {
		var r BrokerageRoles
		gb := grp[b]
		if gb >= 0 {
			for _, a := range v.in(b) {
				ga := grp[a]
				if ga < 0 {
					continue
				}
				for _, c := range v.out(b) {
					gc := grp[c]
					if gc < 0 || c == a || v.hasArc(a, c) {
						continue
					}
					switch {
					case ga == gb && gb == gc:
						r.Coordinator++
					case ga == gc:
						r.Itinerant++
					case ga == gb:
						r.Representative++
					case gb == gc:
						r.Gatekeeper++
					default:
						r.Liaison++
					}
				}
			}
		}
		out[g.ids[b]] = r
	}
	return out
}

// groupIndex numbers the groups of p per node index; -1 for no group.
func (g *Graph) groupIndex(p Partition) []int32 {
	grp := make([]int32, len(g.ids))
	labels := make(map[string]int32)
	for u, id := range g.ids {
		label, ok := p[id]
		if !ok {
			grp[u] = -1
			continue
		}
		k, ok := labels[label]
		if !ok {
			k = int32(len(labels))
			labels[label] = k
		}
		grp[u] = k
	}
	return grp
}

// EI holds a Krackhardt–Stern E-I index with the counts behind it.
type EI struct {
	// External counts bridging ties (to another group), Internal bonding ties
	// (within the group).
	External int
	Internal int
	// Index is (External - Internal) / (External + Internal), from -1 (all
	// ties bonding) to +1 (all bridging); 0 when there are no ties.
	Index float64
}

func newEI(e, i int) EI {
	x := EI{External: e, Internal: i}
	if e+i > 0 {
		x.Index = float64(e-i) / float64(e+i)
	}
	return x
}

// EIIndex holds the E-I index of every node, every group and the network.
type EIIndex struct {
	// Nodes has every node of the Graph: its ties to other groups and within
	// its own (zeros for a node with no group).
	Nodes map[string]EI
	// Groups has every group of the Partition with a member in the Graph:
	// ties from members to non-members and ties between members.
	Groups map[string]EI
	// Network counts every tie once: across groups or within one.
	Network EI
}

// EIIndex returns the Krackhardt–Stern E-I index of bonding (internal) and
// bridging (external) ties for the groups in p (an attribute, see
// Graph.Partition, or detected communities, see Communities.Partition). Each
// tie counts once, whatever its weight; in a directed Graph a→b and b→a are
// two ties. Ties with an end outside p are left out.
func (g *Graph) EIIndex(p Partition) EIIndex {
	grp := g.groupIndex(p)
	node := make([][2]int, len(g.ids)) // external, internal
	groups := make(map[int32]*[2]int)
	for _, k := range grp {
		if k >= 0 && groups[k] == nil {
			groups[k] = new([2]int)
		}
	}
	var net [2]int
	for t := range g.from {
		a, b := g.from[t], g.to[t]
		ga, gb := grp[a], grp[b]
		if ga < 0 || gb < 0 {
			continue
		}
		k := 0
		if ga == gb {
			k = 1
		}
		node[a][k]++
		node[b][k]++
		net[k]++
		groups[ga][k]++
		if k == 0 {
			groups[gb][k]++
		}
	}
	res := EIIndex{
		Nodes:   make(map[string]EI, len(g.ids)),
		Groups:  make(map[string]EI, len(groups)),
		Network: newEI(net[0], net[1]),
	}
	for u, c := range node {
		res.Nodes[g.ids[u]] = newEI(c[0], c[1])
	}
	for u, k := range grp {
		if k >= 0 {
			c := groups[k]
			res.Groups[p[g.ids[u]]] = newEI(c[0], c[1])
		}
	}
	return res
}
