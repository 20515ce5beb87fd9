package server_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"kith/auth"
	"kith/server"
	"kith/telemetry"
)

// families are the metric families Kith exports (docs/observability.md).
var families = []string{
	"kith_http_requests_total", "kith_http_request_duration_seconds", "kith_http_requests_in_flight",
	"kith_graphql_operations_total", "kith_graphql_operation_duration_seconds", "kith_graphql_phase_duration_seconds",
	"kith_neo4j_sessions_in_use", "kith_neo4j_sessions_waiting", "kith_neo4j_pool_size",
	"kith_neo4j_statements_total", "kith_neo4j_statement_duration_seconds",
	"kith_audit_queue_length", "kith_audit_records_dropped_total", "kith_audit_queue_full_total",
	"kith_analysis_cache_requests_total", "kith_rate_limited_total",
}

// scrape reads the server's metrics as a Prometheus scraper does.
func (e *env) scrape() (map[string]*dto.MetricFamily, string) {
	e.t.Helper()
	resp, err := http.Get(e.metrics.URL + "/metrics")
	if err != nil {
		e.t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("scrape: HTTP %d: %s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		e.t.Fatalf("parse metrics: %v", err)
	}
	return fams, string(body)
}

// series names one time series: a family and the labels it must carry.
type series struct {
	name   string
	labels map[string]string
}

// value is the series' value: a counter's or gauge's value, a histogram's count, summed
// over the series of the family that carry the labels.
func value(fams map[string]*dto.MetricFamily, s series) float64 {
	f := fams[s.name]
	if f == nil {
		return 0
	}
	total := 0.0
metrics:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range s.labels {
			if have[k] != v {
				continue metrics
			}
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += float64(m.Histogram.GetSampleCount())
		}
	}
	return total
}

// move is a series that must grow by at least min.
type move struct {
	s   series
	min float64
}

