package server_test

import (
	"context"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/seed"
)

type tile struct {
	TileCounts struct {
		By    string
		Total int
		Cells []struct {
			Value *string
			Name  *string
			Count int
		}
		Truncated bool
	}
}

const tileQuery = `query($by: TileDimension!, $where: PersonWhere) { tileCounts(by: $by, where: $where) { by total cells { value name count } truncated } }`

// cells returns a tile's cells by value ("" for none).
func (x tile) cells() map[string]int {
	out := map[string]int{}
	for _, c := range x.TileCounts.Cells {
		k := ""
		if c.Value != nil {
			k = *c.Value
		}
		out[k] = c.Count
	}
	return out
}

// TestTileCounts checks each dimension against counts read straight from Neo4j (admin), and
// every role against what it may list: a tile's total is the people list's totalCount for
// the same role, analysts never see a sensitive group's members, and partners and
// researchers are refused.
func TestTileCounts(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if err := seed.Demo().Load(ctx, e.store, nil); err != nil {
		t.Fatal(err)
	}
	rows := func(q string) map[string]int {
		t.Helper()
		res, err := neo4j.ExecuteQuery(ctx, e.driver, q, nil, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out := map[string]int{}
		for _, r := range res.Records {
			k, _ := r.Values[0].(string)
			out[k] = int(r.Values[1].(int64))
		}
		return out
	}
	same := func(what string, got, want map[string]int) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %d cells, want %d: %v vs %v", what, len(got), len(want), got, want)
			return
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: cell %q = %d, want %d", what, k, got[k], n)
			}
		}
	}
	var people int
	for _, n := range rows(`MATCH (p:Person) RETURN '', count(p)`) {
		people = n
	}
	want := map[string]map[string]int{
		"AREA":           rows(`MATCH (p:Person) OPTIONAL MATCH (p)-[:LIVES_IN]->(a:Area) RETURN a.id, count(DISTINCT p)`),
		"HOUSEHOLD_TYPE": rows(`MATCH (p:Person) RETURN p.householdType, count(p)`),
		"AGE_BAND":       rows(`MATCH (p:Person) RETURN p.ageBand, count(p)`),
		"WAVE":           rows(`MATCH (p:Person) OPTIONAL MATCH (p)-[:OBSERVED]->()-[:IN_WAVE]->(w:Wave) RETURN w.id, count(DISTINCT p)`),
		"GROUP":          rows(`MATCH (p:Person) OPTIONAL MATCH (p)-[:MEMBER_OF]->(g:Group) RETURN g.id, count(DISTINCT p)`),
	}
	for by, w := range want {
		var x tile
		e.ok(tileQuery, map[string]any{"by": by}, &x)
		same("admin "+by, x.cells(), w)
		if x.TileCounts.Total != people || x.TileCounts.By != by || x.TileCounts.Truncated {
			t.Errorf("admin %s: total %d, want %d (%+v)", by, x.TileCounts.Total, people, x.TileCounts)
		}
	}
	if len(want["WAVE"]) < 2 || len(want["GROUP"]) < 2 || len(want["AREA"]) < 2 {
		t.Fatalf("the demo is too small to test tiles: %v", want)
	}
	var x tile
	e.ok(tileQuery, map[string]any{"by": "EMPLOYMENT"}, &x)
	sum := 0
	for _, n := range x.cells() {
		sum += n
	}
	if sum != people || x.TileCounts.Total != people || len(x.cells()) < 2 {
		t.Errorf("EMPLOYMENT: cells sum to %d, total %d, want %d: %v", sum, x.TileCounts.Total, people, x.cells())
	}
	e.ok(tileQuery, map[string]any{"by": "TIE_KIND"}, &x)
	ties := rows(`MATCH (:Person)-[r:KNOWS|TRUSTS|GETS_INFO_FROM|ENCOURAGES]->(:Person) RETURN type(r), count(r)`)
	tieTotal := 0
	for _, n := range ties {
		tieTotal += n
	}
	if len(ties) < 2 || x.TileCounts.Total != tieTotal {
		t.Errorf("TIE_KIND: total %d, want %d (%v)", x.TileCounts.Total, tieTotal, ties)
	}
	for kind, n := range ties {
		if x.cells()[kind] != n {
			t.Errorf("TIE_KIND %s: %d, want %d (%v)", kind, x.cells()[kind], n, x.cells())
		}
	}

	// A filter narrows the tile as it narrows people.
	var big string
	for k, n := range want["AREA"] {
		if k != "" && (big == "" || n > want["AREA"][big]) {
			big = k
		}
	}
	sensitive := map[string]bool{}
	for id := range rows(`MATCH (g:Group) WHERE g.sensitive = true AND EXISTS { (:Person)-[:MEMBER_OF]->(g) } RETURN g.id, 1`) {
		sensitive[analystID(t, id)] = true
	}
	if len(sensitive) == 0 {
		t.Fatal("the demo has no sensitive group with members")
	}
	for _, role := range auth.Roles() {
		r := e.as(role, big).with(t)
		if role == auth.Partner || role == auth.Researcher {
			r.fails(tileQuery, map[string]any{"by": "AREA"}, "FORBIDDEN", "")
			continue
		}
		var list struct{ People struct{ TotalCount int } }
		r.ok(`{ people(first: 1) { totalCount } }`, nil, &list)
		for _, by := range []string{"AREA", "HOUSEHOLD_TYPE", "AGE_BAND", "EMPLOYMENT", "WAVE", "GROUP", "TIE_KIND"} {
			var x tile
			r.ok(tileQuery, map[string]any{"by": by}, &x)
			if by != "TIE_KIND" && x.TileCounts.Total != list.People.TotalCount {
				t.Errorf("%s %s: total %d, but people lists %d", role, by, x.TileCounts.Total, list.People.TotalCount)
			}
			if by == "GROUP" && role == auth.Analyst {
				for _, c := range x.TileCounts.Cells {
					if c.Value != nil && sensitive[*c.Value] {
						t.Errorf("analyst sees the members of sensitive group %s", *c.Value)
					}
				}
			}
		}
		if role == auth.Worker && list.People.TotalCount >= people {
			t.Errorf("a worker of one area counts everyone (%d)", list.People.TotalCount)
		}
	}
	e.fails(tileQuery, map[string]any{"by": "AREA", "where": map[string]any{"nope": 1}}, "BAD_USER_INPUT", "")
}
