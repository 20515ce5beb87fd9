package telemetry

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// StartHTTP records a request: it counts it in flight and, when tracing, starts its span,
// a child of the caller's trace when the request carries a W3C traceparent. The span holds
// the method, the route (Route), the status and Kith's request id: never the URL's query,
// which for GET /graphql holds the query text and variables. The function it returns ends
// both with the status answered.
func (t *Telemetry) StartHTTP(r *http.Request, requestID string) (context.Context, func(status int)) {
	ctx := r.Context()
	if t == nil {
		return ctx, func(int) {}
	}
	done := t.countHTTP(r.URL.Path, r.Method)
	if !t.Tracing() {
		return ctx, done
	}
	route, m := Route(r.URL.Path), method(r.Method)
	ctx = propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(r.Header))
	ctx, span := t.tracing.tracer.Start(ctx, m+" "+route, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", m), attribute.String("http.route", route),
			attribute.String("kith.request_id", requestID)))
	return ctx, func(status int) {
		if status == 0 {
			status = http.StatusOK // nothing written: net/http answers 200
		}
		done(status)
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		span.End()
	}
}