func lbl(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// TestMetrics scrapes /metrics around each kind of request and checks that the families
// exist, that the right series move, and that no label value holds an id, a name, a token
// subject, an alias or an operation name the requests used.
func TestMetrics(t *testing.T) {
	tel, err := telemetry.New(context.Background(), telemetry.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := setupObserved(t, tel, func(c *server.Config) { c.RateLimit, c.RateBurst = 0.001, 60 })
	ids := e.fixture(6)
	var created struct {
		CreatePeople []struct{ ID string } `json:"createPeople"`
	}
	const name = "Marguerite Quillfeather"
	e.ok(`mutation($n: String) { createPeople(input: [{displayName: $n}]) { id } }`, map[string]any{"n": name}, &created)
	ids = append(ids, created.CreatePeople[0].ID)

	fams, _ := e.scrape()
	for _, f := range families {
		if fams[f] == nil {
			t.Errorf("family %s is missing", f)
		}
	}
	// The API's own address serves no metrics, whoever asks.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the API address: %v %v, want 404", resp, err)
	}

	burst := mint(t, "test-burst-subject", []auth.Role{auth.Admin}, nil)
	analyst := e.as(auth.Analyst)
	summary := `{ networkSummary { density components } }`
	steps := []struct {
		name string
		do   func()
		// moves are series that must grow by at least their amount.
		moves []move
	}{
		{"read", func() {
			e.ok(`query LookUpMarguerite($id: ID!) { marguerite: node(id: $id) { id ... on Person { displayName } } people(first: 3) { nodes { id } } }`,
				map[string]any{"id": ids[len(ids)-1]}, nil)
		}, []move{
			{series{"kith_graphql_operations_total", lbl("type", "query", "field", "node", "code", "OK")}, 1},
			{series{"kith_graphql_operations_total", lbl("type", "query", "field", "people", "code", "OK")}, 1},
			{series{"kith_graphql_operation_duration_seconds", lbl("type", "query", "field", "people")}, 1},
			{series{"kith_graphql_phase_duration_seconds", lbl("phase", "parse")}, 1},
			{series{"kith_graphql_phase_duration_seconds", lbl("phase", "validate")}, 1},
			{series{"kith_http_requests_total", lbl("route", "/graphql", "method", "POST", "code", "200")}, 1},
			{series{"kith_http_request_duration_seconds", lbl("route", "/graphql", "method", "POST")}, 1},
			{series{"kith_neo4j_statements_total", lbl("kind", "read", "outcome", "ok")}, 1},
			{series{"kith_neo4j_statement_duration_seconds", lbl("kind", "read")}, 1},
		}},
		{"write", func() {
			e.ok(`mutation($n: String) { createPeople(input: [{displayName: $n, externalId: "quill-2"}]) { id } }`,
				map[string]any{"n": name + " Junior"}, nil)
		}, []move{
			{series{"kith_graphql_operations_total", lbl("type", "mutation", "field", "createPeople", "code", "OK")}, 1},
			{series{"kith_neo4j_statements_total", lbl("kind", "write", "outcome", "ok")}, 1},
			{series{"kith_neo4j_statement_duration_seconds", lbl("kind", "write")}, 1},
		}},
		{"forbidden", func() {
			analyst.fails(`mutation { createPeople(input: [{displayName: "Nope"}]) { id } }`, nil, "FORBIDDEN", "")
		}, []move{
			{series{"kith_graphql_operations_total", lbl("type", "mutation", "field", "createPeople", "code", "FORBIDDEN")}, 1},
		}},
		{"bad document", func() {
			e.fails(`{ people(first: 1) { nodes { id }`, nil, "BAD_USER_INPUT", "")
			e.fails(`{ inventedField }`, nil, "BAD_USER_INPUT", "")
		}, []move{
			{series{"kith_graphql_operations_total", lbl("type", "none", "field", "none", "code", "BAD_USER_INPUT")}, 2},
		}},
		{"rate limited", func() {
			b := *e
			b.token = burst
			for i := 0; i < 60; i++ {
				b.ok(`{ __typename }`, nil, nil)
			}
			b.fails(`{ __typename }`, nil, "UNAVAILABLE", "")
		}, []move{
			{series{"kith_rate_limited_total", lbl("route", "/graphql")}, 1},
			{series{"kith_http_requests_total", lbl("route", "/graphql", "method", "POST", "code", "429")}, 1},
		}},
		{"cypher refused", func() {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/cypher", strings.NewReader(`{"query": "MATCH (p:Person) RETURN p.displayName"}`))
			req.Header.Set("Authorization", "Bearer "+e.as(auth.Worker, "area_00000000000000000000").token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("a worker's /cypher: HTTP %d, want 403: %s", resp.StatusCode, body)
			}
		}, []move{
			{series{"kith_http_requests_total", lbl("route", "/cypher", "method", "POST", "code", "403")}, 1},
		}},
		{"analysis, first call", func() { e.ok(summary, nil, nil) }, []move{
			{series{"kith_analysis_cache_requests_total", lbl("cache", "result", "outcome", "miss")}, 1},
			{series{"kith_graphql_operations_total", lbl("field", "networkSummary", "code", "OK")}, 1},
		}},
		{"analysis, second call", func() { e.ok(summary, nil, nil) }, []move{
			{series{"kith_analysis_cache_requests_total", lbl("cache", "result", "outcome", "hit")}, 1},
		}},
		{"health", func() {
			resp, err := http.Get(e.srv.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			resp, err = http.Get(e.srv.URL + "/people/" + ids[0])
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}, []move{
			{series{"kith_http_requests_total", lbl("route", "/healthz", "method", "GET", "code", "200")}, 1},
			{series{"kith_http_requests_total", lbl("route", "other", "method", "GET", "code", "404")}, 1},
		}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			before, _ := e.scrape()
			step.do()
			after, _ := e.scrape()
			for _, m := range step.moves {
				if got := value(after, m.s) - value(before, m.s); got < m.min {
					t.Errorf("%s%v moved by %v, want at least %v", m.s.name, m.s.labels, got, m.min)
				}
			}
		})
	}
	// The analyses' second call must not have been a miss.
	t.Run("no miss on the second call", func(t *testing.T) {
		before, _ := e.scrape()
		e.ok(summary, nil, nil)
		after, _ := e.scrape()
		miss := series{"kith_analysis_cache_requests_total", lbl("cache", "result", "outcome", "miss")}
		if d := value(after, miss) - value(before, miss); d != 0 {
			t.Errorf("a repeated analysis missed the cache %v times", d)
		}
	})

	fams, body := e.scrape()
	t.Run("sessions", func(t *testing.T) {
		if v := value(fams, series{"kith_neo4j_sessions_in_use", nil}); v != 0 {
			t.Errorf("%v sessions still open after every request finished", v)
		}
		if v := value(fams, series{"kith_neo4j_pool_size", nil}); v != 100 {
			t.Errorf("pool size %v, want the driver's default 100", v)
		}
	})
	t.Run("no personal data", func(t *testing.T) {
		secret := append([]string{name, "Resident 000", "Knit and Natter", "Barton", "test-admin", "test-analyst",
			"test-burst-subject", "LookUpMarguerite", "marguerite", "inventedField", "quill-2", "per_", "grp_", "area_"}, ids...)
		for _, s := range secret {
			if strings.Contains(body, s) {
				t.Errorf("the metrics hold %q", s)
			}
		}
		plain := regexp.MustCompile(`^[A-Za-z0-9_/.+-]*$`)
		for _, f := range fams {
			if !strings.HasPrefix(f.GetName(), "kith_") {
				continue
			}
			for _, m := range f.Metric {
				for _, l := range m.Label {
					if !plain.MatchString(l.GetValue()) || len(l.GetValue()) > 32 {
						t.Errorf("%s has label %s=%q, outside the closed sets", f.GetName(), l.GetName(), l.GetValue())
					}
				}
			}
		}
	})
}

// otlpReceiver is an OTLP/HTTP trace collector in the test: it decodes what the exporter
// posts to /v1/traces.
type otlpReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	posts    int
	spans    []*tracepb.Span
	resource []*commonpb.KeyValue
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	r := &otlpReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var msg coltracepb.ExportTraceServiceRequest
		if req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &msg) != nil {
			t.Errorf("the receiver got %s %s (%s), not an OTLP protobuf export", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.posts++
		for _, rs := range msg.ResourceSpans {
			r.resource = append(r.resource, rs.GetResource().GetAttributes()...)
			for _, ss := range rs.ScopeSpans {
				r.spans = append(r.spans, ss.Spans...)
			}
		}
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.Close)
	return r
}

