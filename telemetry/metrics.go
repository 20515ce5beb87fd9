package telemetry

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kith/apierr"
)

// metrics holds Kith's Prometheus families, in a registry of their own (no global state):
// docs/observability.md says what each tells an operator.
type metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpInFlight prometheus.Gauge

	operations        *prometheus.CounterVec
	operationDuration *prometheus.HistogramVec
	phaseDuration     *prometheus.HistogramVec

	sessionsOpen      atomic.Int64
	statements        *prometheus.CounterVec
	statementDuration *prometheus.HistogramVec

	auditQueue     prometheus.Gauge
	auditDropped   prometheus.Counter
	auditQueueFull prometheus.Counter

	analysisCache *prometheus.CounterVec
	rateLimited   *prometheus.CounterVec
}

// latencyBuckets suit requests and statements: Kith's nested reads take about a
// millisecond, analyses of large communities seconds.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics(poolSize int) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kith_http_requests_total", Help: "HTTP requests answered, by route, method and status code.",
	}, []string{"route", "method", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kith_http_request_duration_seconds", Help: "Time from a request's arrival to the end of its answer, by route and method.",
		Buckets: latencyBuckets,
	}, []string{"route", "method"})
	m.httpInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kith_http_requests_in_flight", Help: "HTTP requests being answered now.",
	})
	m.operations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kith_graphql_operations_total",
		Help: "GraphQL root fields run, by operation type, root field (a schema name; none when the document did not parse or validate) and outcome (OK or the error's extensions.code).",
	}, []string{"type", "field", "code"})
	m.operationDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kith_graphql_operation_duration_seconds", Help: "Time to execute the operation holding each root field, by operation type and root field.",
		Buckets: latencyBuckets,
	}, []string{"type", "field"})
	m.phaseDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kith_graphql_phase_duration_seconds", Help: "Time to parse and to validate GraphQL documents (a cached document parses in no time).",
		Buckets: latencyBuckets,
	}, []string{"phase"})
	m.statements = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kith_neo4j_statements_total", Help: "Cypher statements sent to Neo4j, by kind (read or write) and outcome (ok or error).",
	}, []string{"kind", "outcome"})
	m.statementDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kith_neo4j_statement_duration_seconds", Help: "Time from sending a statement to reading its last record, by kind.",
		Buckets: latencyBuckets,
	}, []string{"kind"})
	m.auditQueue = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kith_audit_queue_length", Help: "Audit records of reads waiting to be written to Neo4j.",
	})
	m.auditDropped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kith_audit_records_dropped_total", Help: "Audit records that could not be written to Neo4j (the server log keeps who and what).",
	})
	m.auditQueueFull = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kith_audit_queue_full_total", Help: "Audit records written while their request waited, because the queue was full.",
	})
	m.analysisCache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kith_analysis_cache_requests_total", Help: "Look-ups in the analysis caches (graph: loaded projections; result: computed measures), by outcome (hit or miss).",
	}, []string{"cache", "outcome"})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kith_rate_limited_total", Help: "Requests refused by the per-token rate limit (HTTP 429), by route.",
	}, []string{"route"})
	pool := float64(poolSize)
	m.reg.MustRegister(
		m.httpRequests, m.httpDuration, m.httpInFlight,
		m.operations, m.operationDuration, m.phaseDuration,
		m.statements, m.statementDuration,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kith_neo4j_sessions_in_use", Help: "Neo4j sessions the store has open; each holds at most one pooled connection while it runs.",
		}, func() float64 { return float64(m.sessionsOpen.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kith_neo4j_sessions_waiting", Help: "Sessions open beyond the driver's connection pool: they wait for a connection (the driver reports no pool figures of its own).",
		}, func() float64 { return max(0, float64(m.sessionsOpen.Load())-pool) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kith_neo4j_pool_size", Help: "The Neo4j driver's largest connection pool.",
		}, func() float64 { return pool }),
		m.auditQueue, m.auditDropped, m.auditQueueFull,
		m.analysisCache, m.rateLimited,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Families of counters start at zero for the values an operator alerts on, so that a
	// rate() has a series before the first event.
	for _, c := range []string{"graph", "result"} {
		for _, o := range []string{"hit", "miss"} {
			m.analysisCache.WithLabelValues(c, o)
		}
	}
	for _, k := range []string{"read", "write"} {
		for _, o := range []string{"ok", "error"} {
			m.statements.WithLabelValues(k, o)
		}
	}
	for _, r := range []string{"/graphql", "/cypher"} {
		m.rateLimited.WithLabelValues(r)
	}
	return m
}

