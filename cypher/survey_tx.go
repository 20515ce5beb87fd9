package cypher

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// The survey importer (package survey) writes each interview in a transaction of its own
// with statements of its own; these run them as every other write and read of the store
// is run: behind the circuit breaker and the fair-use gates, with the request's deadline as
// the transaction's timeout, and driver errors turned into coded API errors.

// WriteTx runs work in one write transaction: all of it is committed, or none.
func (s *Store) WriteTx(ctx context.Context, work func(tx neo4j.ManagedTransaction) error) error {
	_, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) { return nil, work(tx) })
	return err
}

// ReadTx runs work in one read transaction, which sees one state of the graph.
func (s *Store) ReadTx(ctx context.Context, work func(tx neo4j.ManagedTransaction) error) error {
	_, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) { return nil, work(tx) })
	return err
}

// Run sends one statement in tx, counted as a round trip, and collects its records.
func (s *Store) Run(ctx context.Context, tx neo4j.ManagedTransaction, query string, params map[string]any) ([]*neo4j.Record, error) {
	return s.run(ctx, tx, query, params)
}

// AuditWrite records, in tx, that the actor of ctx wrote ids (detail holds counts, never
// values); without an actor (a command-line import run by an operator) nothing is recorded.
func (s *Store) AuditWrite(ctx context.Context, tx neo4j.ManagedTransaction, ids []string, detail map[string]any) error {
	return s.auditWrite(ctx, tx, ids, detail)
}
