package cypher

import (
	"context"
	"sync"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/telemetry"
)

// This file reports the store's sessions and statements to telemetry (Options.Telemetry):
// how many sessions are open, each statement's kind (read or write), outcome and
// duration, and a span per statement. It wraps the driver's session, transactions and
// results, so every statement the store sends is seen, however the code that sends it
// reads its records. A statement ends when its last record is read, its result is
// consumed or collected, or at the latest when its transaction function returns.

// observedSession is a session whose statements report to telemetry.
type observedSession struct {
	neo4j.SessionWithContext
	tel  *telemetry.Telemetry
	kind string
	mu   sync.Mutex
	open []*telemetry.Statement
	once sync.Once
}

func observeSession(sess neo4j.SessionWithContext, tel *telemetry.Telemetry, mode neo4j.AccessMode) *observedSession {
	tel.SessionOpened()
	kind := "read"
	if mode == neo4j.AccessModeWrite {
		kind = "write"
	}
	return &observedSession{SessionWithContext: sess, tel: tel, kind: kind}
}

// ExecuteRead runs work in a read transaction whose statements are observed.
func (s *observedSession) ExecuteRead(ctx context.Context, work neo4j.ManagedTransactionWork, configurers ...func(*neo4j.TransactionConfig)) (any, error) {
	return s.SessionWithContext.ExecuteRead(ctx, observeWork(s.tel, "read", work), configurers...)
}

// ExecuteWrite runs work in a write transaction whose statements are observed.
func (s *observedSession) ExecuteWrite(ctx context.Context, work neo4j.ManagedTransactionWork, configurers ...func(*neo4j.TransactionConfig)) (any, error) {
	return s.SessionWithContext.ExecuteWrite(ctx, observeWork(s.tel, "write", work), configurers...)
}

// Run runs an auto-commit statement of the session's kind.
func (s *observedSession) Run(ctx context.Context, query string, params map[string]any, configurers ...func(*neo4j.TransactionConfig)) (neo4j.ResultWithContext, error) {
	sctx, st := s.tel.StartStatement(ctx, s.kind, func() string { return Fingerprint(query) })
	s.mu.Lock()
	s.open = append(s.open, st)
	s.mu.Unlock()
	res, err := s.SessionWithContext.Run(sctx, query, params, configurers...)
	if err != nil {
		st.End(err)
		return nil, err
	}
	return &observedResult{ResultWithContext: res, st: st}, nil
}

// Close ends the statements still open and closes the session.
func (s *observedSession) Close(ctx context.Context) error {
	s.once.Do(func() {
		s.mu.Lock()
		for _, st := range s.open {
			st.End(nil)
		}
		s.mu.Unlock()
		s.tel.SessionClosed()
	})
	return s.SessionWithContext.Close(ctx)
}

// observeWork runs work with a transaction whose statements are observed, and ends those
// still open when it returns.
func observeWork(tel *telemetry.Telemetry, kind string, work neo4j.ManagedTransactionWork) neo4j.ManagedTransactionWork {
	return func(tx neo4j.ManagedTransaction) (any, error) {
		otx := &observedTx{ManagedTransaction: tx, tel: tel, kind: kind}
		res, err := work(otx)
		otx.mu.Lock()
		for _, st := range otx.open {
			st.End(err)
		}
		otx.mu.Unlock()
		return res, err
	}
}

// observedTx is a managed transaction whose statements report to telemetry.
type observedTx struct {
	neo4j.ManagedTransaction
	tel  *telemetry.Telemetry
	kind string
	mu   sync.Mutex
	open []*telemetry.Statement
}

// Run sends a statement in the transaction.
func (t *observedTx) Run(ctx context.Context, query string, params map[string]any) (neo4j.ResultWithContext, error) {
	sctx, st := t.tel.StartStatement(ctx, t.kind, func() string { return Fingerprint(query) })
	t.mu.Lock()
	t.open = append(t.open, st)
	t.mu.Unlock()
	res, err := t.ManagedTransaction.Run(sctx, query, params)
	if err != nil {
		st.End(err)
		return nil, err
	}
	return &observedResult{ResultWithContext: res, st: st}, nil
}

// observedResult ends its statement when its records are all read or it is consumed.
type observedResult struct {
	neo4j.ResultWithContext
	st *telemetry.Statement
}

// Next advances to the next record; past the last one the statement ends.
func (r *observedResult) Next(ctx context.Context) bool {
	ok := r.ResultWithContext.Next(ctx)
	if !ok {
		r.st.End(r.ResultWithContext.Err())
	}
	return ok
}

// NextRecord advances to the next record; past the last one the statement ends.
func (r *observedResult) NextRecord(ctx context.Context, record **neo4j.Record) bool {
	ok := r.ResultWithContext.NextRecord(ctx, record)
	if !ok {
		r.st.End(r.ResultWithContext.Err())
	}
	return ok
}

// Collect reads every record and ends the statement.
func (r *observedResult) Collect(ctx context.Context) ([]*neo4j.Record, error) {
	recs, err := r.ResultWithContext.Collect(ctx)
	r.st.End(err)
	return recs, err
}

// Single reads the one record and ends the statement.
func (r *observedResult) Single(ctx context.Context) (*neo4j.Record, error) {
	rec, err := r.ResultWithContext.Single(ctx)
	r.st.End(err)
	return rec, err
}

// Consume discards the records left and ends the statement.
func (r *observedResult) Consume(ctx context.Context) (neo4j.ResultSummary, error) {
	sum, err := r.ResultWithContext.Consume(ctx)
	r.st.End(err)
	return sum, err
}

// Records iterates over the records; the statement ends when the iteration does.
func (r *observedResult) Records(ctx context.Context) func(yield func(*neo4j.Record, error) bool) {
	inner := r.ResultWithContext.Records(ctx)
	return func(yield func(*neo4j.Record, error) bool) {
		var failed error
		inner(func(rec *neo4j.Record, err error) bool {
			if err != nil {
				failed = err
			}
			return yield(rec, err)
		})
		r.st.End(failed)
	}
}
