// Package cypher is Kith's store: everything that talks to Neo4j. It builds parameterised
// Cypher from a closed table of labels and tie kinds (schema.go), runs reads in read
// transactions and writes in write transactions, turns a nested read into one statement,
// and applies the versioned migrations in migrations/.
package cypher

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sony/gobreaker/v2"

	"kith/apierr"
	"kith/paging"
	"kith/telemetry"
)

// Options configure a Store.
type Options struct {
	// Database is the Neo4j database name; empty means the server's default.
	Database string
	// MaxPage narrows the largest page a connection returns (default and at most
	// paging.MaxSize).
	MaxPage int
	// Cursors seal and open the connections' cursors; nil, a random key (cursors then
	// last as long as the process).
	Cursors *paging.Codec
	// Breaker configures the circuit breaker in front of Neo4j (guard.go).
	Breaker BreakerOptions
	// Telemetry, when set, is told of every session and statement (observe.go).
	Telemetry *telemetry.Telemetry
}

// Store reads and writes the community graph in Neo4j.
type Store struct {
	driver     neo4j.DriverWithContext
	opts       Options
	schema     *Schema
	roundTrips atomic.Int64
	breaker    *gobreaker.CircuitBreaker[struct{}]
	cursors    *paging.Codec
}

// Cursors returns the codec of the store's cursors, which connections computed outside the
// store (analysis) page with too.
func (s *Store) Cursors() *paging.Codec { return s.cursors }

// New returns a Store over an open driver.
func New(driver neo4j.DriverWithContext, opts Options) *Store {
	cursors := opts.Cursors
	if cursors == nil {
		cursors = paging.RandomCodec()
	}
	return &Store{driver: driver, opts: opts, schema: NewSchema(), breaker: newBreaker(opts.Breaker), cursors: cursors}
}

// Schema returns the closed table the store works from.
func (s *Store) Schema() *Schema { return s.schema }

// RoundTrips returns how many statements the store has sent to Neo4j since it was made:
// each is one request and response on the wire.
func (s *Store) RoundTrips() int64 { return s.roundTrips.Load() }

// Ping checks that Neo4j answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.driver.VerifyConnectivity(ctx); err != nil {
		return apierr.Unavailable("Neo4j does not answer", err)
	}
	return nil
}

// txConfig makes the request's deadline the transaction's timeout, so Neo4j stops work
// that nobody is waiting for.
func txConfig(ctx context.Context) []func(*neo4j.TransactionConfig) {
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left < time.Millisecond {
			left = time.Millisecond
		}
		return []func(*neo4j.TransactionConfig){neo4j.WithTxTimeout(left)}
	}
	return nil
}

func (s *Store) session(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionWithContext {
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.opts.Database, AccessMode: mode,
		BookmarkManager: bookmarkManager(ctx)})
	if s.opts.Telemetry == nil {
		return sess
	}
	return observeSession(sess, s.opts.Telemetry, mode)
}

// read runs work in one read transaction: for a read of several statements that must see
// one state of the graph. A read of one statement uses query.
func (s *Store) read(ctx context.Context, work func(tx neo4j.ManagedTransaction) (any, error)) (any, error) {
	var res any
	err := s.guarded(ctx, func() (err error) {
		sess := s.session(ctx, neo4j.AccessModeRead)
		defer sess.Close(context.WithoutCancel(ctx))
		res, err = sess.ExecuteRead(ctx, work, txConfig(ctx)...)
		return err
	})
	return res, classifyIn(ctx, err)
}

// query runs one read statement as an auto-commit transaction: one round trip (RUN and
// PULL sent together), where a transaction function adds BEGIN and COMMIT, and on this
// machine a nested read takes 27% less time. A read Neo4j reports as retryable (a busy
// server, a leader switch, a lost connection) is tried again after a pause, as the
// driver's transaction functions do, while the request's deadline allows. A read of more
// than one statement, which must see one state of the graph, uses read.
func (s *Store) query(ctx context.Context, q string, params map[string]any) ([]*neo4j.Record, error) {
	for attempt := 1; ; attempt++ {
		recs, err := s.queryOnce(ctx, q, params)
		if err == nil || attempt == readAttempts || !neo4j.IsRetryable(err) || unreachable(err) {
			return recs, classifyIn(ctx, err)
		}
		pause := time.Duration(attempt*attempt) * 20 * time.Millisecond
		select {
		case <-ctx.Done():
			return nil, classifyIn(ctx, err)
		case <-time.After(pause + time.Duration(rand.Int64N(int64(pause)))):
		}
	}
}

