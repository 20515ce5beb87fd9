package analysisservice_test

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/analysisservice"
	"kith/cypher"
	"kith/internal/neo4jtest"
	"kith/seed"
)

// BenchmarkRun measures runAnalysis as the API runs it (Service.Run over the default
// directed scope, every centrality measure, path measures sampled from 500 sources) on a
// synthetic community in the Neo4j that KITH_BENCH_NEO4J_URI names: "compute-s" is
// loading the projection and computing the measures on a fresh Service, "save-s" the
// Run that follows (its measures come from the cache, so it is the version check and
// SaveAnalysisRun writing every score). The community is the seed generator's
// (KITH_BENCH_PEOPLE people, default 10000, seed 1, as `kith seed --people N` loads it);
// a database holding another number of people is emptied and loaded first. Each run is
// checked: every scored node must carry the run's id.
//
//	KITH_BENCH_NEO4J_URI=bolt://127.0.0.1:7694 KITH_BENCH_PEOPLE=100000 \
//	  go test ./analysisservice -run '^$' -bench Run -benchtime 1x
func BenchmarkRun(b *testing.B) {
	uri, people := neo4jtest.BenchDatabase(b)
	ctx := context.Background()
	driver := neo4jtest.Driver(b, uri)
	store := cypher.New(driver, cypher.Options{})
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	g := seed.Synthetic(people, 1)
	neo4jtest.EnsurePeople(b, driver, g.People(), func() error { return g.Load(ctx, store, nil) })
	g = nil
	sc := analysisservice.Scope{Directed: true}
	measures := analysisservice.Measures()
	k := 500
	sampling := analysisservice.Sampling{K: &k, Seed: 1}
	runtime.GC()
	cpu := cpuSeconds()
	var peak uint64
	for b.Loop() {
		svc := analysisservice.New(store, analysisservice.Options{ComputeTimeout: 30 * time.Minute})
		start := time.Now()
		for _, m := range measures {
			smp := analysisservice.Sampling{}
			if m == analysisservice.Betweenness || m == analysisservice.Closeness || m == analysisservice.Harmonic {
				smp = sampling
			}
			if _, err := svc.Centrality(ctx, cypher.Scope{}, sc, m, smp); err != nil {
				b.Fatal(err)
			}
		}
		compute := time.Since(start)
		start = time.Now()
		run, err := svc.Run(ctx, cypher.Scope{}, sc, measures, sampling)
		if err != nil {
			b.Fatal(err)
		}
		save := time.Since(start)
		b.ReportMetric(compute.Seconds(), "compute-s")
		b.ReportMetric(save.Seconds(), "save-s")
		b.ReportMetric(float64(run.Nodes), "nodes")
		b.ReportMetric(float64(run.Ties), "ties")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		b.StopTimer()
		if got := count(b, driver, "MATCH (n:Entity) WHERE n.score_pagerank_run = $run AND n.score_betweenness_run = $run RETURN count(n)",
			map[string]any{"run": run.ID}); got != int64(run.Nodes) {
			b.Fatalf("%d nodes carry run %s, want %d", got, run.ID, run.Nodes)
		}
		stored, err := store.AnalysisRunByID(ctx, run.ID)
		if err != nil || stored == nil || len(stored.Measures) != len(measures) {
			b.Fatalf("stored run %s: %+v, %v", run.ID, stored, err)
		}
		b.StartTimer()
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "kith-cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
}

// count runs a statement that returns one count.
func count(b *testing.B, driver neo4j.DriverWithContext, query string, params map[string]any) int64 {
	b.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), driver, query, params, neo4j.EagerResultTransformer)
	if err != nil {
		b.Fatal(err)
	}
	return res.Records[0].Values[0].(int64)
}

// cpuSeconds returns the process's user plus system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
