package analysis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// ErrNoConvergence is wrapped by the error of an iterative measure that did not
// converge within its iteration limit; the Scores returned with it are the
// last iterate.
var ErrNoConvergence = errors.New("no convergence")

// Degrees returns each node's number of ties in the given direction (Total is
// in plus out, so a reciprocated pair counts twice). In an undirected Graph
// every direction gives the plain degree. It returns an error wrapping
// ErrInvalidOption for an unknown Direction.
func (g *Graph) Degrees(dir Direction) (map[string]int, error) {
	if err := dir.check(); err != nil {
		return nil, fmt.Errorf("degrees: %w", err)
	}
	v := g.view()
	out := make(map[string]int, v.n)
	for u := range int32(v.n) {
		out[g.ids[u]] = degree(v, u, dir)
	}
	return out, nil
}

func degree(v *csr, u int32, dir Direction) int {
	switch {
	case !v.directed:
		return v.outDeg(u)
	case dir == In:
		return v.inDeg(u)
	case dir == Out:
		return v.outDeg(u)
	default:
		return v.inDeg(u) + v.outDeg(u)
	}
}

// DegreeCentrality returns each node's degree in the given direction divided
// by n-1, as networkx's degree_centrality (Total), in_degree_centrality (In)
// and out_degree_centrality (Out). In a directed Graph Total can reach 2. In an
// undirected Graph every direction gives degree_centrality. With fewer than
// two nodes every value is 0 (networkx gives 1 to a lone node). It returns an
// error wrapping ErrInvalidOption for an unknown Direction.
func (g *Graph) DegreeCentrality(dir Direction) (Scores, error) {
	if err := dir.check(); err != nil {
		return nil, fmt.Errorf("degree centrality: %w", err)
	}
	v := g.view()
	vals := make([]float64, v.n)
	if v.n > 1 {
		for u := range int32(v.n) {
			vals[u] = float64(degree(v, u, dir)) / float64(v.n-1)
		}
	}
	return g.scores(vals), nil
}

// BetweennessOptions configures Betweenness.
type BetweennessOptions struct {
	// Length is how long each tie is; the zero value counts hops.
	Length Length
	// Sample, if not nil, estimates betweenness from Sample.K sources.
	Sample *Sample
}

// Betweenness returns shortest-path betweenness centrality (Brandes'
// algorithm), normalised as networkx's betweenness_centrality with
// normalized=True and endpoints=False: the sum over ordered pairs (s, t),
// s != v != t, of the share of shortest s–t paths through v, divided by
// (n-1)(n-2). For an undirected Graph this equals 2/((n-1)(n-2)) times the sum
// over unordered pairs. Values lie in [0, 1]; with fewer than three nodes all
// are 0.
//
// With a Sample of k < n sources S the estimate is networkx's (3.6) sampled
// estimator, a Brandes–Pich estimate scaled to the whole graph: the sum of the
// dependencies of v on the sources in S, divided by k(n-2) for v outside S and
// by (k-1)(n-2) for v in S (which does not count itself as a source; 0 when
// k = 1). It is unbiased, and SampleBound gives its error bound.
//
// It returns an error wrapping ErrInvalidOption for a bad option, or ctx's
// error if ctx is done first.
func (g *Graph) Betweenness(ctx context.Context, opts BetweennessOptions) (Scores, error) {
	if err := opts.Length.check(); err != nil {
		return nil, fmt.Errorf("betweenness: %w", err)
	}
	if err := opts.Sample.check(); err != nil {
		return nil, fmt.Errorf("betweenness: %w", err)
	}
	vals, err := g.betweennessValues(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("betweenness: %w", err)
	}
	return g.scores(vals), nil
}

// betweennessValues returns Betweenness per node index, remembered on the
// Graph (the slice is shared: do not modify it).
func (g *Graph) betweennessValues(ctx context.Context, opts BetweennessOptions) ([]float64, error) {
	n := g.NodeCount()
	if n < 3 {
		return make([]float64, n), nil
	}
	return g.memoised(ctx, pathKey(memoBetweenness, opts.Length, false, opts.Sample, n), func() ([]float64, error) {
		return g.betweenness(ctx, opts)
	})
}

