package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"kith/auth"
	"kith/cypher"
	"kith/server"
)

// BenchmarkKithInProcess sends each workload's Kith request to Kith's HTTP handler running
// in the test process, over the benchmark database, so that Kith can be profiled alone:
//
//	make bench   # once, to start and load the benchmark Neo4j
//	go test ./bench -run '^$' -bench KithInProcess -benchtime 2000x -cpuprofile cpu.out
//	go tool pprof -top bench.test cpu.out
//
// KITH_BENCH_NEO4J_URI names the database (default the local benchmark instance,
// bolt://127.0.0.1:7690). It is skipped when that database holds no benchmark community.
func BenchmarkKithInProcess(b *testing.B) {
	uri := os.Getenv("KITH_BENCH_NEO4J_URI")
	if uri == "" {
		uri = "bolt://127.0.0.1:7690"
	}
	ctx := context.Background()
	db := &database{uri: uri, user: os.Getenv("NEO4J_USER"), password: os.Getenv("NEO4J_PASSWORD"), cpu: cpuMeter{pid: -1}}
	d, err := newDriver(ctx, db, 5*time.Second)
	if err != nil {
		b.Skipf("no benchmark database at %s (run make bench first): %v", uri, err)
	}
	db.driver = d
	defer db.close()
	if recs, err := db.query(ctx, "MATCH (m:"+markerLabel+") RETURN count(m)", nil); err != nil || recordInt(recs, 0) == 0 {
		b.Skipf("the database at %s holds no benchmark community (run make bench first)", uri)
	}
	in, err := db.readInputs(ctx)
	if err != nil {
		b.Fatal(err)
	}
	secret := []byte("kith-bench-profile-secret-of-32-bytes!")
	verifier, err := auth.NewVerifier(auth.Config{Secret: secret, Issuer: "kith-bench", Audience: "kith-api"})
	if err != nil {
		b.Fatal(err)
	}
	token, err := auth.MintHS256(secret, auth.Grant{Subject: "kith-bench", Roles: []auth.Role{auth.Admin},
		Issuer: "kith-bench", Audience: "kith-api", TTL: time.Hour}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.Verifier, cfg.RateLimit = verifier, 0
	srv := server.New(cfg, cypher.New(d, cypher.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	s := &system{name: sysKith, url: ts.URL + "/graphql", token: token, http: newHTTPClient(8, time.Minute)}
	for _, w := range workloads() {
		b.Run(w.name, func(b *testing.B) {
			if _, err := s.do(ctx, w, in, 0); err != nil {
				b.Skipf("Kith refuses %s: %v", w.name, err)
			}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.do(ctx, w, in, int(next.Add(1))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if err := db.cleanup(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
}
