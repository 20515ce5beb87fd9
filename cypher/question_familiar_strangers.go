package cypher

// familiarStrangers: who sees the most isolated people.

import (
	"context"
	"fmt"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

// FamiliarStrangers ranks familiar strangers by how many people with at most maxTies ties
// of the isolation kinds they see. Each record is a FamiliarStrangerReach: seen,
// isolatedSeen, the familiar stranger under "familiarStranger" and people under "isolated".
func (s *Store) FamiliarStrangers(ctx context.Context, scope Scope, areaID string, maxTies, first int, fsSel, personSel *Selection) ([]*Record, error) {
	if maxTies < 0 {
		return nil, apierr.BadUserInput("maxTies", "must not be negative")
	}
	if first < 0 || first > MaxNested {
		return nil, apierr.BadUserInput("first", "must be between 0 and %d", MaxNested)
	}
	b := newScopedBuilder(s.schema, scope)
	seenConds := []string{b.personPredicate("p")}
	// With an area, a familiar stranger counts the people they see who live there, wherever
	// the stranger is recorded, and one who sees nobody there is left out.
	where := ""
	if areaID != "" {
		if l, ok := nodeid.Label(areaID); !ok || l != "Area" {
			return nil, apierr.BadUserInput("areaId", "is not the id of an Area")
		}
		seenConds = append(seenConds, inArea("p", "LIVES_IN", b.param(areaID)))
		where = " WHERE seen > 0"
	}
	seen := ""
	if pred := andJoin(seenConds...); pred != "" {
		seen = " WHERE " + pred
	}
	fsProj, err := b.nodeProjection("f", []string{"FamiliarStranger"}, fsSel)
	if err != nil {
		return nil, err
	}
	pProj, err := b.nodeProjection("q", []string{"Person"}, personSel)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`MATCH (f:FamiliarStranger)
CALL (f) {
  MATCH (f)-[:SEES]->(p:Person)%[2]s
  WITH DISTINCT p
  WITH p, COUNT { (p)-[:%[3]s]-() } AS deg
  RETURN count(p) AS seen, collect(CASE WHEN deg <= %[4]s THEN {p: p, deg: deg} END) AS lonely
}
WITH f, seen, lonely%[1]s
WITH f, seen, lonely ORDER BY size(lonely) DESC, seen DESC, f.id LIMIT %[5]s
RETURN {%[6]s: 'FamiliarStrangerReach', seen: seen, isolatedSeen: size(lonely), %[7]s: %[8]s,
  %[9]s: COLLECT { UNWIND lonely AS x WITH x ORDER BY x.deg, x.p.id LIMIT 50 WITH x.p AS q RETURN %[10]s }}`,
		where, seen, strings.Join(quoteAll(defaultIsolationKinds), "|"), b.param(int64(maxTies)), b.param(int64(first)),
		typenameKey, quote(relPrefix+"familiarStranger"), fsProj, quote(relPrefix+"isolated"), pProj)
	return s.readRecords(ctx, q, b.params)
}