// readAttempts is how many times query tries a retryable read.
const readAttempts = 5

func (s *Store) queryOnce(ctx context.Context, q string, params map[string]any) (recs []*neo4j.Record, err error) {
	err = s.guarded(ctx, func() error {
		sess := s.session(ctx, neo4j.AccessModeRead)
		defer sess.Close(context.WithoutCancel(ctx))
		s.roundTrips.Add(1)
		res, err := sess.Run(ctx, q, params, txConfig(ctx)...)
		if err != nil {
			return err
		}
		recs, err = res.Collect(ctx)
		return err
	})
	return recs, err
}

// write runs work in one write transaction: all of it happens, or none. Inside
// InOneTransaction, work joins that call's transaction instead.
func (s *Store) write(ctx context.Context, work func(tx neo4j.ManagedTransaction) (any, error)) (any, error) {
	if sh, ok := ctx.Value(sharedTxKey{}).(*sharedTx); ok {
		return sh.write(work)
	}
	var res any
	var committing bool
	err := s.guarded(ctx, func() (err error) {
		sess := s.session(ctx, neo4j.AccessModeWrite)
		defer sess.Close(context.WithoutCancel(ctx))
		res, err = sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			res, err := work(tx)
			committing = committing || err == nil
			return res, err
		}, txConfig(ctx)...)
		return err
	})
	return res, classifyWrite(ctx, err, committing)
}

// run sends one statement and collects its records.
func (s *Store) run(ctx context.Context, tx neo4j.ManagedTransaction, query string, params map[string]any) ([]*neo4j.Record, error) {
	s.roundTrips.Add(1)
	res, err := tx.Run(ctx, query, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// classifyWrite is classify for a write transaction: when Neo4j went away after the work
// was done, at the commit, the write may or may not be stored, and the error says so.
func classifyWrite(ctx context.Context, err error, committing bool) error {
	if err != nil && committing && unreachable(err) && ctx.Err() == nil {
		return apierr.Unavailable("Neo4j went away while the write was being committed: it may or may not be stored. "+
			"Send it again: creates are idempotent on externalId, updates and ties set the same values", err)
	}
	return classifyIn(ctx, err)
}

// classifyIn is classify for a statement run under ctx: one cut short by the request's
// deadline is a TIMEOUT, whatever the driver reports it as (a lost connection, often).
func classifyIn(ctx context.Context, err error) error {
	if _, ok := apierr.As(err); !ok && err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return apierr.Timeout("the request ran past its deadline; ask again, or ask for less", err)
	}
	return classify(err)
}

// classify turns driver errors into coded API errors. Neo4j's messages can quote stored
// values, so only its status code is kept in the cause.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apierr.As(err); ok {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return apierr.Timeout("the request ran past its deadline; ask again, or ask for less", err)
	}
	var nerr *neo4j.Neo4jError
	switch {
	case errors.As(err, &nerr):
		cause := fmt.Errorf("neo4j %s", nerr.Code)
		switch {
		case nerr.Code == "Neo.ClientError.Schema.ConstraintValidationFailed":
			return &apierr.Error{Code: apierr.CodeConflict, Reason: "a record with that externalId already exists", Err: cause}
		case nerr.Code == "Neo.ClientError.Transaction.TransactionTimedOut",
			nerr.Code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration":
			return apierr.Timeout("the request ran past its deadline; ask again, or ask for less", cause)
		case strings.HasPrefix(nerr.Code, "Neo.ClientError.Transaction.InvalidBookmark"):
			return &apierr.Error{Code: apierr.CodeBadUserInput, Field: "bookmark", Reason: "Neo4j cannot use the bookmark given", Err: cause}
		case nerr.Classification() == "TransientError":
			return apierr.Unavailable("Neo4j is busy; try again", cause)
		}
		return fmt.Errorf("store: %w", cause)
	case errors.Is(err, context.Canceled):
		return apierr.Unavailable("the request was cancelled", err)
	case unreachable(err):
		return apierr.Unavailable("Neo4j cannot be reached", err)
	}
	return fmt.Errorf("store: %w", err)
}
