package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Length says how long a tie is for shortest-path measures (betweenness,
// closeness, harmonic centrality).
type Length int

const (
	// Hops makes every tie length 1: paths are counted in steps.
	Hops Length = iota
	// WeightLength makes a tie's weight its length, as networkx's
	// weight="weight" / distance="weight". Use it when weights are costs.
	WeightLength
	// InverseWeight makes a tie's length 1/weight, so strong ties are short:
	// the usual reading of tie strength for path measures.
	InverseWeight
)

func (l Length) check() error {
	if l != Hops && l != WeightLength && l != InverseWeight {
		return fmt.Errorf("%w: length %d", ErrInvalidOption, l)
	}
	return nil
}

// Sample asks a path-based measure for an estimate from K source nodes instead
// of from every node. The sources are drawn without replacement, uniformly,
// from the node ids in lexicographic order with a PCG generator seeded with
// Seed, so the same Graph content, K and Seed give the same estimate. K must be
// at least 1; K at or above the number of nodes computes the exact value.
type Sample struct {
	K    int
	Seed uint64
}

func (s *Sample) check() error {
	if s != nil && s.K < 1 {
		return fmt.Errorf("%w: sample size k = %d, want >= 1", ErrInvalidOption, s.K)
	}
	return nil
}

// exact reports whether a Sample covers all n nodes (or there is no Sample).
func (s *Sample) exact(n int) bool { return s == nil || s.K >= n }

// SampleBound returns the additive error bound of a sampled estimate: with
// probability at least confidence, every node's sampled normalised
// betweenness, and every node's sampled harmonic centrality divided by n-1
// (with Hops lengths), is within the returned value of the exact one. It is
// Hoeffding's inequality for the mean of k-1 values in [0, 1] drawn without
// replacement, with a union bound over the n nodes (the Brandes–Pich /
// Eppstein–Wang argument):
//
//	epsilon = sqrt(ln(2n / (1 - confidence)) / (2 (k - 1)))
//
// capped at 1 (the width of the range). It is 0 when k >= n (the estimate is
// exact) and 1 when k = 1. For WeightLength or InverseWeight lengths the
// harmonic bound must be divided by the shortest tie length when that is
// below 1. It returns an error wrapping ErrInvalidOption if n < 0, k < 1 or
// confidence is not strictly between 0 and 1.
func SampleBound(n, k int, confidence float64) (float64, error) {
	switch {
	case n < 0:
		return 0, fmt.Errorf("sample bound: %w: n = %d", ErrInvalidOption, n)
	case k < 1:
		return 0, fmt.Errorf("sample bound: %w: k = %d, want >= 1", ErrInvalidOption, k)
	case !(confidence > 0 && confidence < 1):
		return 0, fmt.Errorf("sample bound: %w: confidence %v not in (0, 1)", ErrInvalidOption, confidence)
	}
	if k >= n {
		return 0, nil
	}
	if k == 1 {
		return 1, nil
	}
	eps := math.Sqrt(math.Log(2*float64(n)/(1-confidence)) / (2 * float64(k-1)))
	return math.Min(eps, 1), nil
}

// sources returns the nodes a Sample draws, or every node when it is exact.
func (g *Graph) sources(s *Sample) []int32 {
	n := len(g.ids)
	if s.exact(n) {
		all := make([]int32, n)
		for i := range all {
			all[i] = int32(i)
		}
		return all
	}
	byID := g.idOrder()
	rng := rand.New(rand.NewPCG(s.Seed, 0x6b697468)) // "kith"
	for i := 0; i < s.K; i++ {
		j := i + rng.IntN(n-i)
		byID[i], byID[j] = byID[j], byID[i]
	}
	return byID[:s.K]
}

// idOrder returns the node indexes sorted by id.
func (g *Graph) idOrder() []int32 {
	idx := make([]int32, len(g.ids))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return cmp.Compare(g.ids[a], g.ids[b]) })
	return idx
}

