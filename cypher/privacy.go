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
	People, Ties, Gifts, Needs, AuditRecords, AnalysisRuns int
}

// ErasePerson erases one person in one write transaction: the gifts only they offered
// and the needs only they recorded (with those nodes' ties), the person, their observations and every tie they have, and the ids of all of
// these from earlier audit records and from the top lists of stored analysis runs. It then
// records the erasure, with counts and no id, in the same transaction. Derived data kept
// elsewhere (query caches) is the caller's to drop.
func (s *Store) ErasePerson(ctx context.Context, id string) (Erasure, error) {
	if l, ok := nodeid.Label(id); !ok || l != "Person" {
		return Erasure{}, apierr.BadUserInput("id", "is not the id of a Person")
	}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.checkExist(ctx, tx, "Person", []string{id}, "ids"); err != nil {
			return nil, apierr.NotFound("id", "no Person has id %s", id)
		}
		var e Erasure
		params := map[string]any{"id": id}
		// What the waves measured about them goes with them (not counted as ties).
		if err := s.deleteObservations(ctx, tx, []string{id}); err != nil {
			return nil, err
		}
		// Their calendar feeds (feeds.go): the tokens that opened them open nothing now.
		if _, err := s.run(ctx, tx, "MATCH (f:"+FeedTokenLabel+" {target: $id}) DETACH DELETE f", params); err != nil {
			return nil, err
		}
		// The source keys a survey import knew them by.
		if _, err := s.run(ctx, tx, "MATCH (k:SourceKey)-[:SOURCE_OF]->(:Person {id: $id}) DETACH DELETE k", params); err != nil {
			return nil, err
		}
		// The records merged into them (mergePeople) go with them.
		merged, err := s.run(ctx, tx, "MATCH (m:"+MergedLabel+" {mergedInto: $id}) DETACH DELETE m RETURN count(m)", params)
		if err != nil {
			return nil, err
		}
		// Every id that goes with them: theirs, their gifts', their ties' and their gifts' ties'.
		recs, err := s.run(ctx, tx, `MATCH (p:Person {id: $id})
OPTIONAL MATCH (p)-[:OFFERS]->(g:Gift) WHERE NOT EXISTS { MATCH (g)<-[:OFFERS]-(o) WHERE o <> p }
WITH p, collect(DISTINCT g) AS gifts
OPTIONAL MATCH (p)-[:NEEDS]->(n:Need) WHERE NOT EXISTS { MATCH (n)<-[:NEEDS]-(o) WHERE o <> p }
WITH p, gifts, collect(DISTINCT n) AS needs
WITH p, gifts + needs AS gifts, size(needs) AS needs
WITH p, gifts, needs, [(p)-[r]-() | r] + reduce(acc = [], g IN gifts | acc + [(g)-[r]-() | r]) AS ties
WITH p, gifts, needs, reduce(acc = [], r IN ties | CASE WHEN r IN acc THEN acc ELSE acc + [r] END) AS ties
WITH p, gifts, needs, ties, [p.id] + [g IN gifts | g.id] + [r IN ties WHERE r.id IS NOT NULL | r.id] AS gone
FOREACH (g IN gifts | DETACH DELETE g)
DETACH DELETE p
RETURN size(gifts) - needs, size(ties), gone, needs`, params)
		if err != nil {
			return nil, err
		}
		e.People = 1 + int(merged[0].Values[0].(int64))
		e.Gifts = int(recs[0].Values[0].(int64))
		e.Needs = int(recs[0].Values[3].(int64))
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
			"people": int64(e.People), "ties": int64(e.Ties), "gifts": int64(e.Gifts), "needs": int64(e.Needs),
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

// WellbeingFilter says whose wellbeing a summary aggregates, and from which wave.
type WellbeingFilter struct {
	// Where selects people as the people list does.
	Where map[string]any
	// WaveID, when set, reads each person's score as that wave observed it (SWEMWBS raw)
	// and counts only the people it surveyed; otherwise their latest score.
	WaveID string
	// Change, when set, keeps only the people surveyed in both its waves whose ties changed
	// between them as it says.
	Change *TieChange
}

// TieChange selects people by how their ties changed between two waves.
type TieChange struct {
	// From and To are the earlier and later waves' ids.
	From, To string
	// Change is GAINED (more ties in To than in From), LOST (fewer) or SAME.
	Change string
	// Kinds are the tie kinds counted, either way; nil: those isolation counts.
	Kinds []string
}

// WellbeingSummary aggregates the wellbeing of the people f selects, among those the
// scope lets the caller see. Under a scope that respects consent only scores given with
// consent for wellbeing count. It never returns one person's score; the caller releases
// the aggregate (resolvers/wellbeing.go). An unknown wave is NOT_FOUND naming the argument.
func (s *Store) WellbeingSummary(ctx context.Context, scope Scope, f WellbeingFilter) (Wellbeing, error) {
	l := s.schema.Labels["Person"]
	b := newScopedBuilder(s.schema, scope)
	cond, err := b.where("n", l, plainMap(f.Where), "where")
	if err != nil {
		return Wellbeing{}, err
	}
	conds := []string{}
	if cond != "" {
		conds = append(conds, "("+cond+")")
	}
	if p := b.personPredicate("n"); p != "" {
		conds = append(conds, p)
	}
	waves := map[string]string{}
	score := "n.wellbeing"
	if f.WaveID != "" {
		waves["wave"] = f.WaveID
		w := b.param(f.WaveID)
		score = fmt.Sprintf("head(COLLECT { MATCH (n)-[:OBSERVED]->(o:%s {waveId: %s}) RETURN o.swemwbsRaw })", ObservationLabel, w)
		conds = append(conds, fmt.Sprintf("EXISTS { (n)-[:OBSERVED]->(:%s {waveId: %s}) }", ObservationLabel, w))
	}
	if c := f.Change; c != nil {
		waves["tieChange.from"], waves["tieChange.to"] = c.From, c.To
		types, err := s.tieKinds(c.Kinds, quoteAll(defaultIsolationKinds), "tieChange.kinds")
		if err != nil {
			return Wellbeing{}, err
		}
		op, ok := map[string]string{"GAINED": ">", "LOST": "<", "SAME": "="}[c.Change]
		if !ok {
			return Wellbeing{}, apierr.BadUserInput("tieChange.change", "must be GAINED, LOST or SAME")
		}
		from, to := b.param(c.From), b.param(c.To)
		count := func(w string) string {
			return fmt.Sprintf("COUNT { (n)-[r:%s]-() WHERE %s IN r.waves }", strings.Join(types, "|"), w)
		}
		conds = append(conds,
			fmt.Sprintf("EXISTS { (n)-[:OBSERVED]->(:%s {waveId: %s}) }", ObservationLabel, from),
			fmt.Sprintf("EXISTS { (n)-[:OBSERVED]->(:%s {waveId: %s}) }", ObservationLabel, to),
			count(to)+" "+op+" "+count(from))
	}
	for _, field := range sortedKeys(waves) {
		if l, ok := nodeid.Label(waves[field]); !ok || l != "Wave" {
			return Wellbeing{}, apierr.BadUserInput(field, "is not the id of a Wave")
		}
	}
	if scope.RespectConsent {
		score = fmt.Sprintf("CASE WHEN n.%s = true THEN %s END", quote(consentProp(ConsentWellbeing)), score)
	}
	q := "MATCH (n:Person)"
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	lo, hi := s.WellbeingRange()
	pl, ph := b.param(int64(lo)), b.param(int64(hi))
	ids := make([]string, 0, len(waves))
	for _, field := range sortedKeys(waves) {
		ids = append(ids, waves[field])
	}
	b.params["waveIds"] = ids
	q += fmt.Sprintf(" WITH %s AS w WITH CASE WHEN w < %s THEN %s WHEN w > %s THEN %s ELSE w END AS w"+
		" WITH count(*) AS people, count(w) AS scored, coalesce(sum(w), 0) AS total"+
		" RETURN people, scored, total, [id IN $waveIds WHERE NOT EXISTS { MATCH (:Wave {id: id}) }] AS missing", score, pl, pl, ph, ph)
	recs, err := s.query(ctx, q, b.params)
	if err != nil {
		return Wellbeing{}, err
	}
	v := recs[0].Values
	if missing, _ := v[3].([]any); len(missing) > 0 {
		for _, field := range sortedKeys(waves) {
			if waves[field] == missing[0] {
				return Wellbeing{}, apierr.NotFound(field, "there is no wave with this id")
			}
		}
	}
	return Wellbeing{People: int(v[0].(int64)), Scored: int(v[1].(int64)), Sum: v[2].(int64)}, nil
}