// TestTracing sends requests to a server tracing to an OTLP receiver in the test, through
// the real exporter, and checks the spans: HTTP, parse, validate, execute and Neo4j
// statements, linked parent to child, joining the caller's trace, and carrying no ids,
// names, variables or token subjects.
func TestTracing(t *testing.T) {
	rcv := newOTLPReceiver(t)
	tel, err := telemetry.New(context.Background(), telemetry.Config{OTLPEndpoint: rcv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !tel.Tracing() {
		t.Fatal("tracing is off with an endpoint")
	}
	e := setupObserved(t, tel, nil)
	const name = "Ottoline Wrenfeather"
	var created struct {
		CreatePeople []struct{ ID string } `json:"createPeople"`
	}
	// Two batch fields: one shared transaction, run from the response handler.
	e.ok(`mutation($n: String) {
	  createPeople(input: [{displayName: $n, externalId: "wren-1"}]) { id }
	  createGroups(input: [{name: "Wrenfeather Walkers", externalId: "wren-walk"}]) { id }
	}`, map[string]any{"n": name}, &created)
	id := created.CreatePeople[0].ID

	// A read that joins the caller's trace.
	const callerTrace, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	body, _ := json.Marshal(map[string]any{"query": `query Secretly($id: ID!) { who: node(id: $id) { ... on Person { displayName } } }`,
		"variables": map[string]any{"id": id}})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()

	byID := map[string]*tracepb.Span{}
	for _, s := range rcv.spans {
		byID[hex.EncodeToString(s.SpanId)] = s
	}
	parentName := func(s *tracepb.Span) string {
		if p := byID[hex.EncodeToString(s.ParentSpanId)]; p != nil {
			return p.Name
		}
		return ""
	}
	// The read's spans, found by the caller's trace id.
	var read []*tracepb.Span
	for _, s := range rcv.spans {
		if hex.EncodeToString(s.TraceId) == callerTrace {
			read = append(read, s)
		}
	}
	want := map[string]string{ // span name -> parent's name
		"POST /graphql":    "",
		"graphql.parse":    "POST /graphql",
		"graphql.validate": "POST /graphql",
		"graphql.execute":  "POST /graphql",
		"neo4j.read":       "graphql.execute",
	}
	for spanName, parent := range want {
		t.Run(spanName, func(t *testing.T) {
			var found *tracepb.Span
			for _, s := range read {
				if s.Name == spanName {
					found = s
				}
			}
			if found == nil {
				names := []string{}
				for _, s := range read {
					names = append(names, s.Name)
				}
				t.Fatalf("no %s span in the read's trace; it has %v", spanName, names)
			}
			if parent == "" {
				if got := hex.EncodeToString(found.ParentSpanId); got != callerSpan {
					t.Errorf("%s's parent is %q, want the caller's span %s", spanName, got, callerSpan)
				}
				return
			}
			if got := parentName(found); got != parent {
				t.Errorf("%s's parent is %q, want %q", spanName, got, parent)
			}
			if found.StartTimeUnixNano == 0 || found.EndTimeUnixNano < found.StartTimeUnixNano {
				t.Errorf("%s runs from %d to %d", spanName, found.StartTimeUnixNano, found.EndTimeUnixNano)
			}
		})
	}
	t.Run("statements", func(t *testing.T) {
		writes := 0
		for _, s := range rcv.spans {
			if !strings.HasPrefix(s.Name, "neo4j.") || len(s.ParentSpanId) == 0 {
				continue // statements outside requests (migrations) have no parent
			}
			if p := parentName(s); p != "graphql.execute" {
				t.Errorf("a %s span's parent is %q, want graphql.execute", s.Name, p)
			}
			if attr(s, "kith.statement.fingerprint") == "" {
				t.Errorf("a statement span has no fingerprint: %v", s.Attributes)
			}
			if s.Name == "neo4j.write" {
				writes++
			}
		}
		if writes == 0 {
			t.Error("no neo4j.write span under a graphql.execute span")
		}
	})
	t.Run("no personal data", func(t *testing.T) {
		secret := []string{name, id, "wren-1", "Wrenfeather Walkers", "wren-walk", "test-admin", "Secretly", "who", "MATCH", "$id"}
		check := func(where string, kvs []*commonpb.KeyValue) {
			for _, kv := range kvs {
				v := kv.GetValue().String()
				for _, s := range secret {
					if strings.Contains(v, s) {
						t.Errorf("%s attribute %s holds %q: %s", where, kv.Key, s, v)
					}
				}
			}
		}
		check("resource", rcv.resource)
		for _, s := range rcv.spans {
			check(s.Name, s.Attributes)
			for _, ev := range s.Events {
				check(s.Name+" event", ev.Attributes)
			}
			if s.Status != nil {
				check(s.Name+" status", []*commonpb.KeyValue{{Key: "status", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s.Status.Message}}}})
			}
		}
	})
}

