package cypher

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// Erasure says what ErasePerson removed; it names nothing about the person.
type Erasure struct {
	People, Ties, Gifts, AuditRecords, AnalysisRuns int
}

// ErasePerson erases one person in one write transaction: the gifts only they offered
// (with those gifts' ties), the person and every tie they have, and the ids of all of
// these from earlier audit records and from the top lists of stored analysis runs. It then
// records the erasure, with counts and no id, in the same transaction. Derived data kept
// elsewhere (query caches) is the caller's to drop.
func (s *Store) ErasePerson(ctx context.Context, id string) (Erasure, error) {
	if l, ok := nodeid.Label(id); !ok || l != "Person" {
		return Erasure{}, apierr.BadInput("id", "is not the id of a Person")
	}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.checkExist(ctx, tx, "Person", []string{id}, "ids"); err != nil {
			return nil, apierr.Missing("id", "no Person has id %s", id)
		}
		var e Erasure
		params := map[string]any{"id": id}
		// What a survey import recorded of them beside their ties: the observations of each
		// wave, and the source keys the import knew them by.
		if _, err := s.run(ctx, tx, `MATCH (p:Person {id: $id})
CALL (p) { MATCH (p)-[:OBSERVED]->(o:Observation) DETACH DELETE o }
CALL (p) { MATCH (k:SourceKey)-[:SOURCE_OF]->(p) DETACH DELETE k }`, params); err != nil {
			return nil, err
		}
		// Every id that goes with them: theirs, their gifts', their ties' and their gifts' ties'.
		recs, err := s.run(ctx, tx, `MATCH (p:Person {id: $id})
OPTIONAL MATCH (p)-[:OFFERS]->(g:Gift) WHERE NOT EXISTS { MATCH (g)<-[:OFFERS]-(o) WHERE o <> p }
WITH p, collect(DISTINCT g) AS gifts
WITH p, gifts, [(p)-[r]-() | r] + reduce(acc = [], g IN gifts | acc + [(g)-[r]-() | r]) AS ties
WITH p, gifts, reduce(acc = [], r IN ties | CASE WHEN r IN acc THEN acc ELSE acc + [r] END) AS ties
WITH p, gifts, ties, [p.id] + [g IN gifts | g.id] + [r IN ties WHERE r.id IS NOT NULL | r.id] AS gone
FOREACH (g IN gifts | DETACH DELETE g)
DETACH DELETE p
RETURN size(gifts), size(ties), gone`, params)
		if err != nil {
			return nil, err
		}
		e.People = 1
		e.Gifts = int(recs[0].Values[0].(int64))
		e.Ties = int(recs[0].Values[1].(int64))
		params["gone"] = recs[0].Values[2]
		recs, err = s.run(ctx, tx, fmt.Sprintf(`MATCH (a:%s) WHERE any(x IN a.ids WHERE x IN $gone)
SET a.ids = [x IN a.ids WHERE NOT x IN $gone], a.erasedIds = coalesce(a.erasedIds, 0) + 1
RETURN count(a)`, AuditLabel), params)
		if err != nil {
			return nil, err
		}
		e.AuditRecords = int(recs[0].Values[0].(int64))
		if err := s.advancePurges(ctx, tx); err != nil {
			return nil, err
		}
		if e.AnalysisRuns, err = s.scrubRuns(ctx, tx, params["gone"]); err != nil {
			return nil, err
		}
		ev := AuditEvent{Kind: "erasure", Detail: map[string]any{
			"people": int64(e.People), "ties": int64(e.Ties), "gifts": int64(e.Gifts),
			"auditRecords": int64(e.AuditRecords), "analysisRuns": int64(e.AnalysisRuns)}}
		if a, ok := ActorFrom(ctx); ok {
			ev.Subject, ev.Roles, ev.Operation, ev.RequestID = a.Subject, a.Roles, a.Operation, a.RequestID
		}
		if _, err := s.run(ctx, tx, createAudit, map[string]any{"props": auditParams(ev)}); err != nil {
			return nil, err
		}
		return e, nil
	})
	if err != nil {
		return Erasure{}, err
	}
	return res.(Erasure), nil
}

