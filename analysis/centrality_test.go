package analysis

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"
)

// measureCases maps reference measure names to the calls that should match them.
var measureCases = []struct {
	ref string
	fn  func(ctx context.Context, g *Graph) (Scores, error)
}{
	{"degree", func(_ context.Context, g *Graph) (Scores, error) { return g.DegreeCentrality(Total) }},
	{"in_degree", func(_ context.Context, g *Graph) (Scores, error) { return g.DegreeCentrality(In) }},
	{"out_degree", func(_ context.Context, g *Graph) (Scores, error) { return g.DegreeCentrality(Out) }},
	{"betweenness", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Betweenness(ctx, BetweennessOptions{})
	}},
	{"betweenness_weight", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Betweenness(ctx, BetweennessOptions{Length: WeightLength})
	}},
	{"betweenness_inverse", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Betweenness(ctx, BetweennessOptions{Length: InverseWeight})
	}},
	{"closeness", func(ctx context.Context, g *Graph) (Scores, error) { return g.Closeness(ctx, ClosenessOptions{}) }},
	{"closeness_out", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Closeness(ctx, ClosenessOptions{Outward: true})
	}},
	{"closeness_weight", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Closeness(ctx, ClosenessOptions{Length: WeightLength})
	}},
	{"closeness_inverse", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Closeness(ctx, ClosenessOptions{Length: InverseWeight})
	}},
	{"harmonic", func(ctx context.Context, g *Graph) (Scores, error) { return g.Harmonic(ctx, ClosenessOptions{}) }},
	{"harmonic_out", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Harmonic(ctx, ClosenessOptions{Outward: true})
	}},
	{"harmonic_weight", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Harmonic(ctx, ClosenessOptions{Length: WeightLength})
	}},
	{"harmonic_inverse", func(ctx context.Context, g *Graph) (Scores, error) {
		return g.Harmonic(ctx, ClosenessOptions{Length: InverseWeight})
	}},
	{"eigenvector", func(_ context.Context, g *Graph) (Scores, error) {
		return g.Eigenvector(EigenvectorOptions{Tolerance: 1e-12, MaxIter: 100000})
	}},
	{"eigenvector_weight", func(_ context.Context, g *Graph) (Scores, error) {
		return g.Eigenvector(EigenvectorOptions{Weights: Weighted, Tolerance: 1e-12, MaxIter: 100000})
	}},
	{"pagerank", func(_ context.Context, g *Graph) (Scores, error) { return g.PageRank(PageRankOptions{}) }},
	{"pagerank_weight", func(_ context.Context, g *Graph) (Scores, error) {
		return g.PageRank(PageRankOptions{Weights: Weighted})
	}},
	{"clustering", func(_ context.Context, g *Graph) (Scores, error) { return g.Clustering(Unweighted) }},
	{"clustering_weight", func(_ context.Context, g *Graph) (Scores, error) { return g.Clustering(Weighted) }},
	{"constraint", func(_ context.Context, g *Graph) (Scores, error) { return g.Constraint(Unweighted) }},
	{"constraint_weight", func(_ context.Context, g *Graph) (Scores, error) { return g.Constraint(Weighted) }},
	{"effective_size", func(_ context.Context, g *Graph) (Scores, error) { return g.EffectiveSize(Unweighted) }},
	{"effective_size_weight", func(_ context.Context, g *Graph) (Scores, error) {
		return g.EffectiveSize(Weighted)
	}},
	{"core_number", func(_ context.Context, g *Graph) (Scores, error) {
		c := g.CoreNumbers()
		s := make(Scores, len(c))
		for id, k := range c {
			s[id] = float64(k)
		}
		return s, nil
	}},
}

