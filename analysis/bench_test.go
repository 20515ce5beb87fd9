package analysis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timeIt runs f b.N times and reports CPU seconds per op beside the wall time
// (on a shared machine the CPU time is the steadier figure) and the peak heap.
func timeIt(b *testing.B, f func() error) {
	b.Helper()
	runtime.GC()
	start := cpuTime()
	var peak uint64
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
}

// smallWorld returns a Watts–Strogatz small-world Graph: n nodes on a ring,
// each tied to its k nearest neighbours on each side (n·k ties), each tie's far
// end rewired to a random node with probability p. Nodes carry a "group"
// attribute: eight arcs of the ring.
func smallWorld(n, k int, p float64, seed uint64) *Graph {
	return smallWorldGraph(n, k, p, seed, false)
}

// smallWorldDirected is smallWorld with each tie pointing a random way and one
// in five reciprocated.
func smallWorldDirected(n, k int, p float64, seed uint64) *Graph {
	return smallWorldGraph(n, k, p, seed, true)
}

func smallWorldGraph(n, k int, p float64, seed uint64, directed bool) *Graph {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := NewGraph(directed)
	id := func(i int) string { return fmt.Sprintf("per_%07d", i) }
	for i := range n {
		if err := g.AddNode(id(i), map[string]string{"group": fmt.Sprint(i * 8 / n)}); err != nil {
			panic(err)
		}
	}
	for i := range n {
		for j := 1; j <= k; j++ {
			t := (i + j) % n
			if rng.Float64() < p {
				for t = rng.IntN(n); t == i; t = rng.IntN(n) {
				}
			}
			a, b := i, t
			if directed && rng.IntN(2) == 0 {
				a, b = b, a
			}
			if err := g.AddTie(id(a), id(b), float64(1+rng.IntN(3))); err != nil {
				panic(err)
			}
			if directed && rng.IntN(5) == 0 {
				if err := g.AddTie(id(b), id(a), 1); err != nil {
					panic(err)
				}
			}
		}
	}
	return g
}

// benchCase is one measure run by the benchmarks.
type benchCase struct {
	name string
	run  func(ctx context.Context, g, dg *Graph, sample *Sample) error
}

// benchVariants are cases that repeat a measure with other options; "All"
// leaves them out.
var benchVariants = map[string]bool{
	"BetweennessInverseWeight":   true,
	"BetweennessDirected":        true,
	"ClosenessInverseWeight":     true,
	"ClusteringDirectedWeighted": true,
}

