package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Clustering returns each node's clustering coefficient as networkx's
// clustering:
//
//   - undirected, Unweighted: the share of pairs of the node's neighbours that
//     are tied, 2T/(d(d-1)) for T triangles and degree d;
//   - undirected, Weighted: the same with each triangle counted as the
//     geometric mean of its three weights, each divided by the Graph's largest
//     weight (Onnela et al.);
//   - directed: Fagiolo's directed clustering, T/(2(d(d-1) - 2b)) where d is
//     in- plus out-degree, b the number of reciprocated ties and T the number
//     of directed triangles (weighted as above when Weighted).
//
// Nodes with fewer than two neighbours, or no triangles, have 0. It returns an
// error wrapping ErrInvalidOption for unknown Weights.
func (g *Graph) Clustering(w Weights) (Scores, error) {
	if err := w.check(); err != nil {
		return nil, fmt.Errorf("clustering: %w", err)
	}
	return g.scores(clustering(g.view(), w == Weighted)), nil
}

// clustering computes the coefficients with one symmetric "strength" s per
// neighbour pair: t(i) = sum over neighbours j, k of i of s_ij s_jk s_ki,
// where s is 1 (undirected), A_ij + A_ji (directed) or the same with cube
// roots of normalised weights. This is networkx's count term by term.
func clustering(v *csr, weighted bool) []float64 {
	maxW := 0.0
	for _, x := range v.outW {
		maxW = math.Max(maxW, x)
	}
	strength := func(out, in float64) float64 {
		var s float64
		for _, x := range [2]float64{out, in} {
			switch {
			case x == 0:
			case weighted:
				s += math.Cbrt(x / maxW)
			default:
				s++
			}
			if !v.directed {
				return s
			}
		}
		return s
	}
	vals := make([]float64, v.n)
	mark := make([]float64, v.n) // s_ik for the current i's neighbours k, else 0
	for i := range int32(v.n) {
		nb := v.nbr(i)
		if len(nb) < 2 {
			continue
		}
		oi, ii := v.nbWeights(i)
		for a, k := range nb {
			mark[k] = strength(oi[a], ii[a])
		}
		var t float64
		for _, j := range nb {
			sij := mark[j]
			oj, ij := v.nbWeights(j)
			for b, k := range v.nbr(j) {
				if sik := mark[k]; sik != 0 {
					t += sij * strength(oj[b], ij[b]) * sik
				}
			}
		}
		for _, k := range nb {
			mark[k] = 0
		}
		if t == 0 {
			continue
		}
		if !v.directed {
			d := float64(len(nb))
			vals[i] = t / (d * (d - 1))
			continue
		}
		dt := float64(v.inDeg(i) + v.outDeg(i))
		db := float64(v.inDeg(i) + v.outDeg(i) - len(nb))
		vals[i] = t / (2 * (dt*(dt-1) - 2*db))
	}
	return vals
}