// betweenness computes Betweenness for a Graph of at least three nodes.
func (g *Graph) betweenness(ctx context.Context, opts BetweennessOptions) ([]float64, error) {
	v := g.view()
	n := v.n
	outLen, inLen := v.lengths(opts.Length)
	next, back := v.forward(outLen), v.backward(inLen)
	srcs := g.sources(opts.Sample)
	acc, err := sumOverSources(ctx, n, srcs,
		func() *search { return newPathSearch(n, next, back) },
		func(s *search, srcs []int32, acc []float64) {
			for _, src := range srcs {
				s.brandes(src, acc)
			}
		})
	if err != nil {
		return nil, err
	}
	if opts.Sample.exact(n) {
		scale := 1 / (float64(n-1) * float64(n-2))
		for i := range acc {
			acc[i] *= scale
		}
		return acc, nil
	}
	k := len(srcs)
	inS := make([]bool, n)
	for _, s := range srcs {
		inS[s] = true
	}
	for i := range acc {
		if inS[i] {
			if k > 1 {
				acc[i] /= float64(k-1) * float64(n-2)
			} else {
				acc[i] = 0
			}
		} else {
			acc[i] /= float64(k) * float64(n-2)
		}
	}
	return acc, nil
}

// ClosenessOptions configures Closeness and Harmonic.
type ClosenessOptions struct {
	// Length is how long each tie is; the zero value counts hops.
	Length Length
	// Outward measures distances from the node to the others. By default, as
	// networkx, a directed Graph uses distances from the others to the node
	// (how easily the node is reached). Undirected Graphs ignore it.
	Outward bool
	// Sample, if not nil, estimates the measure from Sample.K sources.
	Sample *Sample
}

func (o ClosenessOptions) check() error {
	if err := o.Length.check(); err != nil {
		return err
	}
	return o.Sample.check()
}

// Closeness returns closeness centrality with networkx's Wasserman–Faust
// correction for disconnected graphs (closeness_centrality, wf_improved=True):
// for a node v that r other nodes can reach (see Outward) at total distance T,
//
//	C(v) = (r / T) * (r / (n-1)),
//
// and 0 when r = 0 or n < 2.
//
// With a Sample of k < n sources, distances are taken from the sources only: if
// m of them (other than v) are counted and c of those reach v at total
// distance t, the estimate is c²/(t·m), the same formula with r and T scaled
// up from the sample (a ratio estimator: consistent, not unbiased; Eppstein and
// Wang bound the error of the average distance it rests on by ε times the
// diameter for k = O(log n / ε²)).
//
// It returns an error wrapping ErrInvalidOption for a bad option, or ctx's
// error if ctx is done first.
func (g *Graph) Closeness(ctx context.Context, opts ClosenessOptions) (Scores, error) {
	if err := opts.check(); err != nil {
		return nil, fmt.Errorf("closeness: %w", err)
	}
	vals, err := g.distanceMeasures(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("closeness: %w", err)
	}
	return g.scores(vals[:g.NodeCount()]), nil
}

// Harmonic returns harmonic centrality as networkx's harmonic_centrality: the
// sum over the other nodes u of 1/d(u, v) (distance from u to v; see Outward),
// unreachable nodes adding 0. It is not normalised; divide by n-1 for a value
// in [0, 1] with Hops lengths.
//
// With a Sample of k < n sources S the estimate is (n-1)/m times the sum over
// the m sources in S other than v: unbiased, with SampleBound's error bound
// for the normalised value.
//
// It returns an error wrapping ErrInvalidOption for a bad option, or ctx's
// error if ctx is done first.
func (g *Graph) Harmonic(ctx context.Context, opts ClosenessOptions) (Scores, error) {
	if err := opts.check(); err != nil {
		return nil, fmt.Errorf("harmonic centrality: %w", err)
	}
	vals, err := g.distanceMeasures(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("harmonic centrality: %w", err)
	}
	return g.scores(vals[g.NodeCount():]), nil
}

