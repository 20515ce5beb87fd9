package cypher

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

// sharedTxKey is the context key of the transaction that InOneTransaction shares.
type sharedTxKey struct{}

// sharedTx is one write transaction shared by every write of the store that runs inside
// an InOneTransaction call.
type sharedTx struct {
	tx neo4j.ManagedTransaction
	// failed is set by the first write that fails: later writes do not run, since the
	// transaction will roll back (and after an error from Neo4j it cannot run more).
	failed bool
	// retry is the first error from Neo4j that it calls retryable (a deadlock between
	// concurrent writers, a lost connection): the whole transaction is worth trying again.
	retry error
}

// errEarlierWriteFailed is what a write inside a shared transaction returns when an
// earlier write in it failed: it does not run.
var errEarlierWriteFailed = &apierr.Error{Code: apierr.CodeConflict,
	Reason: "not run: an earlier write in the same transaction failed, so nothing is written"}

// write runs work in the shared transaction.
func (sh *sharedTx) write(work func(tx neo4j.ManagedTransaction) (any, error)) (any, error) {
	if sh.failed {
		return nil, errEarlierWriteFailed
	}
	res, err := work(sh.tx)
	if err != nil {
		sh.failed = true
		if sh.retry == nil && neo4j.IsRetryable(err) {
			sh.retry = err
		}
		return nil, classify(err)
	}
	return res, nil
}

// InOneTransaction runs fn with a context in which every write of the store joins one
// write transaction: what fn's writes do is committed together when fn returns nil, and
// nothing is when it returns an error or a write fails. A write that fails makes the
// writes after it return an error without running.
//
// When Neo4j reports an error it calls retryable (a deadlock between concurrent writers,
// a lost connection), the transaction is rolled back and fn runs again, as the driver's
// transaction functions do, while the context's deadline allows: fn must be safe to run
// more than once and must report the writes' errors. Reads through the store inside fn do
// not see its uncommitted writes; a write's own statements do.
func (s *Store) InOneTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	var committing bool
	err := s.guarded(ctx, func() error {
		sess := s.session(ctx, neo4j.AccessModeWrite)
		defer sess.Close(context.WithoutCancel(ctx))
		_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			sh := &sharedTx{tx: tx}
			err := fn(context.WithValue(ctx, sharedTxKey{}, sh))
			if err != nil && sh.retry != nil {
				return nil, sh.retry
			}
			committing = committing || err == nil
			return nil, err
		}, txConfig(ctx)...)
		return err
	})
	return classifyWrite(ctx, err, committing)
}