func attr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

// TestTracingOff checks that a server whose tracing is off (no endpoint, or
// OTEL_SDK_DISABLED with one) exports nothing and records no span.
func TestTracingOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(url string) telemetry.Config
	}{
		{"no endpoint", func(string) telemetry.Config { return telemetry.Config{} }},
		{"disabled", func(url string) telemetry.Config { return telemetry.Config{OTLPEndpoint: url, Disabled: true} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newOTLPReceiver(t)
			tel, err := telemetry.New(context.Background(), tc.cfg(rcv.URL))
			if err != nil {
				t.Fatal(err)
			}
			if tel.Tracing() {
				t.Fatal("tracing is on")
			}
			e := setupObserved(t, tel, nil)
			e.fixture(2)
			e.ok(`{ people(first: 2) { nodes { id displayName } } }`, nil, nil)
			_, span := tel.Tracer().Start(context.Background(), "probe")
			if span.IsRecording() {
				t.Error("a span records with tracing off")
			}
			span.End()
			if err := tel.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			rcv.mu.Lock()
			defer rcv.mu.Unlock()
			if rcv.posts != 0 || len(rcv.spans) != 0 {
				t.Errorf("%d exports of %d spans with tracing off", rcv.posts, len(rcv.spans))
			}
		})
	}
}
