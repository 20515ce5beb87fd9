package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"kith/auth"
	"kith/cypher"
	"kith/server"
)

// inProcess is Kith's HTTP handler running in the test process over the benchmark database,
// with an admin token, and the raw driver beside it, so that Kith can be measured and
// profiled alone.
type inProcess struct {
	db      *database
	in      *inputs
	handler http.Handler
	raw     *system // the raw driver, without a counting proxy
	kith    *system // Kith over loopback HTTP
	token   string
}

// startInProcess starts Kith in the test process over the database KITH_BENCH_NEO4J_URI
// names (default the local benchmark instance, bolt://127.0.0.1:7690). It skips the
// benchmark when that database holds no benchmark community.
func startInProcess(b *testing.B) *inProcess {
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
	b.Cleanup(db.close)
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
	b.Cleanup(srv.Close)
	h := srv.Handler()
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)
	b.Cleanup(func() {
		if err := db.cleanup(ctx); err != nil {
			b.Error(err)
		}
	})
	return &inProcess{db: db, in: in, handler: h, token: token,
		raw:  &system{name: sysRaw, driver: d, database: db.name},
		kith: &system{name: sysKith, url: ts.URL + "/graphql", token: token, http: newHTTPClient(8, time.Minute)}}
}

// BenchmarkKithInProcess sends each workload's Kith request to Kith's HTTP handler running
// in the test process, 2 at a time per CPU, so that Kith can be profiled alone:
//
//	make bench   # once, to start and load the benchmark Neo4j
//	go test ./internal/bench -run '^$' -bench KithInProcess -benchtime 2000x -cpuprofile cpu.out
//	go tool pprof -top bench.test cpu.out
func BenchmarkKithInProcess(b *testing.B) {
	p := startInProcess(b)
	ctx := context.Background()
	for _, w := range workloads() {
		b.Run(w.name, func(b *testing.B) {
			if _, err := p.kith.do(ctx, w, p.in, 0); err != nil {
				b.Skipf("Kith refuses %s: %v", w.name, err)
			}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := p.kith.do(ctx, w, p.in, int(next.Add(1))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if err := p.db.cleanup(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkNestedReadLayers takes the nested read apart, one request at a time, to show
// where Kith's latency above the raw driver goes:
//
//   - raw: the raw driver's statement (as in make bench, but without the counting proxy);
//   - handler: Kith's HTTP handler called in the process (token, GraphQL, statement,
//     JSON), without a network;
//   - http: Kith over loopback HTTP, as make bench measures it;
//   - http-nothing: Kith over loopback HTTP answering { __typename }, which reads nothing:
//     what one GraphQL request over HTTP costs before any data;
//   - http-raw: the raw statement behind a bare net/http handler that writes its records as
//     JSON, with no GraphQL: the floor for any API over HTTP, hand-written or not.
//
// Compare runs with benchstat:
//
//	go test ./internal/bench -run '^$' -bench NestedReadLayers -benchtime 2000x -count 6 > new.txt
func BenchmarkNestedReadLayers(b *testing.B) {
	p := startInProcess(b)
	ctx := context.Background()
	w := workloads()[0]
	if !w.nested || w.name != "nested-read" {
		b.Fatalf("workload 0 is %s, not the nested read", w.name)
	}
	b.Run("raw", func(b *testing.B) {
		for i := range b.N {
			if _, err := p.raw.run(ctx, w.raw(p.in, i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handler", func(b *testing.B) {
		for i := range b.N {
			body, err := json.Marshal(w.kith(p.in, i))
			if err != nil {
				b.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+p.token)
			rec := httptest.NewRecorder()
			p.handler.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
	b.Run("http", func(b *testing.B) {
		for i := range b.N {
			if _, err := p.kith.do(ctx, w, p.in, i); err != nil {
				b.Fatal(err)
			}
		}
	})
	nothing := &workload{name: "nothing", kith: func(*inputs, int) gqlRequest { return gqlRequest{Query: "{ __typename }"} }}
	b.Run("http-nothing", func(b *testing.B) {
		for i := range b.N {
			if _, err := p.kith.do(ctx, nothing, p.in, i); err != nil {
				b.Fatal(err)
			}
		}
	})
	var nextRaw atomic.Int64
	bare := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		recs, err := p.raw.run(r.Context(), w.raw(p.in, int(nextRaw.Add(1))))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		rows := make([]map[string]any, len(recs))
		for i, rec := range recs {
			rows[i] = rec.AsMap()
		}
		rw.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(rw).Encode(map[string]any{"data": rows}); err != nil {
			b.Error(err)
		}
	}))
	defer bare.Close()
	bareSys := &system{name: sysKith, url: bare.URL, http: newHTTPClient(8, time.Minute)}
	b.Run("http-raw", func(b *testing.B) {
		for i := range b.N {
			if _, err := bareSys.do(ctx, w, p.in, i); err != nil {
				b.Fatal(err)
			}
		}
	})
}
