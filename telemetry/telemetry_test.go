package telemetry_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"kith/telemetry"
)

// TestTracingOnlyWithAnEndpoint checks that tracing starts an exporter (and its
// goroutine) only when an endpoint is configured and tracing is not disabled.
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
			if !tc.on && started != 0 {
				t.Errorf("tracing off started %d goroutines", started)
			}
			if tc.on && started == 0 {
				t.Error("tracing on started no exporter goroutine")
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
