package cypher

import (
	"context"
	"errors"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"github.com/sony/gobreaker/v2"

	"kith/apierr"
)

// This file guards Neo4j for everyone: fair shares of it for each request and each token
// (Gate), and a circuit breaker that, once Neo4j stops answering, fails requests at once
// rather than letting each wait out its deadline.

// Gate bounds how many statements (sessions) run at once among the requests that share
// it: one per request, one per token. A statement waits for a slot while its request's
// deadline allows.
type Gate struct {
	slots chan struct{}
	// what names the gate in the error a caller gets when no slot frees in time.
	what string
}

// NewGate returns a gate of n slots; what says whose it is ("this request", "this token").
func NewGate(n int, what string) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1)), what: what}
}

func (g *Gate) acquire(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return apierr.Timeout("the request ran past its deadline waiting for its turn: "+g.what+
			" already has as many statements running as it may; send fewer at once", ctx.Err())
	}
}

func (g *Gate) release() { <-g.slots }

type gatesKey struct{}

// WithGates returns a context whose statements each hold a slot of every gate, in order,
// while they run.
func WithGates(ctx context.Context, gates ...*Gate) context.Context {
	return context.WithValue(ctx, gatesKey{}, gates)
}

// BreakerOptions configure the circuit breaker in front of Neo4j.
type BreakerOptions struct {
	// Failures is how many statements in a row must find Neo4j unreachable before the
	// breaker opens (default 3).
	Failures uint32
	// Open is how long the breaker stays open, failing at once, before it lets one
	// statement through to try Neo4j again (default 2s).
	Open time.Duration
}

func newBreaker(o BreakerOptions) *gobreaker.CircuitBreaker[struct{}] {
	if o.Failures == 0 {
		o.Failures = 3
	}
	if o.Open <= 0 {
		o.Open = 2 * time.Second
	}
	return gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "neo4j",
		MaxRequests: 1,
		Timeout:     o.Open,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= o.Failures },
		// Only an unreachable Neo4j counts against it: a refused input, a conflict or a
		// statement that ran out of time says nothing about whether Neo4j is there.
		IsSuccessful: func(err error) bool { return err == nil || !unreachable(err) },
	})
}

// unreachable reports whether err says Neo4j could not be reached (directly, or as the
// last error of the driver's retries).
func unreachable(err error) bool {
	var limit *neo4j.TransactionExecutionLimit
	if errors.As(err, &limit) {
		return len(limit.Errors) > 0 && unreachable(limit.Errors[len(limit.Errors)-1])
	}
	var conn *neo4j.ConnectivityError
	return errors.As(err, &conn)
}

// guarded runs one session's work: after a slot of each of the context's gates, through
// the circuit breaker. Its error is the work's, or a coded one when the breaker is open or
// no slot frees in time.
func (s *Store) guarded(ctx context.Context, work func() error) error {
	gates, _ := ctx.Value(gatesKey{}).([]*Gate)
	for i, g := range gates {
		if err := g.acquire(ctx); err != nil {
			for _, h := range gates[:i] {
				h.release()
			}
			return err
		}
	}
	defer func() {
		for _, g := range gates {
			g.release()
		}
	}()
	_, err := s.breaker.Execute(func() (struct{}, error) { return struct{}{}, work() })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return apierr.Unavailable("Neo4j could not be reached a moment ago; Kith answers at once until it can: try again in a few seconds", err)
	}
	return err
}

// ConfigureDriver sets what Kith needs of the Neo4j driver, for neo4j.NewDriverWithContext:
// the driver's retries of a transaction that hit a deadlock or a lost connection give up
// after 2 s (not 30), and a connection attempt after 2 s, so that an outage is reported
// within seconds, after which the circuit breaker answers at once.
func ConfigureDriver(c *config.Config) {
	c.MaxTransactionRetryTime = 2 * time.Second
	c.SocketConnectTimeout = 2 * time.Second
}
