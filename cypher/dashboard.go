package cypher

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"kith/apierr"
)

// This file counts for dashboards' tiles: the people a caller may see grouped by one
// dimension, members per group, ties per kind. One statement a call, under the caller's
// Scope, like every read: a worker counts the people of their areas, an analyst those who
// consented to analysis, and memberships of sensitive groups count only where the scope
// may see them. Counts are exact, as docs/aggregates.md says of counts: they are not
// special-category data (wellbeing never enters them).

// Tile dimensions.
const (
	TileArea          = "AREA"
	TileHouseholdType = "HOUSEHOLD_TYPE"
	TileAgeBand       = "AGE_BAND"
	TileEmployment    = "EMPLOYMENT"
	TileWave          = "WAVE"
	TileGroup         = "GROUP"
	TileTieKind       = "TIE_KIND"
)

// MaxTileCells bounds the cells one count returns (the largest first).
const MaxTileCells = 200

// TileCell is one cell: its key (a value, or an area's, wave's or group's id; "" for none
// recorded), its name, and its count.
type TileCell struct {
	Key, Name string
	Count     int
}

// TileCounts is one tile's answer: Total people (ties, for TIE_KIND) the caller may see
// among those selected, and the cells, the largest first; Truncated when more cells than
// MaxTileCells were counted.
type TileCounts struct {
	Total     int
	Cells     []TileCell
	Truncated bool
}

// TileCounts counts the people where selects (as the people list does), among those the
// scope lets the caller see, by one dimension: their area, household type, age band,
// latest employment status, the waves that surveyed them, the groups they are members of,
// or their ties by kind. A person counts once per cell (count DISTINCT), so a tie recorded
// in several waves, or a membership recorded twice, counts once.
func (s *Store) TileCounts(ctx context.Context, scope Scope, by string, where map[string]any) (TileCounts, error) {
	l := s.schema.Labels["Person"]
	b := newScopedBuilder(s.schema, scope)
	cond, err := b.where("n", l, plainMap(where), "where")
	if err != nil {
		return TileCounts{}, err
	}
	conds := []string{}
	if cond != "" {
		conds = append(conds, "("+cond+")")
	}
	if p := b.personPredicate("n"); p != "" {
		conds = append(conds, p)
	}
	people := "MATCH (n:Person)"
	if len(conds) > 0 {
		people += " WHERE " + strings.Join(conds, " AND ")
	}
	var cells, total string
	total = "count(DISTINCT n)"
	switch by {
	case TileArea:
		cells = "OPTIONAL MATCH (n)-[:LIVES_IN]->(a:Area) WITH n, a.id AS key, a.name AS name"
	case TileHouseholdType:
		cells = "WITH n, n.householdType AS key, n.householdType AS name"
	case TileAgeBand:
		cells = "WITH n, n.ageBand AS key, n.ageBand AS name"
	case TileEmployment:
		cells = fmt.Sprintf("WITH n, head(COLLECT { MATCH (n)-[:OBSERVED]->(o:%s)-[:IN_WAVE]->(ow:Wave) WHERE o.employment IS NOT NULL"+
			" RETURN o.employment ORDER BY ow.collectedOn DESC, ow.id DESC LIMIT 1 }) AS key WITH n, key, key AS name", ObservationLabel)
	case TileWave:
		cells = fmt.Sprintf("OPTIONAL MATCH (n)-[:OBSERVED]->(:%s)-[:IN_WAVE]->(w:Wave) WITH n, w.id AS key, coalesce(w.name, w.id) AS name", ObservationLabel)
	case TileGroup:
		g := "OPTIONAL MATCH (n)-[:MEMBER_OF]->(g:Group)"
		if p := b.groupPredicate("g"); p != "" {
			g += " WHERE " + p
		}
		cells = g + " WITH n, g.id AS key, g.name AS name"
	case TileTieKind:
		kinds := s.personTieKinds()
		t := fmt.Sprintf("MATCH (n)-[r:%s]-(m:Person)", strings.Join(kinds, "|"))
		if p := b.tiePredicate("n", "r", "m"); p != "" {
			t += " WHERE " + p
		}
		people += " " + t
		cells = "WITH r AS n, type(r) AS key, type(r) AS name"
		total = "count(DISTINCT r)"
	default:
		return TileCounts{}, apierr.BadUserInput("by", "is not a tile dimension")
	}
	q := fmt.Sprintf("CALL { %s RETURN %s AS total }"+
		" CALL { %s %s WITH key, name, count(DISTINCT n) AS c ORDER BY c DESC, key RETURN collect([key, name, c]) AS cells }"+
		" RETURN total, cells", people, total, people, cells)
	recs, err := s.query(ctx, q, b.params)
	if err != nil {
		return TileCounts{}, err
	}
	out := TileCounts{Total: int(recs[0].Values[0].(int64))}
	for _, c := range recs[0].Values[1].([]any) {
		row := c.([]any)
		key, _ := row[0].(string)
		name, _ := row[1].(string)
		out.Cells = append(out.Cells, TileCell{Key: key, Name: name, Count: int(row[2].(int64))})
	}
	if len(out.Cells) > MaxTileCells {
		out.Cells, out.Truncated = out.Cells[:MaxTileCells], true
	}
	return out, nil
}

// personTieKinds are the kinds of tie from a person to a person, quoted and sorted: the
// social ties a dashboard counts (not POSSIBLY_SAME_AS, which is identity resolution's).
func (s *Store) personTieKinds() []string {
	var kinds []string
	for name, k := range s.schema.Ties {
		if name != "POSSIBLY_SAME_AS" && slices.Contains(k.From, "Person") && slices.Contains(k.To, "Person") {
			kinds = append(kinds, quote(name))
		}
	}
	sort.Strings(kinds)
	return kinds
}