// TestMeasuresMatchNetworkx compares every measure with networkx's values on
// every reference network.
func TestMeasuresMatchNetworkx(t *testing.T) {
	ctx := context.Background()
	for _, name := range networks {
		g, ref := loadNetwork(t, name)
		for _, mc := range measureCases {
			want, ok := ref.Measures[mc.ref]
			if !ok {
				continue
			}
			t.Run(name+"/"+mc.ref, func(t *testing.T) {
				got, err := mc.fn(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				compareScores(t, got, want)
			})
		}
		for ref := range ref.Measures {
			found := false
			for _, mc := range measureCases {
				found = found || mc.ref == ref
			}
			if !found {
				t.Errorf("%s: reference measure %q has no test case", name, ref)
			}
		}
	}
}

// TestSampledBetweennessEstimator checks the sampled estimator against
// networkx's rescaling for the same explicit sources.
func TestSampledBetweennessEstimator(t *testing.T) {
	for _, name := range networks {
		t.Run(name, func(t *testing.T) {
			g, ref := loadNetwork(t, name)
			v := g.view()
			n := v.n
			var srcs []int32
			inS := make([]bool, n)
			for _, id := range ref.SampledBetweenness.Sources {
				srcs = append(srcs, g.index[id])
				inS[g.index[id]] = true
			}
			acc, err := sumOverSources(context.Background(), n, srcs,
				func() *search { return newPathSearch(n, v.forward(nil), v.backward(nil)) },
				func(s *search, srcs []int32, acc []float64) {
					for _, src := range srcs {
						s.brandes(src, acc)
					}
				})
			if err != nil {
				t.Fatal(err)
			}
			k := float64(len(srcs))
			got := make([]float64, n)
			for i := range acc {
				if inS[i] {
					got[i] = acc[i] / ((k - 1) * float64(n-2))
				} else {
					got[i] = acc[i] / (k * float64(n-2))
				}
			}
			compareScores(t, g.scores(got), ref.SampledBetweenness.Values)
		})
	}
}

// TestSampledPathMeasures checks that a sample of every node is exact, that the
// same seed gives the same estimate, and that sampled betweenness and
// harmonic centrality fall within SampleBound on the karate club.
func TestSampledPathMeasures(t *testing.T) {
	ctx := context.Background()
	g, _ := loadNetwork(t, "karate")
	n := g.NodeCount()
	exactB, _ := g.Betweenness(ctx, BetweennessOptions{})
	exactH, _ := g.Harmonic(ctx, ClosenessOptions{})
	exactC, _ := g.Closeness(ctx, ClosenessOptions{})
	cases := []struct {
		name  string
		exact Scores
		run   func(s *Sample) (Scores, error)
		scale float64 // divide errors by this before comparing with the bound
	}{
		{"betweenness", exactB, func(s *Sample) (Scores, error) { return g.Betweenness(ctx, BetweennessOptions{Sample: s}) }, 1},
		{"harmonic", exactH, func(s *Sample) (Scores, error) { return g.Harmonic(ctx, ClosenessOptions{Sample: s}) }, float64(n - 1)},
		{"closeness", exactC, func(s *Sample) (Scores, error) { return g.Closeness(ctx, ClosenessOptions{Sample: s}) }, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			all, err := c.run(&Sample{K: n + 5, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			for id, x := range c.exact {
				if !near(all[id], x) {
					t.Errorf("k >= n: %s = %v, exact %v", id, all[id], x)
				}
			}
			for _, k := range []int{1, 2, 10, 20} {
				a, err := c.run(&Sample{K: k, Seed: 42})
				if err != nil {
					t.Fatal(err)
				}
				b, _ := c.run(&Sample{K: k, Seed: 42})
				eps, err := SampleBound(n, k, 0.95)
				if err != nil {
					t.Fatal(err)
				}
				for id, x := range a {
					if b[id] != x {
						t.Errorf("k=%d: same seed, different estimates for %s: %v, %v", k, id, x, b[id])
					}
					if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
						t.Errorf("k=%d: %s = %v", k, id, x)
					}
					if c.scale > 0 && math.Abs(x-c.exact[id])/c.scale > eps {
						t.Errorf("k=%d: %s error %v exceeds bound %v", k, id, math.Abs(x-c.exact[id])/c.scale, eps)
					}
				}
			}
		})
	}
}

func TestSampleBound(t *testing.T) {
	tests := []struct {
		n, k    int
		conf    float64
		want    float64
		wantErr bool
	}{
		{100, 100, 0.95, 0, false},
		{100, 1, 0.95, 1, false},
		{1000, 101, 0.95, math.Sqrt(math.Log(2*1000/0.05) / 200), false},
		{100000, 5000, 0.99, math.Sqrt(math.Log(2*100000/0.01) / (2 * 4999)), false},
		{100, 0, 0.95, 0, true},
		{100, 10, 1, 0, true},
		{100, 10, 0, 0, true},
		{-1, 10, 0.5, 0, true},
	}
	for _, tt := range tests {
		got, err := SampleBound(tt.n, tt.k, tt.conf)
		if (err != nil) != tt.wantErr {
			t.Errorf("SampleBound(%d, %d, %v) error %v", tt.n, tt.k, tt.conf, err)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalidOption) {
			t.Errorf("SampleBound(%d, %d, %v) error %v does not wrap ErrInvalidOption", tt.n, tt.k, tt.conf, err)
		}
		if math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("SampleBound(%d, %d, %v) = %v, want %v", tt.n, tt.k, tt.conf, got, tt.want)
		}
	}
}

