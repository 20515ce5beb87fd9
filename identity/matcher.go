package identity

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/nodeid"
)

// MaxMentions is the most mentions one Match call takes (an interview names far fewer).
const MaxMentions = 10000

// GraphMatcher is the Matcher over Neo4j: it resolves mentions against the people living
// in their areas and the neighbouring areas (and the familiar strangers there), and
// against each other.
type GraphMatcher struct {
	engine *Engine
}

// NewMatcher returns the Fellegi–Sunter matcher with the thresholds of cfg.
func NewMatcher(cfg Config) (*GraphMatcher, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	return &GraphMatcher{engine: NewEngine(cfg)}, nil
}

var _ Matcher = (*GraphMatcher)(nil)

// neighboursQuery finds, for each area, its neighbours: the areas with the same parent,
// the parent, and the areas inside it.
const neighboursQuery = `
UNWIND $areas AS aid
MATCH (a:Area {id: aid})
CALL (a) {
  OPTIONAL MATCH (a)-[:IN]->(:Area)<-[:IN]-(s:Area) WHERE s <> a RETURN collect(s.id) AS siblings
}
CALL (a) { OPTIONAL MATCH (a)-[:IN]->(p:Area) RETURN collect(p.id) AS parents }
CALL (a) { OPTIONAL MATCH (a)<-[:IN]-(c:Area) RETURN collect(c.id) AS children }
RETURN aid, siblings + parents + children AS near`

// knownQuery reads the people and familiar strangers of the areas, as the model compares
// them; a person's sourceKeys are the mentions already resolved to them.
const knownQuery = `
MATCH (p:Person)-[:LIVES_IN]->(a:Area) WHERE a.id IN $areas
RETURN p.id AS id, coalesce(p.displayName, '') AS name, coalesce(p.roles[0], '') AS role, a.id AS area,
       coalesce(p.ageBand, '') AS ageBand, coalesce(p.sourceKeys, []) + [x IN [p.externalId] WHERE x IS NOT NULL] AS keys
UNION ALL
MATCH (f:FamiliarStranger)-[:IN]->(a:Area) WHERE a.id IN $areas
RETURN f.id AS id, coalesce(f.displayName, '') AS name, f.role AS role, a.id AS area, '' AS ageBand, [] AS keys`

// Match resolves the mentions, in order, inside tx. New and Queued decisions carry the id
// the new person is to be created with; record a Queued decision's candidates with
// RecordCandidates.
func (g *GraphMatcher) Match(ctx context.Context, tx neo4j.ManagedTransaction, mentions []Mention) ([]Decision, error) {
	if len(mentions) > MaxMentions {
		return nil, fmt.Errorf("identity: %d mentions, at most %d in one match", len(mentions), MaxMentions)
	}
	var areas []string
	for _, m := range mentions {
		areas = append(areas, m.AreaID)
	}
	in, err := g.input(ctx, tx, areas)
	if err != nil {
		return nil, err
	}
	return g.engine.Resolve(in, mentions), nil
}

// Session reads, inside tx, the people of the areas and their neighbours once, for a
// series of matches (the interviews of one import) that each see the people the earlier
// ones resolved. People another writer records meanwhile are not seen: an import matches
// against the graph as it was when it began, and against itself.
func (g *GraphMatcher) Session(ctx context.Context, tx neo4j.ManagedTransaction, areas []string) (*Session, error) {
	in, err := g.input(ctx, tx, areas)
	if err != nil {
		return nil, err
	}
	return &Session{pool: g.engine.NewPool(in)}, nil
}

// Session is a series of matches over one pool of people (GraphMatcher.Session).
type Session struct {
	pool *Pool
}

// Match resolves the mentions against the session's people and the mentions of earlier
// committed matches, first forgetting any match not committed (a transaction retried
// matches again).
func (s *Session) Match(mentions []Mention) ([]Decision, error) {
	if len(mentions) > MaxMentions {
		return nil, fmt.Errorf("identity: %d mentions, at most %d in one match", len(mentions), MaxMentions)
	}
	s.pool.Rollback()
	return s.pool.Resolve(mentions), nil
}

