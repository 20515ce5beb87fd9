package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"kith/telemetry"
)

// TestTracingOnlyWithAnEndpoint checks that spans record only when an endpoint is
// configured and tracing is not disabled, and that tracing off starts no goroutine.
func TestTracingOnlyWithAnEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  telemetry.Config
		on   bool
	}{
		{"nothing set", telemetry.Config{}, false},
		{"disabled despite an endpoint", telemetry.Config{OTLPEndpoint: "http://127.0.0.1:1", Disabled: true}, false},
		{"base endpoint", telemetry.Config{OTLPEndpoint: "http://127.0.0.1:1"}, true},
		{"traces endpoint", telemetry.Config{OTLPTracesEndpoint: "http://127.0.0.1:1/v1/traces"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			tel, err := telemetry.New(context.Background(), tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			started := runtime.NumGoroutine() - before
			if tel.Tracing() != tc.on {
				t.Errorf("Tracing() = %v, want %v", tel.Tracing(), tc.on)
			}
			_, span := tel.Tracer().Start(context.Background(), "probe")
			if span.IsRecording() != tc.on {
				t.Errorf("span recording = %v, want %v", span.IsRecording(), tc.on)
			}
			span.End()
			// The cases with tracing off come first, while no exporter of an earlier case
			// may still be ending its goroutines.
			if !tc.on && started != 0 {
				t.Errorf("tracing off started %d goroutines", started)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = tel.Shutdown(ctx) // the endpoint refuses: the span is dropped
		})
	}
}

// TestLabelsAreClosed checks that request paths and error codes outside Kith's closed
// sets become one label value.
func TestLabelsAreClosed(t *testing.T) {
	for _, tc := range []struct{ in, route, code string }{
		{"/graphql", "/graphql", "OTHER"},
		{"/people/per_0123456789abcdefghij", "other", "OTHER"},
		{"/cypher", "/cypher", "OTHER"},
		{"FORBIDDEN", "other", "FORBIDDEN"},
		{"OK", "other", "OK"},
		{"Marguerite", "other", "OTHER"},
	} {
		if got := telemetry.Route(tc.in); got != tc.route {
			t.Errorf("Route(%q) = %q, want %q", tc.in, got, tc.route)
		}
		if got := telemetry.Code(tc.in); got != tc.code {
			t.Errorf("Code(%q) = %q, want %q", tc.in, got, tc.code)
		}
	}
}

// TestSessionsWaiting checks the derived gauge: sessions open past the pool wait.
func TestSessionsWaiting(t *testing.T) {
	tel, err := telemetry.New(context.Background(), telemetry.Config{Neo4jPoolSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		open, close    int
		inUse, waiting float64
	}{
		{open: 1, inUse: 1, waiting: 0},
		{open: 1, inUse: 2, waiting: 0},
		{open: 2, inUse: 4, waiting: 2},
		{close: 3, inUse: 1, waiting: 0},
	} {
		for range tc.open {
			tel.SessionOpened()
		}
		for range tc.close {
			tel.SessionClosed()
		}
		rec := httptest.NewRecorder()
		tel.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		inUse := fams["kith_neo4j_sessions_in_use"].GetMetric()[0].GetGauge().GetValue()
		waiting := fams["kith_neo4j_sessions_waiting"].GetMetric()[0].GetGauge().GetValue()
		if inUse != tc.inUse || waiting != tc.waiting {
			t.Errorf("after +%d -%d: in use %v, waiting %v; want %v, %v", tc.open, tc.close, inUse, waiting, tc.inUse, tc.waiting)
		}
	}
}