// TestCentralityOptionErrors checks that invalid options are refused.
func TestCentralityOptionErrors(t *testing.T) {
	ctx := context.Background()
	g := NewGraph(true)
	_ = g.AddTie("a", "b", 1)
	calls := []struct {
		name string
		call func() error
	}{
		{"degree direction", func() error { _, err := g.DegreeCentrality(Direction(7)); return err }},
		{"degrees direction", func() error { _, err := g.Degrees(Direction(-1)); return err }},
		{"betweenness length", func() error { _, err := g.Betweenness(ctx, BetweennessOptions{Length: 9}); return err }},
		{"betweenness k=0", func() error { _, err := g.Betweenness(ctx, BetweennessOptions{Sample: &Sample{K: 0}}); return err }},
		{"closeness k<1", func() error { _, err := g.Closeness(ctx, ClosenessOptions{Sample: &Sample{K: -3}}); return err }},
		{"harmonic length", func() error { _, err := g.Harmonic(ctx, ClosenessOptions{Length: -1}); return err }},
		{"eigenvector maxiter", func() error { _, err := g.Eigenvector(EigenvectorOptions{MaxIter: -1}); return err }},
		{"eigenvector tol", func() error { _, err := g.Eigenvector(EigenvectorOptions{Tolerance: math.NaN()}); return err }},
		{"eigenvector weights", func() error { _, err := g.Eigenvector(EigenvectorOptions{Weights: 3}); return err }},
		{"pagerank damping", func() error { _, err := g.PageRank(PageRankOptions{Damping: 1}); return err }},
		{"pagerank damping<0", func() error { _, err := g.PageRank(PageRankOptions{Damping: -0.5}); return err }},
		{"clustering weights", func() error { _, err := g.Clustering(Weights(5)); return err }},
		{"constraint weights", func() error { _, err := g.Constraint(Weights(5)); return err }},
	}
	for _, c := range calls {
		err := c.call()
		if !errors.Is(err, ErrInvalidOption) {
			t.Errorf("%s: error %v, want ErrInvalidOption", c.name, err)
		}
	}
}

// TestCancelledContext checks that path measures stop when the context is done.
func TestCancelledContext(t *testing.T) {
	g := smallWorld(2000, 4, 0.1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Betweenness(ctx, BetweennessOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("betweenness: error %v, want context.Canceled", err)
	}
	if _, err := g.Closeness(ctx, ClosenessOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("closeness: error %v, want context.Canceled", err)
	}
}

// TestEigenvectorNoConvergence checks the error and the returned iterate.
func TestEigenvectorNoConvergence(t *testing.T) {
	g, _ := loadNetwork(t, "karate")
	s, err := g.Eigenvector(EigenvectorOptions{MaxIter: 2, Tolerance: 1e-15})
	if !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("error %v, want ErrNoConvergence", err)
	}
	if len(s) != g.NodeCount() {
		t.Errorf("got %d scores with the error, want the last iterate for %d nodes", len(s), g.NodeCount())
	}
}