// lengths returns the per-arc lengths of the out- and in-lists, or nil for Hops.
func (v *csr) lengths(l Length) (out, in []float64) {
	conv := func(w []float64) []float64 {
		r := make([]float64, len(w))
		for i, x := range w {
			if l == InverseWeight {
				r[i] = 1 / x
			} else {
				r[i] = x
			}
		}
		return r
	}
	if l == Hops {
		return nil, nil
	}
	out = conv(v.outW)
	if !v.directed {
		return out, out
	}
	return out, conv(v.inW)
}

// adj is one direction of a csr with optional per-arc lengths (nil: 1).
type adj struct {
	off []int
	to  []int32
	len []float64
}

// forward and backward return the adjacency along and against the ties.
func (v *csr) forward(outLen []float64) adj { return adj{v.outOff, v.outAdj, outLen} }
func (v *csr) backward(inLen []float64) adj { return adj{v.inOff, v.inAdj, inLen} }

// search holds one goroutine's buffers for single-source shortest paths along
// one adjacency: breadth-first for hops, Dijkstra for lengths.
type search struct {
	a     adj
	b     adj       // a reversed, for path-counting breadth-first searches
	hop   []int32   // hops from the source, -1 when not reached (a.len nil)
	dist  []float64 // length from the source, +Inf when not reached (a.len set)
	sigma []float64 // number of shortest paths from the source (Brandes)
	coef  []float64 // (1 + dependency) / sigma, filled by brandes
	order []int32   // reached nodes in order of settling
	pend  []float64 // dependencies of one level until it is complete

	// Path-counting breadth-first searches only.
	levels    []int     // level i is order[levels[i]:levels[i+1]]
	levelOut  []int     // out-ties of each level's nodes (one more entry: 0)
	levelIn   []int     // in-ties of each level's nodes
	unreached []int32   // nodes not reached when last listed
	dsum      []float64 // dependency sums pushed to a level from the next; 0 between uses
	symmetric bool      // b is a (an undirected graph)
	// bottomUpGain and pushCost, fields so that tests can force either way.
	bottomUpGain, pushCost int

	heap distHeap
}

// newPathSearch returns a search that counts shortest paths (for Brandes)
// along a, whose reverse is b.
func newPathSearch(n int, a, b adj) *search {
	s := newSearch(n, a, true)
	s.b = b
	s.symmetric = len(a.off) > 0 && len(b.off) > 0 && &a.off[0] == &b.off[0]
	s.bottomUpGain, s.pushCost = bottomUpGain, pushCost
	if a.len == nil {
		s.dsum = make([]float64, n)
	}
	return s
}

func newSearch(n int, a adj, paths bool) *search {
	s := &search{a: a}
	if a.len == nil {
		s.hop = make([]int32, n)
		for i := range s.hop {
			s.hop[i] = -1
		}
	} else {
		s.dist = make([]float64, n)
		for i := range s.dist {
			s.dist[i] = math.Inf(1)
		}
	}
	if paths {
		s.sigma = make([]float64, n)
		s.coef = make([]float64, n)
	}
	return s
}

// distance returns the distance of a node reached by the last run.
func (s *search) distance(u int32) float64 {
	if s.hop != nil {
		return float64(s.hop[u])
	}
	return s.dist[u]
}

// reset forgets the last run.
func (s *search) reset() {
	for _, u := range s.order {
		if s.hop != nil {
			s.hop[u] = -1
		} else {
			s.dist[u] = math.Inf(1)
		}
		if s.sigma != nil {
			s.sigma[u] = 0
		}
	}
	s.order = s.order[:0]
}

// run computes shortest paths from src; afterwards order lists the reached
// nodes by distance, and sigma holds path counts if the search counts paths.
func (s *search) run(src int32) {
	s.reset()
	if s.sigma != nil {
		s.sigma[src] = 1
	}
	if s.hop != nil {
		s.bfs(src)
	} else {
		s.dijkstra(src)
	}
}

func (s *search) bfs(src int32) {
	s.hop[src] = 0
	if s.sigma == nil {
		s.order = bfsHops(s.a.off, s.a.to, s.hop, append(s.order, src))
		return
	}
	s.bfsLevels(src)
}

