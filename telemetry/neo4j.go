package telemetry

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// SessionOpened records that the store opened a Neo4j session.
func (t *Telemetry) SessionOpened() {
	if t != nil {
		t.metrics.sessionsOpen.Add(1)
	}
}

// SessionClosed records that the store closed a Neo4j session.
func (t *Telemetry) SessionClosed() {
	if t != nil {
		t.metrics.sessionsOpen.Add(-1)
	}
}

// Statement is one Cypher statement being run: a span (when tracing) and, once it ends,
// a count and a duration.
type Statement struct {
	t     *Telemetry
	kind  string
	start time.Time
	span  trace.Span
	once  sync.Once
}

// StartStatement starts a statement of kind "read" or "write". The span is named for the
// kind and carries the statement's fingerprint (a hash of its text, computed only when
// tracing), never its text or parameters. A nil Telemetry returns ctx and a nil
// Statement, whose End does nothing.
func (t *Telemetry) StartStatement(ctx context.Context, kind string, fingerprint func() string) (context.Context, *Statement) {
	if t == nil {
		return ctx, nil
	}
	st := &Statement{t: t, kind: kind, start: time.Now()}
	ctx, st.span = t.tracing.tracer.Start(ctx, "neo4j."+kind, trace.WithSpanKind(trace.SpanKindClient))
	if st.span.IsRecording() {
		st.span.SetAttributes(attribute.String("db.system.name", "neo4j"), attribute.String("kith.statement.kind", kind),
			attribute.String("kith.statement.fingerprint", fingerprint()))
	}
	return ctx, st
}

// End records the statement's outcome; only its first call counts.
func (s *Statement) End(err error) {
	if s == nil {
		return
	}
	s.once.Do(func() {
		outcome := "ok"
		if err != nil {
			outcome = "error"
			// The status says only that it failed: Neo4j's messages can quote stored values.
			s.span.SetStatus(codes.Error, "statement failed")
		}
		s.t.metrics.statements.WithLabelValues(s.kind, outcome).Inc()
		s.t.metrics.statementDuration.WithLabelValues(s.kind).Observe(time.Since(s.start).Seconds())
		s.span.End()
	})
}