// MetricsHandler serves the metrics in Prometheus's text format (or OpenMetrics when the
// scraper asks for it).
func (t *Telemetry) MetricsHandler() http.Handler {
	if t == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(t.metrics.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// routes are the HTTP routes metrics name; any other path is "other", so a client cannot
// add series by inventing paths.
var routes = map[string]bool{"/graphql": true, "/cypher": true, "/healthz": true, "/readyz": true, "/": true}

// Route returns the route label of a request path: the path when it is one of Kith's
// routes, otherwise "other".
func Route(path string) string {
	if routes[path] {
		return path
	}
	return "other"
}

func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodHead, http.MethodOptions:
		return m
	}
	return "other"
}

// outcomeCodes are the outcomes GraphQL metrics name: OK and the codes of package apierr.
var outcomeCodes = map[string]bool{"OK": true, string(apierr.CodeBadUserInput): true, string(apierr.CodeUnauthenticated): true,
	string(apierr.CodeForbidden): true, string(apierr.CodeNotFound): true, string(apierr.CodeConflict): true,
	string(apierr.CodeUnavailable): true, string(apierr.CodeTimeout): true, string(apierr.CodeInternal): true}

// Code returns the outcome label of an error code: the code when Kith sends it, otherwise
// "OTHER".
func Code(code string) string {
	if outcomeCodes[code] {
		return code
	}
	return "OTHER"
}

// countHTTP counts a request in flight; the function it returns records the request's
// status and duration when it ends.
func (t *Telemetry) countHTTP(path, httpMethod string) func(status int) {
	start := time.Now()
	t.metrics.httpInFlight.Inc()
	route, m := Route(path), method(httpMethod)
	return func(status int) {
		t.metrics.httpInFlight.Dec()
		if status < 100 || status > 599 {
			status = http.StatusOK // nothing written: net/http answers 200
		}
		t.metrics.httpRequests.WithLabelValues(route, m, strconv.Itoa(status)).Inc()
		t.metrics.httpDuration.WithLabelValues(route, m).Observe(time.Since(start).Seconds())
	}
}

// Operation records one root field of a GraphQL operation: the operation's type (query,
// mutation, subscription, or none when the document did not parse), the field's name in
// the schema (none likewise), its outcome code and how long the operation ran.
func (t *Telemetry) Operation(opType, field, code string, d time.Duration) {
	if t == nil {
		return
	}
	switch opType {
	case "query", "mutation", "subscription":
	default:
		opType, field = "none", "none"
	}
	t.metrics.operations.WithLabelValues(opType, field, Code(code)).Inc()
	if d > 0 {
		t.metrics.operationDuration.WithLabelValues(opType, field).Observe(d.Seconds())
	}
}

// Phase records how long parsing ("parse") or validating ("validate") a document took.
func (t *Telemetry) Phase(phase string, d time.Duration) {
	if t == nil || (phase != "parse" && phase != "validate") {
		return
	}
	t.metrics.phaseDuration.WithLabelValues(phase).Observe(d.Seconds())
}

// AnalysisCache records a look-up in an analysis cache ("graph" or "result").
func (t *Telemetry) AnalysisCache(cache string, hit bool) {
	if t == nil {
		return
	}
	outcome := "miss"
	if hit {
		outcome = "hit"
	}
	t.metrics.analysisCache.WithLabelValues(cache, outcome).Inc()
}

// RateLimited records a request refused by the rate limit.
func (t *Telemetry) RateLimited(path string) {
	if t == nil {
		return
	}
	t.metrics.rateLimited.WithLabelValues(Route(path)).Inc()
}

// AuditQueue records how many audit records wait to be written.
func (t *Telemetry) AuditQueue(n int) {
	if t == nil {
		return
	}
	t.metrics.auditQueue.Set(float64(n))
}

// AuditQueueFull records a record written at once because the queue was full.
func (t *Telemetry) AuditQueueFull() {
	if t == nil {
		return
	}
	t.metrics.auditQueueFull.Inc()
}

// AuditDropped records n audit records that could not be written.
func (t *Telemetry) AuditDropped(n int) {
	if t == nil {
		return
	}
	t.metrics.auditDropped.Add(float64(n))
}