// bfsHops extends the queue q (holding the source) breadth-first, setting hop.
func bfsHops(off []int, to, hop, q []int32) []int32 {
	for h := 0; h < len(q); h++ {
		u := q[h]
		du := hop[u] + 1
		for _, x := range to[off[u]:off[u+1]] {
			if hop[x] < 0 {
				hop[x] = du
				q = append(q, x)
			}
		}
	}
	return q
}

// The direction-optimising searches weigh the ties each way would read (in
// quarters, tuned on the benchmark graphs): a tie read bottom-up (two loads
// and an add) costs about two thirds of one read top-down (which also writes
// hop, the queue and sigma), and a dependency pushed along an in-tie (a
// read-modify-write) about twice one pulled along an out-tie (a load and an
// add).
const (
	bottomUpGain = 6 // bottom-up when its ties number under 6/4 of top-down's
	pushCost     = 8 // push when twice its ties number under pull's
)

// onLevel returns all ones when h == l, else 0: a mask that keeps or clears
// the bits of a float64 without a branch (whether a neighbour lies on a given
// level is unpredictable in the middle levels).
func onLevel(h, l int32) uint64 {
	d := h - l
	return ^uint64(int64((d | -d) >> 31))
}

// masked returns x when mask is all ones and +0 when it is 0.
func masked(x float64, mask uint64) float64 {
	return math.Float64frombits(math.Float64bits(x) & mask)
}

// levelTies returns the number of out-ties and in-ties of the nodes.
func (s *search) levelTies(nodes []int32) (out, in int) {
	off, boff := s.a.off, s.b.off
	if s.symmetric {
		for _, u := range nodes {
			out += off[u+1] - off[u]
		}
		return out, out
	}
	for _, u := range nodes {
		out += off[u+1] - off[u]
		in += boff[u+1] - boff[u]
	}
	return out, in
}

// bfsLevels is a breadth-first search from src (already at hop 0) that counts
// shortest paths in sigma, and records where each level starts in levels and
// its nodes' out- and in-ties in levelOut and levelIn. Each level is expanded
// whichever way reads fewer ties (Beamer, Asanović and Patterson's
// direction-optimising search): top-down, every frontier node pushing its
// path count along its ties, or bottom-up, every node not yet reached pulling
// the path counts of its in-neighbours on the frontier. In a small-world
// graph the last levels are a handful of nodes next to a frontier holding
// most of the graph, so bottom-up saves about a third of the reads. Path
// counts are whole numbers, added exactly either way (below 2^53).
func (s *search) bfsLevels(src int32) {
	off, to, boff, bto := s.a.off, s.a.to, s.b.off, s.b.to
	hop, sigma := s.hop, s.sigma
	n := len(hop)
	if cap(s.order) < n+1 {
		s.order = make([]int32, 0, n+1)
	}
	q := s.order[:cap(s.order)]
	q[0] = src
	tail := 1
	levels := append(s.levels[:0], 0)
	frontierTies, srcIn := s.levelTies(q[:1])
	levelOut, levelIn := append(s.levelOut[:0], frontierTies), append(s.levelIn[:0], srcIn)
	unreached := s.unreached[:0]
	// listed: unreached holds every node not reached (and perhaps some
	// reached since); unreachedTies counts the in-ties of the nodes not reached.
	listed := false
	unreachedTies := len(bto) - srcIn
	for lo := 0; lo < tail; {
		hi := tail
		levels = append(levels, hi)
		l := hop[q[lo]]
		// Listing the nodes not reached is a sequential scan, about an
		// eighth of the cost of reading as many ties.
		listCost := len(unreached) / 8
		if !listed {
			listCost = n / 8
		}
		if unreachedTies+listCost < s.bottomUpGain*frontierTies/4 {
			if !listed {
				for x := range int32(n) {
					if hop[x] < 0 {
						unreached = append(unreached, x)
					}
				}
				listed = true
			}
			keep := 0
			for _, x := range unreached {
				if hop[x] >= 0 {
					continue // reached top-down since it was listed
				}
				var sum0, sum1 float64 // two sums: half the chain of dependent adds
				in := bto[boff[x]:boff[x+1]]
				k := 0
				for ; k+1 < len(in); k += 2 {
					w0, w1 := in[k], in[k+1]
					sum0 += masked(sigma[w0], onLevel(hop[w0], l))
					sum1 += masked(sigma[w1], onLevel(hop[w1], l))
				}
				if k < len(in) {
					w := in[k]
					sum0 += masked(sigma[w], onLevel(hop[w], l))
				}
				if sum := sum0 + sum1; sum > 0 {
					hop[x], sigma[x] = l+1, sum
					q[tail] = x
					tail++
				} else {
					unreached[keep] = x
					keep++
				}
			}
			unreached = unreached[:keep]
		} else {
			// Branch-free: every tie writes hop[x] and q[tail], but only an
			// unseen x changes hop[x] and advances tail, and only an x on the
			// next level adds to sigma.
			du := l + 1
			for _, u := range q[lo:hi] {
				su := sigma[u]
				for _, x := range to[off[u]:off[u+1]] {
					hx := hop[x]
					m := hx >> 31 // -1 if unseen, else 0
					hx -= m * (du + 1)
					hop[x] = hx
					q[tail] = x
					tail -= int(m)
					sigma[x] += masked(su, onLevel(hx, du))
				}
			}
		}
		out, in := s.levelTies(q[hi:tail])
		frontierTies = out
		unreachedTies -= in
		levelOut, levelIn = append(levelOut, out), append(levelIn, in)
		lo = hi
	}
	s.order, s.levels, s.unreached = q[:tail], levels, unreached
	s.levelOut, s.levelIn = levelOut, levelIn
}

