package cypher

// The questions community workers ask, each one Cypher statement (trustedRoutes in
// DISJOINT mode is one statement per route). Paths use Neo4j's GQL path selectors (SHORTEST,
// ALL SHORTEST) over quantified path patterns, with every filter written inline so that it
// prunes the search rather than the results.

import (
	"context"
	"fmt"
	"sort"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

// Limits of the questions.
const (
	MaxRouteHops = 6
	MaxRoutes    = 10
	MaxEgoHops   = 3
	MaxEgoNodes  = 2000
	MaxReachHops = 4
	MaxReachFrom = 100
	// routesPerQuery caps the paths one statement returns before they are ranked.
	routesPerQuery = 500
)

// Reached is a node and the ties it takes to reach it.
type Reached struct {
	Record *Record
	Hops   int
}

func (s *Store) tieKinds(kinds []string, def []string, field string) ([]string, error) {
	if kinds == nil {
		return def, nil
	}
	if len(kinds) == 0 {
		return nil, apierr.BadUserInput(field, "is empty")
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		if _, ok := s.schema.Ties[k]; !ok {
			return nil, apierr.BadUserInput(field, "%q is not a tie kind", k)
		}
		out[i] = quote(k)
	}
	sort.Strings(out)
	return out, nil
}

// inArea is a predicate: node v lives in (people) or is in the area, or an area inside it.
func inArea(v, tie, areaParam string) string {
	return fmt.Sprintf("EXISTS { MATCH (%s)-[:%s]->(:Area)-[:IN]->{0,6}(:Area {id: %s}) }", v, tie, areaParam)
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}

// readRow runs a read that answers one row, and returns it.
func (s *Store) readRow(ctx context.Context, q string, params map[string]any) (*neo4j.Record, error) {
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// readRecords runs a read whose rows are one projected record each.
func (s *Store) readRecords(ctx context.Context, q string, params map[string]any) ([]*Record, error) {
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return nil, err
	}
	out := make([]*Record, len(recs))
	for i, r := range recs {
		out[i] = decodeRecord(r.Values[0])
	}
	return out, nil
}
