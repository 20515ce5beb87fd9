// Package telemetry is what Kith tells an operator's tools about itself: Prometheus
// metrics (metrics.go) and OpenTelemetry traces (tracing.go). It owns the metric families
// and the tracer; the server, the store and the analysis service report to it through a
// *Telemetry they are given. A nil *Telemetry records nothing, so code and tests that do
// not care need not make one.
//
// Nothing recorded here may identify a person: label values and span attributes come
// from closed sets (routes, root field names of the schema, error codes, statement kinds),
// never from ids, names, query text, variables or token subjects.
package telemetry

import "context"

// Config configures a Telemetry.
type Config struct {
	// OTLPEndpoint is the base URL of an OTLP/HTTP collector (as OTEL_EXPORTER_OTLP_ENDPOINT:
	// traces go to its /v1/traces). Empty leaves tracing off unless OTLPTracesEndpoint is set.
	OTLPEndpoint string
	// OTLPTracesEndpoint is the full URL traces are posted to (as
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); it wins over OTLPEndpoint.
	OTLPTracesEndpoint string
	// Disabled turns tracing off whatever the endpoints say (OTEL_SDK_DISABLED=true).
	Disabled bool
	// ServiceVersion is reported as the service.version of every span, when set.
	ServiceVersion string
	// Neo4jPoolSize is the Neo4j driver's MaxConnectionPoolSize (default 100, the driver's
	// default): sessions in use past it are waiting for a connection.
	Neo4jPoolSize int
}

// Telemetry records Kith's metrics and traces.
type Telemetry struct {
	metrics *metrics
	tracing *tracing
}

// New returns a Telemetry: metrics always, and tracing when an OTLP endpoint is
// configured. With tracing off it starts no exporter and no goroutine.
func New(ctx context.Context, cfg Config) (*Telemetry, error) {
	if cfg.Neo4jPoolSize <= 0 {
		cfg.Neo4jPoolSize = 100
	}
	tr, err := newTracing(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Telemetry{metrics: newMetrics(cfg.Neo4jPoolSize), tracing: tr}, nil
}

// Shutdown sends the spans not yet exported and stops the exporter. Spans started after
// it are not recorded.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tracing.shutdown(ctx)
}