// distanceMeasures returns closeness then harmonic centrality per node index
// (2n values), both from one sweep of shortest-path searches and remembered on
// the Graph (the slice is shared: do not modify it).
func (g *Graph) distanceMeasures(ctx context.Context, opts ClosenessOptions) ([]float64, error) {
	n := g.NodeCount()
	outward := opts.Outward && g.directed
	return g.memoised(ctx, pathKey(memoDistances, opts.Length, outward, opts.Sample, n), func() ([]float64, error) {
		return g.distanceSums(ctx, opts)
	})
}

// distanceSums computes closeness and harmonic centrality. Exact values
// search from every node v along the ties reversed (to find the distances
// d(u, v) to it); samples search from each source along the ties, crediting
// every node reached. Hops use a 64-source bit-parallel search.
func (g *Graph) distanceSums(ctx context.Context, opts ClosenessOptions) ([]float64, error) {
	v := g.view()
	n := v.n
	if n < 2 {
		return make([]float64, 2*n), nil
	}
	outLen, inLen := v.lengths(opts.Length)
	toward := v.backward(inLen) // searching from v along it finds d(u, v)
	away := v.forward(outLen)
	if opts.Outward && v.directed {
		toward, away = away, toward
	}
	// closeness turns r nodes at total distance t into the measure.
	closeness := func(r, t float64) float64 {
		if t > 0 {
			return r / t * r / float64(n-1)
		}
		return 0
	}
	exact := opts.Sample.exact(n)
	switch {
	case exact && opts.Length == Hops:
		return sumOverSources(ctx, 2*n, g.sources(nil),
			func() *multiSearch { return newMultiSearch(n, toward) },
			func(m *multiSearch, srcs []int32, acc []float64) {
				var r, t, h [sourceBlock]float64
				m.run(srcs, func(_ int32, newly uint64, level int32) {
					l := float64(level)
					for b := newly; b != 0; b &= b - 1 {
						i := bits.TrailingZeros64(b)
						r[i]++
						t[i] += l
						h[i] += 1 / l
					}
				})
				for i, src := range srcs {
					acc[src] = closeness(r[i], t[i])
					acc[n+int(src)] = h[i]
				}
			})
	case exact:
		return sumOverSources(ctx, 2*n, g.sources(nil),
			func() *search { return newSearch(n, toward, false) },
			func(s *search, srcs []int32, acc []float64) {
				for _, src := range srcs {
					s.run(src)
					var r, t, h float64
					for _, u := range s.order[1:] {
						d := s.distance(u)
						r++
						t += d
						h += 1 / d
					}
					acc[src] = closeness(r, t)
					acc[n+int(src)] = h
				}
			})
	}

	return g.sampledDistanceSums(ctx, v, away, g.sources(opts.Sample))
}