// dijkstra settles nodes in order of length. Path counts follow networkx:
// relaxing v→w from a settled v either improves w (sigma[w] = sigma[v]) or
// ties with its length exactly (sigma[w] += sigma[v]).
func (s *search) dijkstra(src int32) {
	off, to, ln, dist, sigma := s.a.off, s.a.to, s.a.len, s.dist, s.sigma
	dist[src] = 0
	s.heap.reset()
	s.heap.push(distItem{0, src})
	for s.heap.size > 0 {
		it := s.heap.pop()
		u, d := it.u, it.d
		if d > dist[u] {
			continue // stale entry
		}
		s.order = append(s.order, u)
		for k := off[u]; k < off[u+1]; k++ {
			x := to[k]
			nd := d + ln[k]
			switch {
			case nd < dist[x]:
				dist[x] = nd
				if sigma != nil {
					sigma[x] = sigma[u]
				}
				s.heap.push(distItem{nd, x})
			case nd == dist[x] && sigma != nil:
				sigma[x] += sigma[u]
			}
		}
	}
}

// brandes runs a path-counting search from src and adds every node's
// dependency on src (Brandes 2001) to acc. The dependencies are pulled from
// each node's successors on shortest paths in reverse settling order, so only
// the searched adjacency is needed.
func (s *search) brandes(src int32, acc []float64) {
	s.run(src)
	off, to, sigma, coef := s.a.off, s.a.to, s.sigma, s.coef
	if s.hop != nil {
		s.dependencies(src, acc)
		return
	}
	ln, dist := s.a.len, s.dist
	for i := len(s.order) - 1; i >= 0; i-- {
		v := s.order[i]
		dv := dist[v]
		var sum float64
		for k := off[v]; k < off[v+1]; k++ {
			if w := to[k]; dv+ln[k] == dist[w] {
				sum += coef[w]
			}
		}
		delta := sigma[v] * sum
		if v != src {
			acc[v] += delta
		}
		coef[v] = (1 + delta) / sigma[v]
	}
}

