package cypher

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// The review queue of identity resolution (docs/identity.md): POSSIBLY_SAME_AS pairs the
// matcher was unsure of, and what a worker does with them: merge two records of one
// person (reversibly), or keep two people apart for good.

// MergedLabel is the label a merged-away person keeps, with mergedInto naming the person
// kept: no longer a Person, so no query reads it; unmergePeople brings it back, and
// erasing the person kept erases it.
const MergedLabel = "MergedPerson"

// keepApartType is the tie between two people a human said are different; the matcher
// never queues the pair again (identity.RecordCandidates).
const keepApartType = "KEEP_APART"

// IdentityCandidate is one queued pair, as the review queue shows it.
type IdentityCandidate struct {
	PersonID, PersonName, CandidateID, CandidateName string
	Score                                            float64
	Reasons                                          []string
	RecordedAt                                       *time.Time
}

// candidateScope is the condition on a person in variable v of the queue under the
// scope: a worker sees a pair only when both live in their areas.
func candidateScope(v string, scope Scope) string {
	if scope.Areas == nil {
		return "true"
	}
	return fmt.Sprintf("EXISTS { MATCH (%s)-[:LIVES_IN]->(:Area)-[:IN*0..%d]->(s:Area) WHERE s.id IN $areas }", v, areaDepth)
}

// IdentityCandidates reads one page of the review queue, highest score first, by a seek
// on (score, a.id, b.id) (docs/paging.md); wantTotal counts the whole queue in the same
// statement. Admins see every pair, workers the pairs whose two people live in their areas.
func (s *Store) IdentityCandidates(ctx context.Context, scope Scope, args PageArgs, wantTotal bool) (*Page, []IdentityCandidate, error) {
	if scope.None || scope.Pseudonymise || scope.Consent != "" {
		return nil, nil, apierr.Forbidden("identityCandidates", "the review queue is for admins and workers")
	}
	b := newBuilder(s.schema)
	b.params["areas"] = scope.Areas
	where := candidateScope("a", scope) + " AND " + candidateScope("b", scope)
	p, err := s.page(ctx, b, pageRead{
		match: "MATCH (a:Person)-[r:POSSIBLY_SAME_AS]->(b:Person) WHERE " + where +
			" WITH a, b, r, coalesce(r.score, 0.0) AS score",
		carry: "a, b, r, score",
		order: []sortKey{{expr: "score", desc: true, required: true}, {expr: "a.id", required: true}, {expr: "b.id", required: true}},
		item: `{personId: a.id, personName: coalesce(a.displayName, ''), candidateId: b.id,
candidateName: coalesce(b.displayName, ''), score: score, reasons: coalesce(r.reasons, []), recordedAt: r.recordedAt}`,
		name: "identityCandidates",
	}, args, wantTotal)
	if err != nil {
		return nil, nil, err
	}
	out := make([]IdentityCandidate, len(p.Records))
	for i, rec := range p.Records {
		v := rec.Props
		c := IdentityCandidate{PersonID: v["personId"].(string), PersonName: v["personName"].(string),
			CandidateID: v["candidateId"].(string), CandidateName: v["candidateName"].(string), Score: v["score"].(float64)}
		reasons, _ := v["reasons"].([]any)
		for _, x := range reasons {
			c.Reasons = append(c.Reasons, fmt.Sprint(x))
		}
		if t, ok := v["recordedAt"].(time.Time); ok {
			c.RecordedAt = &t
		}
		out[i] = c
	}
	return p, out, nil
}

// Merge is what mergePeople or unmergePeople did.
type Merge struct {
	Keep, Merged string
	// Ties is how many ties moved.
	Ties int
	// Changed is false when there was nothing to do (already merged, or not merged).
	Changed bool
}

// checkPair checks that keep and merge are two different people ids (argument names
// kf and mf).
func checkPair(keep, merge, kf, mf string) error {
	for _, x := range []struct{ id, f string }{{keep, kf}, {merge, mf}} {
		if l, ok := nodeid.Label(x.id); !ok || l != "Person" {
			return apierr.BadUserInput(x.f, "is not the id of a Person")
		}
	}
	if keep == merge {
		return apierr.BadUserInput(mf, "names the same person as %s", kf)
	}
	return nil
}

// movableTies are the tie types a merge moves from the person merged to the person kept:
// every kind of the closed table but LIVES_IN (the person kept keeps their area), the
// observations of survey waves, and pairs kept apart.
func (s *Store) movableTies() []string {
	var out []string
	for _, t := range s.schema.TieOrder {
		if t != "LIVES_IN" {
			out = append(out, t)
		}
	}
	return append(out, "OBSERVED", keepApartType)
}

