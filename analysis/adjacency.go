package analysis

import "slices"

// csr is a Graph's adjacency in compressed sparse rows, built on first use
// after a change and shared read-only by every measure. Node indexes are the
// Graph's insertion indexes; every node's lists are sorted by neighbour index.
type csr struct {
	n        int
	directed bool

	outOff []int // out-ties of u are outAdj[outOff[u]:outOff[u+1]]
	outAdj []int32
	outW   []float64

	inOff []int // in-ties; the same slices as out for an undirected Graph
	inAdj []int32
	inW   []float64

	// nb lists every neighbour once, whatever the direction, with the weight of
	// the tie u→x (nbOut) and x→u (nbIn), 0 where there is none. For an
	// undirected Graph these are the out slices.
	nbOff []int
	nbAdj []int32
	nbOut []float64
	nbIn  []float64
}

func (v *csr) out(u int32) []int32         { return v.outAdj[v.outOff[u]:v.outOff[u+1]] }
func (v *csr) outWeight(u int32) []float64 { return v.outW[v.outOff[u]:v.outOff[u+1]] }
func (v *csr) in(u int32) []int32          { return v.inAdj[v.inOff[u]:v.inOff[u+1]] }
func (v *csr) inWeight(u int32) []float64  { return v.inW[v.inOff[u]:v.inOff[u+1]] }
func (v *csr) nbr(u int32) []int32         { return v.nbAdj[v.nbOff[u]:v.nbOff[u+1]] }
func (v *csr) outDeg(u int32) int          { return v.outOff[u+1] - v.outOff[u] }
func (v *csr) inDeg(u int32) int           { return v.inOff[u+1] - v.inOff[u] }

// nbWeights returns the weights u→x and x→u of u's neighbour list.
func (v *csr) nbWeights(u int32) (out, in []float64) {
	lo, hi := v.nbOff[u], v.nbOff[u+1]
	return v.nbOut[lo:hi], v.nbIn[lo:hi]
}

// hasArc reports whether there is a tie u→w (u–w in an undirected Graph).
func (v *csr) hasArc(u, w int32) bool {
	_, ok := slices.BinarySearch(v.out(u), w)
	return ok
}

// view returns the Graph's adjacency, building it if the Graph changed.
func (g *Graph) view() *csr {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cache == nil {
		g.cache = buildCSR(g.directed, len(g.ids), g.from, g.to, g.weight)
	}
	return g.cache
}

// buildCSR lays out the ties as sorted adjacency lists with two counting
// passes: bucketing arcs by target and then reading the buckets in target
// order into source buckets leaves every source bucket sorted by target.
func buildCSR(directed bool, n int, from, to []int32, weight []float64) *csr {
	v := &csr{n: n, directed: directed}
	arcs := len(from)
	if !directed {
		arcs *= 2
	}
	// Pass 1: arcs bucketed by target, in tie order.
	tOff := make([]int, n+1)
	for t := range from {
		tOff[to[t]+1]++
		if !directed {
			tOff[from[t]+1]++
		}
	}
	for i := 0; i < n; i++ {
		tOff[i+1] += tOff[i]
	}
	tSrc := make([]int32, arcs)
	tW := make([]float64, arcs)
	pos := slices.Clone(tOff[:n])
	for t := range from {
		u, w, x := from[t], to[t], weight[t]
		tSrc[pos[w]], tW[pos[w]] = u, x
		pos[w]++
		if !directed {
			tSrc[pos[u]], tW[pos[u]] = w, x
			pos[u]++
		}
	}
	// Pass 2: read target buckets in order into source buckets.
	v.outOff = make([]int, n+1)
	for _, s := range tSrc {
		v.outOff[s+1]++
	}
	for i := 0; i < n; i++ {
		v.outOff[i+1] += v.outOff[i]
	}
	v.outAdj = make([]int32, arcs)
	v.outW = make([]float64, arcs)
	pos = slices.Clone(v.outOff[:n])
	for t := 0; t < n; t++ {
		for a := tOff[t]; a < tOff[t+1]; a++ {
			s := tSrc[a]
			v.outAdj[pos[s]], v.outW[pos[s]] = int32(t), tW[a]
			pos[s]++
		}
	}
	if !directed {
		v.inOff, v.inAdj, v.inW = v.outOff, v.outAdj, v.outW
		v.nbOff, v.nbAdj, v.nbOut, v.nbIn = v.outOff, v.outAdj, v.outW, v.outW
		return v
	}
	// Pass 3: in-lists sorted by source, from the sorted out-lists.
	v.inOff = tOff
	v.inAdj, v.inW = tSrc, tW
	pos = slices.Clone(v.inOff[:n])
	for s := 0; s < n; s++ {
		for a := v.outOff[s]; a < v.outOff[s+1]; a++ {
			t := v.outAdj[a]
			v.inAdj[pos[t]], v.inW[pos[t]] = int32(s), v.outW[a]
			pos[t]++
		}
	}
	// Pass 4: neighbour lists, merging out and in.
	v.nbOff = make([]int, n+1)
	v.nbAdj = make([]int32, 0, arcs)
	v.nbOut = make([]float64, 0, arcs)
	v.nbIn = make([]float64, 0, arcs)
	for u := int32(0); int(u) < n; u++ {
		o, ow, i, iw := v.out(u), v.outWeight(u), v.in(u), v.inWeight(u)
		a, b := 0, 0
		for a < len(o) || b < len(i) {
			switch {
			case b == len(i) || a < len(o) && o[a] < i[b]:
				v.nbAdj, v.nbOut, v.nbIn = append(v.nbAdj, o[a]), append(v.nbOut, ow[a]), append(v.nbIn, 0)
				a++
			case a == len(o) || i[b] < o[a]:
				v.nbAdj, v.nbOut, v.nbIn = append(v.nbAdj, i[b]), append(v.nbOut, 0), append(v.nbIn, iw[b])
				b++
			default:
				v.nbAdj, v.nbOut, v.nbIn = append(v.nbAdj, o[a]), append(v.nbOut, ow[a]), append(v.nbIn, iw[b])
				a++
				b++
			}
		}
		v.nbOff[u+1] = len(v.nbAdj)
	}
	return v
}