// benchCases lists every measure; g is undirected, dg directed (for the
// measures whose interest is in direction). sample is nil for exact path
// measures.
var benchCases = []benchCase{
	{"Degree", func(_ context.Context, g, _ *Graph, _ *Sample) error { _, err := g.DegreeCentrality(Total); return err }},
	{"Betweenness", func(ctx context.Context, g, _ *Graph, s *Sample) error {
		_, err := g.Betweenness(ctx, BetweennessOptions{Sample: s})
		return err
	}},
	{"BetweennessInverseWeight", func(ctx context.Context, g, _ *Graph, s *Sample) error {
		_, err := g.Betweenness(ctx, BetweennessOptions{Length: InverseWeight, Sample: s})
		return err
	}},
	{"BetweennessDirected", func(ctx context.Context, _, dg *Graph, s *Sample) error {
		_, err := dg.Betweenness(ctx, BetweennessOptions{Sample: s})
		return err
	}},
	{"ClosenessInverseWeight", func(ctx context.Context, g, _ *Graph, s *Sample) error {
		_, err := g.Closeness(ctx, ClosenessOptions{Length: InverseWeight, Sample: s})
		return err
	}},
	{"Closeness", func(ctx context.Context, g, _ *Graph, s *Sample) error {
		_, err := g.Closeness(ctx, ClosenessOptions{Sample: s})
		return err
	}},
	{"Harmonic", func(ctx context.Context, g, _ *Graph, s *Sample) error {
		_, err := g.Harmonic(ctx, ClosenessOptions{Sample: s})
		return err
	}},
	{"Eigenvector", func(_ context.Context, g, _ *Graph, _ *Sample) error {
		_, err := g.Eigenvector(EigenvectorOptions{})
		return err
	}},
	{"PageRank", func(_ context.Context, _, dg *Graph, _ *Sample) error {
		_, err := dg.PageRank(PageRankOptions{})
		return err
	}},
	{"Louvain", func(_ context.Context, g, _ *Graph, _ *Sample) error { _, err := g.Louvain(1, 1); return err }},
	{"Clustering", func(_ context.Context, g, _ *Graph, _ *Sample) error { _, err := g.Clustering(Unweighted); return err }},
	{"ClusteringDirectedWeighted", func(_ context.Context, _, dg *Graph, _ *Sample) error {
		_, err := dg.Clustering(Weighted)
		return err
	}},
	{"Summary", func(_ context.Context, g, _ *Graph, _ *Sample) error { g.Summary(); return nil }},
	{"CoreNumbers", func(_ context.Context, g, _ *Graph, _ *Sample) error { g.CoreNumbers(); return nil }},
	{"Constraint", func(_ context.Context, _, dg *Graph, _ *Sample) error { _, err := dg.Constraint(Weighted); return err }},
	{"EffectiveSize", func(_ context.Context, _, dg *Graph, _ *Sample) error {
		_, err := dg.EffectiveSize(Weighted)
		return err
	}},
	{"Brokerage", func(_ context.Context, _, dg *Graph, _ *Sample) error {
		dg.Brokerage(dg.Partition("group"))
		return nil
	}},
	{"EIIndex", func(_ context.Context, _, dg *Graph, _ *Sample) error { dg.EIIndex(dg.Partition("group")); return nil }},
	{"Connectors", func(ctx context.Context, g, _ *Graph, _ *Sample) error {
		_, err := g.Connectors(ctx, KeyPeopleOptions{Limit: 20})
		return err
	}},
	{"Mavens", func(ctx context.Context, _, dg *Graph, s *Sample) error {
		_, err := dg.Mavens(ctx, KeyPeopleOptions{Limit: 20, Sample: s})
		return err
	}},
	{"Salespeople", func(ctx context.Context, _, dg *Graph, _ *Sample) error {
		_, err := dg.Salespeople(ctx, KeyPeopleOptions{Limit: 20})
		return err
	}},
	{"CompareWaves", func(_ context.Context, g, _ *Graph, _ *Sample) error {
		_, err := CompareWaves(g, g)
		return err
	}},
}

// benchSizes are the synthetic graphs: 10k nodes / 50k ties with exact path
// measures, and 100k / 500k with path measures sampled from 500 sources
// (skipped with -short).
var benchSizes = []struct {
	n      int
	sample *Sample
}{
	{10_000, nil},
	{100_000, &Sample{K: 500, Seed: 1}},
}

// BenchmarkMeasures times each measure, and every measure once with its
// default options in turn ("All"), on small-world graphs built once per size
// outside the timer. In "All", Harmonic reuses the search Closeness made (as
// it does in the service); Mavens runs on the directed Graph, where nothing
// computed betweenness before it, so it pays for its own.
func BenchmarkMeasures(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", size.n), func(b *testing.B) {
			if size.n > 10_000 && testing.Short() {
				b.Skip("large graph skipped with -short")
			}
			g := smallWorld(size.n, 5, 0.1, 1)
			dg := smallWorldDirected(size.n, 5, 0.1, 2)
			g.view()
			dg.view()
			// Every run starts from Graphs that remember no results, as
			// freshly loaded ones: what one run computes may be reused
			// within it (as the service reuses it between measures on one
			// Graph), never by the next run.
			fresh := func() { g.dropMemo(); dg.dropMemo() }
			for _, bc := range benchCases {
				b.Run(bc.name, func(b *testing.B) {
					timeIt(b, func() error {
						fresh()
						return bc.run(ctx, g, dg, size.sample)
					})
				})
			}
			b.Run("All", func(b *testing.B) {
				timeIt(b, func() error {
					fresh()
					for _, bc := range benchCases {
						if benchVariants[bc.name] {
							continue
						}
						if err := bc.run(ctx, g, dg, size.sample); err != nil {
							return fmt.Errorf("%s: %w", bc.name, err)
						}
					}
					return nil
				})
			})
		})
	}
}

// BenchmarkBuild times building the 10k-node Graph and its adjacency.
func BenchmarkBuild(b *testing.B) {
	for b.Loop() {
		smallWorld(10_000, 5, 0.1, 1).view()
	}
}
