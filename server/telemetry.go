package server

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"kith/telemetry"
)

// This file connects the server to package telemetry: the metrics listener, and the
// GraphQL extension that counts operations by type, root field and outcome and traces
// their parse, validate and execute phases. The HTTP span and request metrics start in
// middleware (server.go); the store and the analysis service report their own.

// MetricsHandler serves the Prometheus metrics. Serve it on a listener of its own
// (KITH_METRICS_ADDR), never next to the API: scrapers hold no Kith token, and the
// metrics are for whoever can reach that address.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.cfg.Telemetry.MetricsHandler())
	return mux
}

// ServeMetrics serves MetricsHandler on ln until ctx is done.
func (s *Server) ServeMetrics(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.MetricsHandler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	s.log.Info("serving metrics", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// observeOperations counts and traces GraphQL operations. It is the outermost extension,
// so that its execute span holds everything the operation runs (the batch transaction
// included) and its count sees the response as sent. Labels and attributes come from the
// schema: the operation's type and its root fields' names, never the client's operation
// name, aliases, arguments or variables.
type observeOperations struct{ tel *telemetry.Telemetry }

var _ interface {
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
	graphql.HandlerExtension
} = observeOperations{}

// ExtensionName names the extension.
func (observeOperations) ExtensionName() string { return "KithTelemetry" }

// Validate accepts any schema.
func (observeOperations) Validate(graphql.ExecutableSchema) error { return nil }

// executingKey marks the context of an operation that InterceptOperation observes.
type executingKey struct{}

// InterceptOperation traces the parse and validate phases that came before, then the
// execution, and counts the operation's root fields with their outcomes.
func (o observeOperations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	o.phases(ctx, op)
	typ, fields := operationShape(op)
	ctx, span := o.tel.Tracer().Start(ctx, "graphql.execute", trace.WithAttributes(
		attribute.String("graphql.operation.type", typ), attribute.StringSlice("kith.graphql.root_fields", fieldNames(fields))))
	start := time.Now()
	h := next(context.WithValue(ctx, executingKey{}, true))
	var once sync.Once
	return func(hctx context.Context) *graphql.Response {
		// A batch mutation runs its fields from here, on the context it is given: the span
		// and the mark go with them.
		resp := h(context.WithValue(trace.ContextWithSpan(hctx, span), executingKey{}, true))
		once.Do(func() {
			outcomes := o.count(typ, fields, resp, time.Since(start))
			for _, code := range outcomes {
				if code != "OK" {
					span.SetStatus(codes.Error, code)
					break
				}
			}
			span.End()
		})
		return resp
	}
}

// InterceptResponse counts and traces an operation that never ran: one refused while it
// was read, parsed, validated or checked against the limits.
func (o observeOperations) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if ctx.Value(executingKey{}) != nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	op := graphql.GetOperationContext(ctx)
	o.phases(ctx, op)
	typ, fields := operationShape(op)
	o.count(typ, fields, resp, 0)
	return resp
}

// phases records the parse and validate phases of op, as timed by gqlgen, as spans (their
// times set after the fact) and in the phase histogram. A phase that failed has no end:
// it ends now, with an error status.
func (o observeOperations) phases(ctx context.Context, op *graphql.OperationContext) {
	tracer := o.tel.Tracer()
	for _, p := range []struct {
		name       string
		start, end time.Time
	}{
		{"parse", op.Stats.Parsing.Start, op.Stats.Parsing.End},
		{"validate", op.Stats.Validation.Start, op.Stats.Validation.End},
	} {
		if p.start.IsZero() {
			continue
		}
		end, failed := p.end, p.end.IsZero()
		if failed {
			end = time.Now()
		}
		o.tel.Phase(p.name, end.Sub(p.start))
		_, span := tracer.Start(ctx, "graphql."+p.name, trace.WithTimestamp(p.start))
		if failed {
			span.SetStatus(codes.Error, p.name+" failed")
		}
		span.End(trace.WithTimestamp(end))
	}
}

// count records each root field with its outcome: OK, or the code of the first error
// under it (or of an error of the whole operation); it returns the outcomes.
func (o observeOperations) count(typ string, fields []rootField, resp *graphql.Response, d time.Duration) []string {
	whole := "OK"
	byKey := map[string]string{}
	if resp != nil {
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" {
				code = "INTERNAL"
			}
			if len(e.Path) == 0 {
				if whole == "OK" {
					whole = code
				}
				continue
			}
			if key, ok := e.Path[0].(ast.PathName); ok {
				if _, seen := byKey[string(key)]; !seen {
					byKey[string(key)] = code
				}
			}
		}
	}
	if len(fields) == 0 {
		o.tel.Operation(typ, "none", whole, d)
		return []string{whole}
	}
	outcomes := make([]string, len(fields))
	for i, f := range fields {
		code := whole
		if c, ok := byKey[f.key]; ok && code == "OK" {
			code = c
		}
		outcomes[i] = code
		o.tel.Operation(typ, f.name, code, d)
	}
	return outcomes
}

// rootField is a root field of an operation: its response key (the alias, or the name)
// and its name in the schema.
type rootField struct{ key, name string }

// operationShape returns the type of op's operation and its root fields, those of
// fragments included; none ("none", nil) when the document did not parse or name an
// operation. Only fields the schema defines are listed: a document that failed
// validation lists none.
func operationShape(op *graphql.OperationContext) (string, []rootField) {
	if op == nil || op.Operation == nil {
		return "none", nil
	}
	var fields []rootField
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if sel.Definition != nil && !seen[sel.Alias] {
					seen[sel.Alias] = true
					fields = append(fields, rootField{key: sel.Alias, name: sel.Definition.Name})
				}
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if sel.Definition != nil {
					walk(sel.Definition.SelectionSet)
				}
			}
		}
	}
	walk(op.Operation.SelectionSet)
	return string(op.Operation.Operation), fields
}

func fieldNames(fields []rootField) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.name
	}
	return out
}