// moveTies moves every movable tie of from (other than those with to) onto to, marking
// each with mergedFrom = mark, or, with back, moves the ties marked mergedFrom = mark
// from to back to from. It returns how many ties moved.
//
// One tie per meaning: a tie of from that to already has (same kind, other end and
// meaning key) is not moved but folded: to's tie takes its waves (remembered as
// foldedWaves "mark|wave", so that moving back takes away only what the fold added) and
// it stays with from, marked foldedInto = mark. Moving back unfolds.
func (s *Store) moveTies(ctx context.Context, tx neo4j.ManagedTransaction, from, to, mark string, back bool) (int, error) {
	n := 0
	params := map[string]any{"from": from, "to": to, "mark": mark, "types": s.movableTies()}
	for _, dir := range [][2]string{{"-", "->"}, {"<-", "-"}} {
		var q string
		if back {
			q = fmt.Sprintf(`MATCH (f:Person {id: $to}), (t:`+MergedLabel+` {id: $from})
MATCH (f)%[1]s[r]%[2]s(o) WHERE r.mergedFrom = $mark
CREATE (t)%[1]s[r2:$(type(r))]%[2]s(o) SET r2 = properties(r) REMOVE r2.mergedFrom DELETE r
RETURN count(*)`, dir[0], dir[1])
		} else {
			q = fmt.Sprintf(`MATCH (f:Person {id: $from}), (t:Person {id: $to})
MATCH (f)%[1]s[r]%[2]s(o) WHERE type(r) IN $types AND o <> t AND o <> f
OPTIONAL MATCH (t)%[1]s[r0]%[2]s(o) WHERE type(r0) = type(r) AND coalesce(r0.key, '') = coalesce(r.key, '')
WITH r, o, t, head(collect(r0)) AS twin
CALL (r, o, t, twin) {
  WITH r, twin WHERE twin IS NOT NULL
  WITH r, twin, [w IN coalesce(r.waves, []) WHERE NOT w IN coalesce(twin.waves, [])] AS added
  SET r.foldedInto = $mark, twin.waves = %[3]s,
      twin.foldedWaves = coalesce(twin.foldedWaves, []) + [w IN added | $mark + '|' + w], twin.updatedAt = datetime()
  RETURN 0 AS moved
UNION ALL
  WITH r, o, t, twin WHERE twin IS NULL
  CREATE (t)%[1]s[r2:$(type(r))]%[2]s(o) SET r2 = properties(r), r2.mergedFrom = $mark DELETE r
  RETURN 1 AS moved
}
RETURN coalesce(sum(moved), 0)`, dir[0], dir[1], mergeWaves("twin", "added"))
		}
		recs, err := s.run(ctx, tx, q, params)
		if err != nil {
			return 0, err
		}
		n += int(recs[0].Values[0].(int64))
	}
	if back {
		// Unfold: to's ties give back the waves the fold added; from's folded ties are its own again.
		if _, err := s.run(ctx, tx, `MATCH (:Person {id: $to})-[r0]-()
WHERE any(x IN coalesce(r0.foldedWaves, []) WHERE x STARTS WITH $mark + '|')
WITH r0, [x IN r0.foldedWaves WHERE x STARTS WITH $mark + '|' | substring(x, size($mark) + 1)] AS added
SET r0.waves = [w IN coalesce(r0.waves, []) WHERE NOT w IN added],
    r0.foldedWaves = CASE WHEN all(x IN r0.foldedWaves WHERE x STARTS WITH $mark + '|') THEN null
                     ELSE [x IN r0.foldedWaves WHERE NOT x STARTS WITH $mark + '|'] END,
    r0.updatedAt = datetime()
WITH count(*) AS unfolded
MATCH (:`+MergedLabel+` {id: $from})-[r]-() WHERE r.foldedInto = $mark
REMOVE r.foldedInto
RETURN count(*)`, params); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// MergePeople merges the person merge into keep: every tie, membership, observation and
// pair kept apart moves to keep (marked, so that unmergePeople can move it back), keep
// takes merge's source keys (so a re-import finds keep), and merge stays only as a
// MergedPerson node. One transaction, audited; merging again is a no-op.
func (s *Store) MergePeople(ctx context.Context, scope Scope, keep, merge string) (Merge, error) {
	if err := checkPair(keep, merge, "keep", "merge"); err != nil {
		return Merge{}, err
	}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		out := Merge{Keep: keep, Merged: merge}
		recs, err := s.run(ctx, tx, "OPTIONAL MATCH (m:"+MergedLabel+" {id: $merge}) RETURN m.mergedInto", map[string]any{"merge": merge})
		if err != nil {
			return nil, err
		}
		if into, ok := recs[0].Values[0].(string); ok {
			if into == keep {
				return out, nil
			}
			return nil, apierr.Conflict("merge", "was merged into another person")
		}
		if err := s.checkExist(ctx, tx, "Person", []string{keep, merge}, "people"); err != nil {
			return nil, pairMissing(err, [2]string{"keep", "merge"}, [2]string{keep, merge})
		}
		if err := s.checkPeopleInScope(ctx, tx, scope, []string{keep, merge}, []string{"keep", "merge"}); err != nil {
			return nil, err
		}
		if out.Ties, err = s.moveTies(ctx, tx, merge, keep, merge, false); err != nil {
			return nil, err
		}
		if _, err := s.run(ctx, tx, `MATCH (k:Person {id: $keep}), (m:Person {id: $merge})
SET m.movedKeys = [x IN coalesce(m.sourceKeys, []) WHERE NOT x IN coalesce(k.sourceKeys, [])],
    k.sourceKeys = coalesce(k.sourceKeys, []) + [x IN coalesce(m.sourceKeys, []) WHERE NOT x IN coalesce(k.sourceKeys, [])],
    m.mergedInto = $keep, m.mergedAt = datetime(), k.updatedAt = datetime()
REMOVE m:Person:Entity SET m:`+MergedLabel, map[string]any{"keep": keep, "merge": merge}); err != nil {
			return nil, err
		}
		out.Changed = true
		return out, s.auditWrite(ctx, tx, []string{keep, merge}, map[string]any{"merge": "merge", "tiesMoved": int64(out.Ties)})
	})
	if err != nil {
		return Merge{}, err
	}
	return res.(Merge), nil
}