// dependencies adds every node's dependency on src to acc after bfsLevels,
// level by level from the deepest. A node's dependency sums coef over its
// successors (its out-neighbours one level deeper), which is read whichever
// way touches fewer ties: pulled over the node's out-ties, or pushed from the
// next level along its in-ties. Pulling needs no test: out-neighbours are at
// most one level deeper, shallower levels' coefs are still 0, and the current
// level's coefs are written only once the whole level is done. Pushing masks
// the in-neighbours on other levels. The deepest level has no successors.
func (s *search) dependencies(src int32, acc []float64) {
	off, to, bto, boff := s.a.off, s.a.to, s.b.to, s.b.off
	hop, sigma, coef, dsum, order, levels := s.hop, s.sigma, s.coef, s.dsum, s.order, s.levels
	for i := len(levels) - 2; i >= 0; i-- {
		level := order[levels[i]:levels[i+1]]
		pend := s.pend[:0]
		if push := s.levelIn[i+1]; s.pushCost*push/4 < s.levelOut[i] {
			l := int32(i)
			next := order[levels[i+1]:levels[min(i+2, len(levels)-1)]] // empty below the deepest
			for _, w := range next {
				cw := coef[w]
				for _, v := range bto[boff[w]:boff[w+1]] {
					dsum[v] += masked(cw, onLevel(hop[v], l))
				}
			}
			for _, v := range level {
				pend = append(pend, sigma[v]*dsum[v])
				dsum[v] = 0
			}
		} else {
			for _, v := range level {
				var sum0, sum1 float64 // two sums: half the chain of dependent adds
				out := to[off[v]:off[v+1]]
				k := 0
				for ; k+1 < len(out); k += 2 {
					sum0 += coef[out[k]]
					sum1 += coef[out[k+1]]
				}
				if k < len(out) {
					sum0 += coef[out[k]]
				}
				pend = append(pend, sigma[v]*(sum0+sum1))
			}
		}
		for j, v := range level {
			if v != src {
				acc[v] += pend[j]
			}
			coef[v] = (1 + pend[j]) / sigma[v]
		}
		s.pend = pend
	}
	for _, v := range order {
		coef[v] = 0
	}
}

// multiSearch is a bit-parallel breadth-first search from up to 64 sources at
// once (Then et al., "The More the Merrier", VLDB 2014): bit i of a node's
// word says source i has reached it, so one pass over a node's ties advances
// every source whose frontier holds the node.
type multiSearch struct {
	a        adj
	seen     []uint64
	frontier []uint64
	next     []uint64
	active   []int32 // nodes with a non-empty frontier
	touched  []int32 // nodes with a non-empty next
	reached  []int32 // nodes with a non-empty seen, to reset
}

func newMultiSearch(n int, a adj) *multiSearch {
	return &multiSearch{a: a, seen: make([]uint64, n), frontier: make([]uint64, n), next: make([]uint64, n)}
}

// run searches from srcs (at most 64) along the adjacency and calls visit for
// every node x and level >= 1 at which some sources first reach x, with those
// sources' bits (bit i for srcs[i]) in newly.
func (m *multiSearch) run(srcs []int32, visit func(x int32, newly uint64, level int32)) {
	off, to := m.a.off, m.a.to
	seen, frontier, next := m.seen, m.frontier, m.next
	for _, u := range m.reached {
		seen[u] = 0
	}
	m.active, m.reached = m.active[:0], m.reached[:0]
	for i, s := range srcs {
		if seen[s] == 0 {
			m.active = append(m.active, s)
			m.reached = append(m.reached, s)
		}
		seen[s] |= 1 << i
		frontier[s] |= 1 << i
	}
	for level := int32(1); len(m.active) > 0; level++ {
		m.touched = m.touched[:0]
		for _, u := range m.active {
			f := frontier[u]
			for _, x := range to[off[u]:off[u+1]] {
				if next[x] == 0 {
					m.touched = append(m.touched, x)
				}
				next[x] |= f
			}
		}
		for _, u := range m.active {
			frontier[u] = 0
		}
		m.active = m.active[:0]
		for _, x := range m.touched {
			newly := next[x] &^ seen[x]
			next[x] = 0
			if newly == 0 {
				continue
			}
			if seen[x] == 0 {
				m.reached = append(m.reached, x)
			}
			seen[x] |= newly
			frontier[x] = newly
			m.active = append(m.active, x)
			visit(x, newly, level)
		}
	}
}