// sampledDistanceSums estimates closeness and harmonic centrality from the
// given sources, searching from each along away (the ties themselves, for the
// default inward measures).
func (g *Graph) sampledDistanceSums(ctx context.Context, v *csr, away adj, srcs []int32) ([]float64, error) {
	// acc holds, per node, the number of sources reaching it, their total
	// distance and their total inverse distance.
	n := v.n
	var acc []float64
	var err error
	credit := func(acc []float64, u int32, count, d float64) {
		acc[u] += count
		acc[n+int(u)] += count * d
		acc[2*n+int(u)] += count / d
	}
	if away.len == nil {
		acc, err = sumOverSources(ctx, 3*n, srcs,
			func() *multiSearch { return newMultiSearch(n, away) },
			func(m *multiSearch, srcs []int32, acc []float64) {
				m.run(srcs, func(x int32, newly uint64, level int32) {
					credit(acc, x, float64(bits.OnesCount64(newly)), float64(level))
				})
			})
	} else {
		acc, err = sumOverSources(ctx, 3*n, srcs,
			func() *search { return newSearch(n, away, false) },
			func(s *search, srcs []int32, acc []float64) {
				for _, src := range srcs {
					s.run(src)
					for _, u := range s.order[1:] {
						credit(acc, u, 1, s.distance(u))
					}
				}
			})
	}
	if err != nil {
		return nil, err
	}
	inS := make([]bool, n)
	for _, s := range srcs {
		inS[s] = true
	}
	vals := make([]float64, 2*n)
	for u := range n {
		m := float64(len(srcs))
		if inS[u] {
			m--
		}
		c, t, h := acc[u], acc[n+u], acc[2*n+u]
		if m == 0 {
			continue
		}
		vals[n+u] = float64(n-1) / m * h
		if t > 0 {
			vals[u] = c * c / (t * m)
		}
	}
	return vals, nil
}

// EigenvectorOptions configures Eigenvector.
type EigenvectorOptions struct {
	// Weights: Weighted multiplies each neighbour's contribution by the tie
	// weight, as networkx's weight="weight".
	Weights Weights
	// MaxIter is the iteration limit; 0 means 1000.
	MaxIter int
	// Tolerance stops the iteration when the L1 change is below n*Tolerance;
	// 0 means 1e-9 (networkx's default is 1e-6).
	Tolerance float64
}

// Eigenvector returns eigenvector centrality as networkx's
// eigenvector_centrality: power iteration on A+I (A the adjacency matrix)
// from the uniform vector, scaled to unit Euclidean norm at every step. In a
// directed Graph a node's score comes from the nodes with ties to it
// (in-ties), as networkx's left eigenvector. Scores are non-negative with unit
// Euclidean norm; a Graph without ties gives every node 1/sqrt(n), an empty
// Graph empty Scores.
//
// If the iteration does not converge within MaxIter it returns the last
// iterate with an error wrapping ErrNoConvergence. That is common on directed
// Graphs with few cycles (a tree of ties converges only polynomially, and
// networkx fails on it too); PageRank is the robust alternative there. It
// returns an error wrapping ErrInvalidOption for a negative MaxIter or
// Tolerance or unknown Weights.
func (g *Graph) Eigenvector(opts EigenvectorOptions) (Scores, error) {
	maxIter, tol, err := iterOptions(opts.MaxIter, opts.Tolerance, 1e-9)
	if err == nil {
		err = opts.Weights.check()
	}
	if err != nil {
		return nil, fmt.Errorf("eigenvector centrality: %w", err)
	}
	vals, err := eigenvector(g.view(), opts.Weights == Weighted, false, maxIter, tol)
	if err != nil {
		err = fmt.Errorf("eigenvector centrality: %w", err)
	}
	return g.scores(vals), err
}

func iterOptions(maxIter int, tol, defTol float64) (int, float64, error) {
	if maxIter < 0 {
		return 0, 0, fmt.Errorf("%w: MaxIter %d < 0", ErrInvalidOption, maxIter)
	}
	if tol < 0 || math.IsNaN(tol) || math.IsInf(tol, 0) {
		return 0, 0, fmt.Errorf("%w: Tolerance %v", ErrInvalidOption, tol)
	}
	if maxIter == 0 {
		maxIter = 1000
	}
	if tol == 0 {
		tol = defTol
	}
	return maxIter, tol, nil
}