// scrubRuns removes the gone ids, with their scores, from the top lists of the stored
// analysis runs that name them, and returns how many runs it changed.
func (s *Store) scrubRuns(ctx context.Context, tx neo4j.ManagedTransaction, gone any) (int, error) {
	recs, err := s.run(ctx, tx, fmt.Sprintf(`MATCH (r:%s)
WHERE any(k IN keys(r) WHERE k STARTS WITH 'top_' AND k ENDS WITH '_ids' AND any(x IN r[k] WHERE x IN $gone))
RETURN r.id, properties(r)`, AnalysisRunLabel), map[string]any{"gone": gone})
	if err != nil || len(recs) == 0 {
		return 0, err
	}
	drop := map[string]bool{}
	for _, id := range stringsOf(gone) {
		drop[id] = true
	}
	runs := make([]any, 0, len(recs))
	for _, r := range recs {
		props, _ := r.Values[1].(map[string]any)
		set := map[string]any{}
		for k := range props {
			body, isTop := strings.CutPrefix(k, "top_")
			m, isIDs := strings.CutSuffix(body, "_ids")
			if !isTop || !isIDs {
				continue
			}
			ids := stringsOf(props[k])
			scores, _ := props["top_"+m+"_scores"].([]any)
			keptIDs, keptScores := []string{}, []float64{}
			for i, id := range ids {
				if !drop[id] && i < len(scores) {
					v, _ := scores[i].(float64)
					keptIDs, keptScores = append(keptIDs, id), append(keptScores, v)
				}
			}
			set[k], set["top_"+m+"_scores"] = keptIDs, keptScores
		}
		runs = append(runs, map[string]any{"id": r.Values[0], "set": set})
	}
	_, err = s.run(ctx, tx, fmt.Sprintf("UNWIND $runs AS x MATCH (r:%s {id: x.id}) SET r += x.set", AnalysisRunLabel),
		map[string]any{"runs": runs})
	return len(runs), err
}

// Wellbeing is the exact wellbeing of a set of people. It is for the API to release:
// exactly to callers who may read the scores one by one, with noise to analysts.
type Wellbeing struct {
	// People is how many matched; Scored how many of them have a score the caller may use.
	People, Scored int
	// Sum adds up the scores, each bounded to WellbeingRange.
	Sum int64
}

// WellbeingRange is the range of a wellbeing score (the short Warwick-Edinburgh scale, 7
// to 35), as the schema checks it on every write.
func (s *Store) WellbeingRange() (lo, hi int) {
	p, _ := s.schema.Labels["Person"].Prop("wellbeing")
	return int(p.Min), int(p.Max)
}

// WellbeingSummary aggregates the wellbeing of the people matching where, among those the
// scope lets the caller see. Under a scope that respects consent only scores given with
// consent for wellbeing count. It never returns one person's score; the caller releases
// the aggregate (resolvers/wellbeing.go).
func (s *Store) WellbeingSummary(ctx context.Context, scope Scope, where map[string]any) (Wellbeing, error) {
	l := s.schema.Labels["Person"]
	b := newScopedBuilder(s.schema, scope)
	cond, err := b.where("n", l, plainMap(where), "where")
	if err != nil {
		return Wellbeing{}, err
	}
	if p := b.personPredicate("n"); p != "" {
		if cond != "" {
			cond = "(" + cond + ") AND "
		}
		cond += p
	}
	score := "n.wellbeing"
	if scope.RespectConsent {
		score = fmt.Sprintf("CASE WHEN n.%s = true THEN n.wellbeing END", quote(consentProp(ConsentWellbeing)))
	}
	q := "MATCH (n:Person)"
	if cond != "" {
		q += " WHERE " + cond
	}
	lo, hi := s.WellbeingRange()
	pl, ph := b.param(int64(lo)), b.param(int64(hi))
	q += fmt.Sprintf(" WITH %s AS w WITH CASE WHEN w < %s THEN %s WHEN w > %s THEN %s ELSE w END AS w"+
		" RETURN count(*), count(w), coalesce(sum(w), 0)", score, pl, pl, ph, ph)
	recs, err := s.query(ctx, q, b.params)
	if err != nil {
		return Wellbeing{}, err
	}
	v := recs[0].Values
	return Wellbeing{People: int(v[0].(int64)), Scored: int(v[1].(int64)), Sum: v[2].(int64)}, nil
}