// Commit keeps the last match: its transaction committed.
func (s *Session) Commit() { s.pool.Commit() }

// Rollback forgets the last match: its transaction did not commit.
func (s *Session) Rollback() { s.pool.Rollback() }

// input reads the people and familiar strangers of the areas and their neighbours.
func (g *GraphMatcher) input(ctx context.Context, tx neo4j.ManagedTransaction, given []string) (Input, error) {
	var areas []string
	seen := map[string]bool{}
	for _, a := range given {
		if a != "" && !seen[a] {
			seen[a] = true
			areas = append(areas, a)
		}
	}
	near := map[string][]string{}
	res, err := tx.Run(ctx, neighboursQuery, map[string]any{"areas": areas})
	if err != nil {
		return Input{}, fmt.Errorf("identity: neighbours: %w", err)
	}
	all := append([]string{}, areas...)
	for res.Next(ctx) {
		rec := res.Record()
		aid, _ := rec.Get("aid")
		ns, _ := rec.Get("near")
		for _, n := range ns.([]any) {
			s := n.(string)
			near[aid.(string)] = append(near[aid.(string)], s)
			if !seen[s] {
				seen[s] = true
				all = append(all, s)
			}
		}
	}
	if err := res.Err(); err != nil {
		return Input{}, fmt.Errorf("identity: neighbours: %w", err)
	}
	res, err = tx.Run(ctx, knownQuery, map[string]any{"areas": all})
	if err != nil {
		return Input{}, fmt.Errorf("identity: known people: %w", err)
	}
	var known []Known
	for res.Next(ctx) {
		m := res.Record().AsMap()
		k := Known{PersonID: m["id"].(string), Name: m["name"].(string), Role: m["role"].(string),
			AreaID: m["area"].(string), AgeBand: m["ageBand"].(string)}
		for _, x := range m["keys"].([]any) {
			k.SourceKeys = append(k.SourceKeys, x.(string))
		}
		known = append(known, k)
	}
	if err := res.Err(); err != nil {
		return Input{}, fmt.Errorf("identity: known people: %w", err)
	}
	return Input{Known: known, Neighbours: func(a string) []string { return near[a] }, NewID: newID}, nil
}

// newID is the id of a new person or familiar stranger.
func newID(label string) string {
	if label == "" {
		label = "Person"
	}
	return nodeid.New(label)
}

// recordCandidates writes a queued person's candidates as POSSIBLY_SAME_AS ties, once
// per pair, except to people a human has kept apart from them (keepApart).
const recordCandidates = `
UNWIND $cands AS c
MATCH (a:Person {id: $id}), (b:Person {id: c.id})
WHERE a <> b AND NOT EXISTS { (a)-[:KEEP_APART]-(b) } AND NOT EXISTS { (b)-[:POSSIBLY_SAME_AS]->(a) }
MERGE (a)-[r:POSSIBLY_SAME_AS]->(b)
SET r.score = c.score, r.reasons = c.reasons, r.source = 'identity', r.recordedAt = datetime()
RETURN count(r) AS n`

// RecordCandidates records, in tx, the candidates of the person personID (created for a
// Queued decision) for a human to review, and returns how many were recorded. Candidates
// that are not people (familiar strangers) are left out. Idempotent.
func RecordCandidates(ctx context.Context, tx neo4j.ManagedTransaction, personID string, cands []Candidate) (int, error) {
	list := make([]any, 0, len(cands))
	for _, c := range cands {
		reasons := make([]any, len(c.Reasons))
		for i, r := range c.Reasons {
			reasons[i] = r
		}
		list = append(list, map[string]any{"id": c.PersonID, "score": c.Score, "reasons": reasons})
	}
	res, err := tx.Run(ctx, recordCandidates, map[string]any{"id": personID, "cands": list})
	if err != nil {
		return 0, fmt.Errorf("identity: record candidates: %w", err)
	}
	rec, err := res.Single(ctx)
	if err != nil {
		return 0, fmt.Errorf("identity: record candidates: %w", err)
	}
	n, _ := rec.Get("n")
	return int(n.(int64)), nil
}
