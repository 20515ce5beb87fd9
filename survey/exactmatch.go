package survey

import (
	"context"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/identity"
)

// Matcher resolves the people an interview mentions against those already recorded
// (identity resolution). It runs inside the interview's transaction, so it sees what
// earlier interviews of the same import wrote. It returns one Decision per mention, in
// order.
type Matcher interface {
	Match(ctx context.Context, tx neo4j.ManagedTransaction, mentions []identity.Mention) ([]identity.Decision, error)
}

// SessionMatcher is a Matcher that reads the people of an import's areas once and matches
// every interview against them and against the interviews before it (the identity
// package's GraphMatcher): an import of thousands of interviews then reads and indexes
// the neighbourhood once, not once per interview.
type SessionMatcher interface {
	Matcher
	Session(ctx context.Context, tx neo4j.ManagedTransaction, areas []string) (*identity.Session, error)
}

// ExactNameMatcher is a stand-in for record linkage, for tests of the importer alone: a person mention is linked to the one person recorded with the
// same name (ignoring case and spaces at the ends) living in the same area, and queued
// against each when several are; a familiar stranger, the same for role and area.
// Anything else is new. It never links across areas and never guesses.
type ExactNameMatcher struct{}

// Match implements Matcher.
func (ExactNameMatcher) Match(ctx context.Context, tx neo4j.ManagedTransaction, ms []identity.Mention) ([]identity.Decision, error) {
	rows := make([]any, 0, len(ms))
	for i, m := range ms {
		if m.AreaID == "" {
			continue
		}
		switch {
		case m.Label == "Person" && m.Name != "":
			rows = append(rows, map[string]any{"i": int64(i), "label": "Person", "text": strings.ToLower(strings.TrimSpace(m.Name)), "area": m.AreaID})
		case m.Label == "FamiliarStranger" && m.Role != "":
			rows = append(rows, map[string]any{"i": int64(i), "label": "FamiliarStranger", "text": strings.ToLower(strings.TrimSpace(m.Role)), "area": m.AreaID})
		}
	}
	out := make([]identity.Decision, len(ms))
	if len(rows) == 0 {
		return out, nil
	}
	res, err := tx.Run(ctx, `UNWIND $rows AS x
CALL (x) {
  MATCH (p:Person)-[:LIVES_IN]->(:Area {id: x.area})
  WHERE x.label = 'Person' AND toLower(trim(p.displayName)) = x.text
  RETURN p.id AS id
  UNION
  MATCH (f:FamiliarStranger)-[:IN]->(:Area {id: x.area})
  WHERE x.label = 'FamiliarStranger' AND toLower(trim(f.role)) = x.text
  RETURN f.id AS id
}
WITH x, id ORDER BY id
RETURN x.i, x.label, collect(id)`, map[string]any{"rows": rows})
	if err != nil {
		return nil, err
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		i, label, ids := r.Values[0].(int64), r.Values[1].(string), r.Values[2].([]any)
		reasons := []string{"same name", "same area"}
		if label == "FamiliarStranger" {
			reasons = []string{"same role", "same area"}
		}
		var d identity.Decision
		for _, id := range ids {
			d.Candidates = append(d.Candidates, identity.Candidate{PersonID: id.(string), Score: 1 / float64(len(ids)), Reasons: reasons})
		}
		switch {
		case len(ids) == 1:
			d.Kind = identity.Linked
		case len(ids) > 1:
			d.Kind = identity.Queued
		}
		out[i] = d
	}
	return out, nil
}
