package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p95 of twenty", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), 95, 19 * time.Millisecond},
		{"p99 of ten is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p100", ms(1, 2, 3), 100, 3 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tc.sorted, tc.p, got, tc.want)
			}
		})
	}
}

func TestJSONCount(t *testing.T) {
	doc := map[string]any{"data": map[string]any{
		"people": []any{map[string]any{"knows": []any{1.0, 2.0, 3.0}}},
		"total":  42.0,
		"none":   nil,
	}}
	tests := []struct {
		path    string
		want    int
		wantErr bool
	}{
		{"data.people", 1, false},
		{"data.people.0.knows", 3, false},
		{"data.total", 42, false},
		{"data.none", 0, false},
		{"data.missing", 0, false},
		{"data.people.1.knows", 0, true},
		{"data.total.x", 0, true},
	}
	for _, tc := range tests {
		got, err := jsonCount(doc, tc.path)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("jsonCount(%q) = %d, %v; want %d, error %v", tc.path, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestLabelAndDigits(t *testing.T) {
	for people, want := range map[int]string{10_000: "10k", 100_000: "100k", 2_500: "2500", 1_000_000: "1m", 12_345: "12345"} {
		if got := label(people); got != want {
			t.Errorf("label(%d) = %q, want %q", people, got, want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 129136: "129,136", 1234567: "1,234,567"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{"defaults", nil, "", func(t *testing.T, c Config) {
			if c.People != 10_000 || c.Concurrency != 4 || c.Rounds != 3 || c.LocalPort != 7690 {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{"100k and a subset", []string{"--people", "100000", "--systems", "raw, kith", "--workloads", "page"}, "", func(t *testing.T, c Config) {
			if c.People != 100_000 || !c.wantSystem("kith") || c.wantSystem(sysNeo4jGraphQL) || !c.wantWorkload("page") || c.wantWorkload("nested-read") {
				t.Errorf("parsed: %+v", c)
			}
		}},
		{"unknown system", []string{"--systems", "hasura"}, `unknown system "hasura"`, nil},
		{"unknown workload", []string{"--workloads", "everything"}, `unknown workload "everything"`, nil},
		{"no concurrency", []string{"--concurrency", "0"}, "--concurrency", nil},
		{"tiny community", []string{"--people", "10"}, "--people", nil},
		{"stray argument", []string{"now"}, "unexpected arguments", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NEO4J_URI", "")
			c, err := ParseFlags(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestWorkloadTable(t *testing.T) {
	in := &inputs{people: []string{"per_a", "per_b"}, groups: []string{"grp_a"}, areas: []string{"area_a"},
		areaNames: []string{"Barton"}, householdTypes: []string{"single", "family"}, runID: "r"}
	seen := map[string]bool{}
	for _, w := range workloads() {
		if seen[w.name] {
			t.Errorf("workload %q twice", w.name)
		}
		seen[w.name] = true
		if w.raw == nil || w.kith == nil || w.title == "" || len(w.requires) == 0 {
			t.Errorf("workload %q lacks its raw or Kith request, title or required fields", w.name)
		}
		for _, build := range []func(*inputs, int) gqlRequest{w.kith, w.neo4jGraphQL} {
			if build == nil {
				continue
			}
			if q := build(in, 3).Query; !strings.Contains(q, "{") {
				t.Errorf("workload %q: GraphQL %q", w.name, q)
			}
		}
		if r := w.raw(in, 3); r.write != w.write || r.query == "" {
			t.Errorf("workload %q: raw request %+v", w.name, r)
		}
	}
	// The write workload names people uniquely per system and request.
	a, b := in.batch(sysKith, 1), in.batch(sysKith, 2)
	if len(a) != createBatch || a[0].externalId == b[0].externalId || a[0].externalId == a[1].externalId ||
		!strings.HasPrefix(a[0].externalId, in.createdPrefix(sysKith, 1)) {
		t.Errorf("batch externalIds: %q %q %q", a[0].externalId, a[1].externalId, b[0].externalId)
	}
	people, ties := in.kithBatch(0)
	if len(people) != createBatch || len(ties) != 2*createBatch {
		t.Errorf("kith batch: %d people, %d ties", len(people), len(ties))
	}
}

func TestDriveRespectsBounds(t *testing.T) {
	var next atomic.Int64
	var calls atomic.Int64
	o := drive(context.Background(), burst{conc: 3, dur: time.Minute, max: 50, timeout: time.Second}, &next,
		func(ctx context.Context, i int) error {
			calls.Add(1)
			if i%10 == 0 {
				return errors.New("boom")
			}
			return nil
		})
	if len(o.latencies) != 50 || calls.Load() != 50 || next.Load() != 50 {
		t.Errorf("max 50: %d latencies, %d calls, next %d", len(o.latencies), calls.Load(), next.Load())
	}
	if o.errors != 5 || len(o.errSample) != 1 {
		t.Errorf("errors %d, samples %q; want 5 and one distinct", o.errors, o.errSample)
	}
	start := time.Now()
	o = drive(context.Background(), burst{conc: 2, dur: 100 * time.Millisecond, max: 1 << 30, timeout: time.Second}, &next,
		func(ctx context.Context, i int) error { time.Sleep(5 * time.Millisecond); return nil })
	if el := time.Since(start); el > 2*time.Second || len(o.latencies) == 0 {
		t.Errorf("time-bounded burst took %v with %d requests", el, len(o.latencies))
	}
}

func TestWriteMarkdownKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	r := &Results{Dataset: Dataset{People: 10_000, Seed: 1}, Versions: map[string]string{},
		Workloads: []WorkloadResult{{Name: "page", Title: "a page", Systems: []SystemResult{{System: sysKith, RPS: 12}}}}}
	if err := r.writeMarkdown(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	text := strings.Replace(string(b), "# Benchmarks", "# Benchmarks\n\nProse a person wrote.", 1) + "\nMore prose.\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Workloads[0].Systems[0].RPS = 34
	if err := r.writeMarkdown(path); err != nil {
		t.Fatal(err)
	}
	r100 := &Results{Dataset: Dataset{People: 100_000, Seed: 1}, Versions: map[string]string{}}
	if err := r100.writeMarkdown(path); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	got := string(b)
	for _, want := range []string{"Prose a person wrote.", "More prose.", "| page | Kith | 34 |", "### 100,000 people", "### 10,000 people"} {
		if !strings.Contains(got, want) {
			t.Errorf("BENCHMARKS.md lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "| page | Kith | 12 |") || strings.Count(got, "### 10,000 people") != 1 {
		t.Errorf("the 10k section was not replaced:\n%s", got)
	}
}

// TestEmptyRequestIsReported: the latency of a request that reads nothing is set beside the
// nested read's one-at-a-time target and printed under the table.
func TestEmptyRequestIsReported(t *testing.T) {
	kithSeq, rawSeq := 1.06, 0.50
	r := &Results{
		Settings: Settings{Concurrency: 4},
		Workloads: []WorkloadResult{{Name: "nested-read", Nested: true, Systems: []SystemResult{
			{System: sysRaw, P50ms: 1, SequentialP50ms: &rawSeq},
			{System: sysKith, P50ms: 2, SequentialP50ms: &kithSeq},
		}}},
		EmptyRequestP50ms: map[string]float64{sysKith: 0.118, sysNeo4jGraphQL: 0.402},
	}
	var detail string
	for _, tg := range r.evaluateTargets() {
		if strings.HasPrefix(tg.Name, "Kith p50 ≤ 1.25× raw, one request at a time") {
			detail = tg.Detail
		}
	}
	if want := "1.06 ms vs 0.50 ms = 2.12×; 1.25× leaves 0.125 ms above raw, and a Kith request that reads nothing takes 0.118 ms"; detail != want {
		t.Errorf("detail %q, want %q", detail, want)
	}
	if md := r.markdownTable(); !strings.Contains(md, "p50: Kith 0.118 ms, @neo4j/graphql 0.402 ms.") {
		t.Errorf("the table does not report the empty request:\n%s", md)
	}
}