type distItem struct {
	d float64
	u int32
}

// distHeap is a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan) on the bit
// patterns of non-negative float64 distances, which order like the values.
// It needs the monotone pushes Dijkstra makes (never below the last pop) and
// then costs O(1) per push and amortised O(64) bit-bucket moves per item.
type distHeap struct {
	last    uint64
	size    int
	buckets [65][]distItem
}

func radixBucket(key, last uint64) int {
	if key == last {
		return 0
	}
	return 64 - bits.LeadingZeros64(key^last)
}

func (h *distHeap) reset() {
	for i := range h.buckets {
		h.buckets[i] = h.buckets[i][:0]
	}
	h.last, h.size = 0, 0
}

func (h *distHeap) push(it distItem) {
	b := radixBucket(math.Float64bits(it.d), h.last)
	h.buckets[b] = append(h.buckets[b], it)
	h.size++
}

func (h *distHeap) pop() distItem {
	if len(h.buckets[0]) == 0 {
		i := 1
		for len(h.buckets[i]) == 0 {
			i++
		}
		minKey := uint64(math.MaxUint64)
		for _, it := range h.buckets[i] {
			minKey = min(minKey, math.Float64bits(it.d))
		}
		h.last = minKey
		for _, it := range h.buckets[i] {
			b := radixBucket(math.Float64bits(it.d), minKey)
			h.buckets[b] = append(h.buckets[b], it)
		}
		h.buckets[i] = h.buckets[i][:0]
	}
	b0 := h.buckets[0]
	it := b0[len(b0)-1]
	h.buckets[0] = b0[:len(b0)-1]
	h.size--
	return it
}

// sourceBlock is the number of sources one goroutine handles before handing
// its partial sums to the reducer: one word of a multi-source search.
const sourceBlock = 64

// sumOverSources calls run for every block of up to sourceBlock sources,
// spread over up to GOMAXPROCS goroutines, each with its own state from
// newState. run adds the block's contribution into acc (of length size). The
// blocks' partial sums are added in block order, so the result does not
// depend on scheduling or on the number of goroutines. It stops between
// blocks with ctx's error when ctx is done.
func sumOverSources[S any](ctx context.Context, size int, sources []int32, newState func() S, run func(st S, srcs []int32, acc []float64)) ([]float64, error) {
	total := make([]float64, size)
	blocks := (len(sources) + sourceBlock - 1) / sourceBlock
	if blocks == 0 {
		return total, nil
	}
	block := func(b int) []int32 { return sources[b*sourceBlock : min((b+1)*sourceBlock, len(sources))] }
	workers := min(runtime.GOMAXPROCS(0), blocks)
	if workers == 1 {
		st := newState()
		acc := make([]float64, size)
		for b := range blocks {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			clear(acc)
			run(st, block(b), acc)
			addTo(total, acc)
		}
		return total, nil
	}

	type result struct {
		b   int
		acc []float64
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan result, workers)
	tokens := make(chan struct{}, 2*workers) // blocks taken but not yet reduced
	free := make(chan []float64, 3*workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			st := newState()
			for {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				}
				b := int(next.Add(1) - 1)
				if b >= blocks || ctx.Err() != nil {
					<-tokens
					return
				}
				var acc []float64
				select {
				case acc = <-free:
					clear(acc)
				default:
					acc = make([]float64, size)
				}
				run(st, block(b), acc)
				results <- result{b, acc}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	pending := make(map[int][]float64)
	want := 0
	for r := range results {
		pending[r.b] = r.acc
		for {
			acc, ok := pending[want]
			if !ok {
				break
			}
			addTo(total, acc)
			delete(pending, want)
			want++
			select {
			case free <- acc:
			default:
			}
			<-tokens
		}
	}
	if want < blocks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return total, nil
}

func addTo(dst, src []float64) {
	for i, x := range src {
		dst[i] += x
	}
}