// eigenvector runs networkx's power iteration on v: a node's score grows with
// the scores of the nodes with ties to it, or, when outward, of the nodes it
// has ties to (the eigenvector of the reversed Graph).
func eigenvector(v *csr, weighted, outward bool, maxIter int, tol float64) ([]float64, error) {
	list, weights := v.in, v.inWeight
	if outward {
		list, weights = v.out, v.outWeight
	}
	n := v.n
	x := make([]float64, n)
	if n == 0 {
		return x, nil
	}
	for i := range x {
		x[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	for range maxIter {
		var norm float64
		for u := range int32(n) {
			s := x[u]
			ins, ws := list(u), weights(u)
			for k, p := range ins {
				if weighted {
					s += x[p] * ws[k]
				} else {
					s += x[p]
				}
			}
			next[u] = s
			norm += s * s
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			norm = 1
		}
		var diff float64
		for u := range next {
			next[u] /= norm
			diff += math.Abs(next[u] - x[u])
		}
		x, next = next, x
		if diff < float64(n)*tol {
			return x, nil
		}
	}
	return x, fmt.Errorf("%w after %d iterations", ErrNoConvergence, maxIter)
}

// PageRankOptions configures PageRank.
type PageRankOptions struct {
	// Damping is the probability of following a tie rather than jumping to a
	// random node; 0 means 0.85. Otherwise it must lie strictly between 0 and 1.
	Damping float64
	// Weights: Weighted follows ties in proportion to their weight (networkx's
	// default weight="weight"); Unweighted treats every tie alike.
	Weights Weights
	// MaxIter is the iteration limit; 0 means 1000.
	MaxIter int
	// Tolerance stops the iteration when the L1 change is below n*Tolerance;
	// 0 means 1e-10 (networkx's default is 1e-6).
	Tolerance float64
}

// PageRank returns PageRank as networkx's pagerank with no personalisation:
// from the uniform vector, each step gives every node (1-d)/n plus d times the
// rank flowing along ties into it, where a node passes its rank along its
// out-ties in proportion to their weight (equally when Unweighted), and a node
// with no out-ties (dangling) spreads its rank uniformly over all nodes. An
// undirected tie carries rank both ways. Scores sum to 1; an empty Graph gives
// empty Scores.
//
// If the iteration does not converge within MaxIter it returns the last
// iterate with an error wrapping ErrNoConvergence. It returns an error
// wrapping ErrInvalidOption for a Damping outside (0, 1), a negative MaxIter
// or Tolerance, or unknown Weights.
func (g *Graph) PageRank(opts PageRankOptions) (Scores, error) {
	maxIter, tol, err := iterOptions(opts.MaxIter, opts.Tolerance, 1e-10)
	if err == nil {
		err = opts.Weights.check()
	}
	d := opts.Damping
	if d == 0 {
		d = 0.85
	}
	if err == nil && !(d > 0 && d < 1) {
		err = fmt.Errorf("%w: damping %v not in (0, 1)", ErrInvalidOption, opts.Damping)
	}
	if err != nil {
		return nil, fmt.Errorf("pagerank: %w", err)
	}
	v := g.view()
	n := v.n
	x := make([]float64, n)
	if n == 0 {
		return Scores{}, nil
	}
	weighted := opts.Weights == Weighted
	outSum := make([]float64, n) // total weight (or count) of out-ties
	for u := range int32(n) {
		if weighted {
			for _, w := range v.outWeight(u) {
				outSum[u] += w
			}
		} else {
			outSum[u] = float64(v.outDeg(u))
		}
	}
	for i := range x {
		x[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	share := make([]float64, n)
	for range maxIter {
		var dangling float64
		for u := range n {
			if outSum[u] == 0 {
				dangling += x[u]
				share[u] = 0
			} else {
				share[u] = x[u] / outSum[u]
			}
		}
		base := d*dangling/float64(n) + (1-d)/float64(n)
		var diff float64
		for u := range int32(n) {
			var s float64
			ins, ws := v.in(u), v.inWeight(u)
			for k, p := range ins {
				if weighted {
					s += share[p] * ws[k]
				} else {
					s += share[p]
				}
			}
			next[u] = d*s + base
			diff += math.Abs(next[u] - x[u])
		}
		x, next = next, x
		if diff < float64(n)*tol {
			return g.scores(x), nil
		}
	}
	return g.scores(x), fmt.Errorf("pagerank: %w after %d iterations", ErrNoConvergence, maxIter)
}