// UnmergePeople undoes MergePeople: merge is a Person again, with the ties, source keys
// and labels it had. Undoing a merge that is not in place is a no-op.
func (s *Store) UnmergePeople(ctx context.Context, scope Scope, keep, merge string) (Merge, error) {
	if err := checkPair(keep, merge, "keep", "merge"); err != nil {
		return Merge{}, err
	}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		out := Merge{Keep: keep, Merged: merge}
		if err := s.checkExist(ctx, tx, "Person", []string{keep}, "keep"); err != nil {
			return nil, apierr.NotFound("keep", "no Person has id %s", keep)
		}
		if err := s.checkPeopleInScope(ctx, tx, scope, []string{keep}, []string{"keep"}); err != nil {
			return nil, err
		}
		recs, err := s.run(ctx, tx, "OPTIONAL MATCH (m:"+MergedLabel+" {id: $merge}) OPTIONAL MATCH (p:Person {id: $merge}) RETURN m.mergedInto, p IS NOT NULL",
			map[string]any{"merge": merge})
		if err != nil {
			return nil, err
		}
		into, merged := recs[0].Values[0].(string)
		switch {
		case !merged && recs[0].Values[1].(bool):
			return out, nil
		case !merged:
			return nil, apierr.NotFound("merge", "no merged person has id %s", merge)
		case into != keep:
			return nil, apierr.Conflict("merge", "was merged into another person")
		}
		if out.Ties, err = s.moveTies(ctx, tx, merge, keep, merge, true); err != nil {
			return nil, err
		}
		if _, err := s.run(ctx, tx, `MATCH (k:Person {id: $keep}), (m:`+MergedLabel+` {id: $merge})
SET k.sourceKeys = [x IN coalesce(k.sourceKeys, []) WHERE NOT x IN coalesce(m.movedKeys, [])], k.updatedAt = datetime()
REMOVE m:`+MergedLabel+`, m.mergedInto, m.mergedAt, m.movedKeys SET m:Person:Entity`, map[string]any{"keep": keep, "merge": merge}); err != nil {
			return nil, err
		}
		out.Changed = true
		return out, s.auditWrite(ctx, tx, []string{keep, merge}, map[string]any{"merge": "unmerge", "tiesMoved": int64(out.Ties)})
	})
	if err != nil {
		return Merge{}, err
	}
	return res.(Merge), nil
}

// KeepApart records that a and b are different people: their POSSIBLY_SAME_AS ties go,
// and the matcher never queues the pair again. It reports whether anything changed.
func (s *Store) KeepApart(ctx context.Context, scope Scope, a, b string) (bool, error) {
	if err := checkPair(a, b, "a", "b"); err != nil {
		return false, err
	}
	fields := [2]string{"a", "b"}
	if b < a {
		a, b = b, a
		fields = [2]string{"b", "a"}
	}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.checkExist(ctx, tx, "Person", []string{a, b}, "people"); err != nil {
			return nil, pairMissing(err, fields, [2]string{a, b})
		}
		if err := s.checkPeopleInScope(ctx, tx, scope, []string{a, b}, fields[:]); err != nil {
			return nil, err
		}
		recs, err := s.run(ctx, tx, `MATCH (a:Person {id: $a}), (b:Person {id: $b})
OPTIONAL MATCH (a)-[q:POSSIBLY_SAME_AS]-(b)
WITH a, b, collect(q) AS qs, EXISTS { (a)-[:`+keepApartType+`]-(b) } AS was
FOREACH (q IN qs | DELETE q)
MERGE (a)-[k:`+keepApartType+`]->(b) ON CREATE SET k.recordedAt = datetime(), k.source = 'review'
RETURN NOT was OR size(qs) > 0`, map[string]any{"a": a, "b": b})
		if err != nil {
			return nil, err
		}
		changed := recs[0].Values[0].(bool)
		if !changed {
			return false, nil
		}
		return true, s.auditWrite(ctx, tx, []string{a, b}, map[string]any{"merge": "keepApart"})
	})
	if err != nil {
		return false, err
	}
	return res.(bool), nil
}

// pairMissing names which of the two arguments (fields, ids) names nobody.
func pairMissing(err error, fields, ids [2]string) error {
	if e, ok := apierr.As(err); ok {
		for i, f := range []string{"people[0]", "people[1]"} {
			if e.Field == f {
				return apierr.NotFound(fields[i], "no Person has id %s", ids[i])
			}
		}
	}
	return err
}