// TestWeightedPathsAgreeWithHops runs the weighted (Dijkstra) code on the
// karate club, whose weights are all 1, and compares it with the hop (BFS and
// bit-parallel) code, exact and sampled.
func TestWeightedPathsAgreeWithHops(t *testing.T) {
	ctx := context.Background()
	g, _ := loadNetwork(t, "karate")
	for _, s := range []*Sample{nil, {K: 9, Seed: 5}} {
		for _, l := range []Length{WeightLength, InverseWeight} {
			pairs := []struct {
				name      string
				hops, len func() (Scores, error)
			}{
				{"betweenness",
					func() (Scores, error) { return g.Betweenness(ctx, BetweennessOptions{Sample: s}) },
					func() (Scores, error) { return g.Betweenness(ctx, BetweennessOptions{Sample: s, Length: l}) }},
				{"closeness",
					func() (Scores, error) { return g.Closeness(ctx, ClosenessOptions{Sample: s}) },
					func() (Scores, error) { return g.Closeness(ctx, ClosenessOptions{Sample: s, Length: l}) }},
				{"harmonic",
					func() (Scores, error) { return g.Harmonic(ctx, ClosenessOptions{Sample: s}) },
					func() (Scores, error) { return g.Harmonic(ctx, ClosenessOptions{Sample: s, Length: l}) }},
			}
			for _, p := range pairs {
				a, err := p.hops()
				if err != nil {
					t.Fatal(err)
				}
				b, err := p.len()
				if err != nil {
					t.Fatal(err)
				}
				for id, x := range a {
					if math.Abs(b[id]-x) > 1e-12 {
						t.Errorf("%s (sample %v, length %d): %s hops %v, lengths %v", p.name, s, l, id, x, b[id])
					}
				}
			}
		}
	}
}

// TestSameBitsAnyWorkers checks that path measures give identical results on
// one goroutine and on several.
func TestSameBitsAnyWorkers(t *testing.T) {
	ctx := context.Background()
	g := smallWorld(600, 3, 0.2, 7)
	run := func() []Scores {
		b, _ := g.Betweenness(ctx, BetweennessOptions{})
		bw, _ := g.Betweenness(ctx, BetweennessOptions{Length: InverseWeight})
		h, _ := g.Harmonic(ctx, ClosenessOptions{Sample: &Sample{K: 200, Seed: 1}})
		return []Scores{b, bw, h}
	}
	prev := runtime.GOMAXPROCS(1)
	one := run()
	runtime.GOMAXPROCS(4)
	four := run()
	runtime.GOMAXPROCS(prev)
	for i := range one {
		for id, x := range one[i] {
			if four[i][id] != x {
				t.Errorf("measure %d, %s: %v on one goroutine, %v on four", i, id, x, four[i][id])
			}
		}
	}
}

// TestSampledEstimatorsWithEverySource runs the sampled closeness and
// harmonic code with every node as a source, which must give the exact values,
// in both directions, with hops and lengths.
func TestSampledEstimatorsWithEverySource(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"directed", "davis", "florentine"} {
		g, _ := loadNetwork(t, name)
		v := g.view()
		all := g.sources(nil)
		for _, l := range []Length{Hops, InverseWeight} {
			for _, outward := range []bool{false, true} {
				opts := ClosenessOptions{Length: l, Outward: outward}
				exact, err := g.distanceSums(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				outLen, inLen := v.lengths(l)
				away := v.forward(outLen)
				if outward && v.directed {
					away = v.backward(inLen)
				}
				est, err := g.sampledDistanceSums(ctx, v, away, all)
				if err != nil {
					t.Fatal(err)
				}
				n := v.n
				for u := range exact {
					if math.Abs(exact[u]-est[u]) > 1e-9 {
						t.Errorf("%s %+v harmonic=%v: node %s exact %v, estimate %v", name, opts, u >= n, g.ids[u%n], exact[u], est[u])
					}
				}
			}
		}
	}
}
