package telemetry

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// tracing is the tracer Kith's spans come from: the OpenTelemetry SDK exporting over
// OTLP/HTTP when an endpoint is configured, otherwise a no-op tracer whose spans record
// nothing and cost a few nanoseconds. The provider is Kith's own, never the global one.
type tracing struct {
	tracer trace.Tracer
	// sdk is nil when tracing is off.
	sdk *sdktrace.TracerProvider
}

// tracerName names the instrumentation scope of Kith's spans.
const tracerName = "kith"

func newTracing(ctx context.Context, cfg Config) (*tracing, error) {
	var opts []otlptracehttp.Option
	switch {
	case cfg.Disabled:
		return offTracing(), nil
	case cfg.OTLPTracesEndpoint != "":
		opts = append(opts, otlptracehttp.WithEndpointURL(cfg.OTLPTracesEndpoint))
	case cfg.OTLPEndpoint != "":
		opts = append(opts, otlptracehttp.WithEndpointURL(strings.TrimRight(cfg.OTLPEndpoint, "/")+"/v1/traces"))
	default:
		return offTracing(), nil
	}
	// The exporter reads the other OTEL_EXPORTER_OTLP_* variables (headers, timeout,
	// compression, certificates) itself; it connects only when it first exports.
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("otlp trace exporter: %w", err)
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", "kith")}
	if cfg.ServiceVersion != "" {
		attrs = append(attrs, attribute.String("service.version", cfg.ServiceVersion))
	}
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults.
	res, err := resource.New(ctx, resource.WithAttributes(attrs...), resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("otel resource: %w", err)
	}
	// The sampler follows OTEL_TRACES_SAMPLER (default: always, or as the caller's
	// traceparent says).
	sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &tracing{tracer: sdk.Tracer(tracerName), sdk: sdk}, nil
}

func offTracing() *tracing {
	return &tracing{tracer: noop.NewTracerProvider().Tracer(tracerName)}
}

func (t *tracing) shutdown(ctx context.Context) error {
	if t.sdk == nil {
		return nil
	}
	return t.sdk.Shutdown(ctx)
}

// Tracing reports whether spans are recorded and exported.
func (t *Telemetry) Tracing() bool { return t != nil && t.tracing.sdk != nil }

// Tracer returns the tracer of Kith's spans: a no-op one when tracing is off.
func (t *Telemetry) Tracer() trace.Tracer {
	if t == nil {
		return offTracing().tracer
	}
	return t.tracing.tracer
}