// AverageClustering returns the mean of Clustering over all nodes, zeros
// included (networkx's average_clustering), or 0 for an empty Graph. It
// returns an error wrapping ErrInvalidOption for unknown Weights.
func (g *Graph) AverageClustering(w Weights) (float64, error) {
	if err := w.check(); err != nil {
		return 0, fmt.Errorf("average clustering: %w", err)
	}
	return mean(clustering(g.view(), w == Weighted)), nil
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Transitivity returns the share of connected triples that close into
// triangles, 3 × triangles / connected triples, as networkx's transitivity.
// Directions are ignored (a directed Graph is read as undirected). It is 0
// when there are no triangles.
func (g *Graph) Transitivity() float64 {
	return transitivity(g.view())
}

func transitivity(v *csr) float64 {
	mark := make([]bool, v.n)
	var tri, triples float64
	for i := range int32(v.n) {
		nb := v.nbr(i)
		d := float64(len(nb))
		triples += d * (d - 1)
		for _, k := range nb {
			mark[k] = true
		}
		for _, j := range nb {
			for _, k := range v.nbr(j) {
				if mark[k] {
					tri++
				}
			}
		}
		for _, k := range nb {
			mark[k] = false
		}
	}
	if tri == 0 {
		return 0
	}
	return tri / triples
}

// Components returns the connected components (weakly connected, ignoring
// direction, for a directed Graph), largest first; each lists its node ids in
// order, and components of equal size are ordered by their first id. An
// isolate is a component of one.
func (g *Graph) Components() [][]string {
	comp := components(g.view())
	groups := make(map[int32][]string)
	for u, c := range comp {
		groups[c] = append(groups[c], g.ids[u])
	}
	out := make([][]string, 0, len(groups))
	for _, members := range groups {
		slices.Sort(members)
		out = append(out, members)
	}
	sortGroups(out)
	return out
}

// sortGroups orders groups of sorted ids largest first, then by first id.
func sortGroups(gs [][]string) {
	slices.SortFunc(gs, func(a, b []string) int {
		if c := cmp.Compare(len(b), len(a)); c != 0 {
			return c
		}
		return cmp.Compare(a[0], b[0])
	})
}

// components labels every node with the index of its weak component.
func components(v *csr) []int32 {
	comp := make([]int32, v.n)
	for i := range comp {
		comp[i] = -1
	}
	var queue []int32
	var c int32
	for s := range int32(v.n) {
		if comp[s] >= 0 {
			continue
		}
		comp[s] = c
		queue = append(queue[:0], s)
		for head := 0; head < len(queue); head++ {
			for _, x := range v.nbr(queue[head]) {
				if comp[x] < 0 {
					comp[x] = c
					queue = append(queue, x)
				}
			}
		}
		c++
	}
	return comp
}

// CoreNumbers returns each node's core number, as networkx's core_number: the
// largest k such that the node belongs to a k-core, the maximal subgraph in
// which every node has degree at least k. In a directed Graph degree is in
// plus out (a reciprocated pair counts twice). Isolates have 0.
// Batagelj–Zaversnik, O(n + m).
func (g *Graph) CoreNumbers() map[string]int {
	core := coreNumbers(g.view())
	out := make(map[string]int, len(core))
	for u, k := range core {
		out[g.ids[u]] = int(k)
	}
	return out
}

func coreNumbers(v *csr) []int32 {
	n := v.n
	deg := make([]int32, n)
	var maxDeg int32
	for u := range int32(n) {
		deg[u] = int32(degree(v, u, Total))
		maxDeg = max(maxDeg, deg[u])
	}
	bin := make([]int32, maxDeg+1) // start of each degree's block in vert
	for _, d := range deg {
		bin[d]++
	}
	var start int32
	for d, c := range bin {
		bin[d] = start
		start += c
	}
	pos := make([]int32, n)
	vert := make([]int32, n)
	next := slices.Clone(bin)
	for u, d := range deg {
		pos[u] = next[d]
		vert[pos[u]] = int32(u)
		next[d]++
	}
	visit := func(v0, u int32) {
		if deg[u] <= deg[v0] {
			return
		}
		du, pu := deg[u], pos[u]
		pw := bin[du]
		w := vert[pw]
		if u != w {
			pos[u], pos[w] = pw, pu
			vert[pu], vert[pw] = w, u
		}
		bin[du]++
		deg[u]--
	}
	for i := range int32(n) {
		x := vert[i]
		for _, u := range v.out(x) {
			visit(x, u)
		}
		if v.directed {
			for _, u := range v.in(x) {
				visit(x, u)
			}
		}
	}
	return deg
}

// Density returns ties over possible ties: m/(n(n-1)) for a directed Graph,
// 2m/(n(n-1)) for an undirected one, as networkx's density; 0 with fewer than
// two nodes.
func (g *Graph) Density() float64 {
	n, m := float64(g.NodeCount()), float64(g.TieCount())
	if n < 2 {
		return 0
	}
	if g.directed {
		return m / (n * (n - 1))
	}
	return 2 * m / (n * (n - 1))
}

// Reciprocity returns the share of a directed Graph's ties whose reverse tie
// also exists (networkx's overall_reciprocity); 1 for an undirected Graph with
// ties (every tie is mutual); 0 for a Graph without ties.
func (g *Graph) Reciprocity() float64 {
	v := g.view()
	if len(v.outAdj) == 0 {
		return 0
	}
	if !v.directed {
		return 1
	}
	var mutual int
	for u := range int32(v.n) {
		for _, x := range v.out(u) {
			if v.hasArc(x, u) {
				mutual++
			}
		}
	}
	return float64(mutual) / float64(len(v.outAdj))
}

// Isolates lists the nodes cut off in the Graph. Each list is sorted by id.
type Isolates struct {
	// Isolated nodes have no ties at all (degree 0).
	Isolated []string
	// NamedNobody, in a directed Graph, have no out-ties (out-degree 0): in
	// survey data, respondents who named no one, or people never surveyed. It
	// includes the Isolated. Nil for an undirected Graph.
	NamedNobody []string
	// NamedByNobody, in a directed Graph, have no in-ties (in-degree 0): no one
	// named them. It includes the Isolated. Nil for an undirected Graph.
	NamedByNobody []string
}

// Isolates returns the isolated nodes, and for a directed Graph the nodes that
// named nobody and those named by nobody.
func (g *Graph) Isolates() Isolates {
	v := g.view()
	var is Isolates
	for _, u := range g.idOrder() {
		in, out := v.inDeg(u), v.outDeg(u)
		if in == 0 && out == 0 {
			is.Isolated = append(is.Isolated, g.ids[u])
		}
		if !v.directed {
			continue
		}
		if out == 0 {
			is.NamedNobody = append(is.NamedNobody, g.ids[u])
		}
		if in == 0 {
			is.NamedByNobody = append(is.NamedByNobody, g.ids[u])
		}
	}
	return is
}

// Summary describes a whole Graph in a few numbers.
type Summary struct {
	Directed bool
	Nodes    int
	Ties     int
	// Density is as Graph.Density.
	Density float64
	// AverageDegree is the mean number of ties per node, in and out (2m/n).
	AverageDegree float64
	// Components is the number of (weakly) connected components, isolates
	// included; LargestComponent the number of nodes in the largest.
	Components       int
	LargestComponent int
	// Isolated, NamedNobody and NamedByNobody count the lists of Isolates.
	Isolated      int
	NamedNobody   int
	NamedByNobody int
	// AverageClustering is unweighted, as AverageClustering(Unweighted).
	AverageClustering float64
	// Transitivity is as Graph.Transitivity.
	Transitivity float64
	// Reciprocity is as Graph.Reciprocity.
	Reciprocity float64
}

// Summary returns the Graph's summary numbers. Every field is 0 for an empty
// Graph.
func (g *Graph) Summary() Summary {
	v := g.view()
	s := Summary{
		Directed:          v.directed,
		Nodes:             v.n,
		Ties:              g.TieCount(),
		Density:           g.Density(),
		AverageClustering: mean(clustering(v, false)),
		Transitivity:      transitivity(v),
		Reciprocity:       g.Reciprocity(),
	}
	if v.n > 0 {
		s.AverageDegree = 2 * float64(s.Ties) / float64(v.n)
	}
	sizes := make(map[int32]int)
	for _, c := range components(v) {
		sizes[c]++
	}
	s.Components = len(sizes)
	for _, k := range sizes {
		s.LargestComponent = max(s.LargestComponent, k)
	}
	is := g.Isolates()
	s.Isolated, s.NamedNobody, s.NamedByNobody = len(is.Isolated), len(is.NamedNobody), len(is.NamedByNobody)
	return s
}
