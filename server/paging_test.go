package server_test

import (
	"strings"
	"testing"
)

// TestKeysetCursorsSurviveWrites pages people by name, forwards and backwards, while
// people are added before and after the cursor between two pages: the next page goes on
// from the row the cursor names, neither skipping nor repeating one (an offset would
// shift by the rows added before it). It also holds that a cursor given out under one
// order is refused under another, and by another list.
func TestKeysetCursorsSurviveWrites(t *testing.T) {
	e := setup(t)
	add := func(names ...string) {
		in := make([]map[string]any, len(names))
		for i, n := range names {
			in[i] = map[string]any{"externalId": "k-" + n, "displayName": n}
		}
		e.ok(`mutation($in: [PersonInput!]!) { createPeople(input: $in) { id } }`, map[string]any{"in": in}, nil)
	}
	add("B", "D", "F", "H", "J")
	type page struct {
		People struct {
			Edges []struct {
				Node struct{ DisplayName string }
			}
			PageInfo struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       string
			}
		}
	}
	get := func(args string, vars map[string]any) page {
		var p page
		decl := ""
		if strings.Contains(args, "$c") {
			decl = "($c: String)"
		}
		e.ok(`query`+decl+` { people(`+args+`, where: {externalId: {startsWith: "k-"}}, orderBy: [{field: DISPLAY_NAME}]) { edges { node { displayName } }
		  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, vars, &p)
		return p
	}
	names := func(p page) string {
		var s []string
		for _, ed := range p.People.Edges {
			s = append(s, ed.Node.DisplayName)
		}
		return strings.Join(s, "")
	}
	for _, tc := range []struct {
		name, first, added, next, want string
	}{
		{"forward, rows added before the cursor", "first: 2", "A", "first: 2, after: $c", "FH"},
		{"forward, rows added after the cursor", "first: 2", "E", "first: 2, after: $c", "DE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p1 := get(tc.first, nil)
			add(tc.added)
			p2 := get(tc.next, map[string]any{"c": p1.People.PageInfo.EndCursor})
			if names(p2) != tc.want || !p2.People.PageInfo.HasPreviousPage {
				t.Errorf("after %s and %s added: %s %+v", names(p1), tc.added, names(p2), p2.People.PageInfo)
			}
		})
	}
	// Now A B D E F H J: backwards from J, with G added meanwhile.
	tail := get("last: 2", nil)
	add("G")
	back := get("last: 2, before: $c", map[string]any{"c": tail.People.PageInfo.StartCursor})
	if names(tail) != "HJ" || names(back) != "FG" || !back.People.PageInfo.HasNextPage || !back.People.PageInfo.HasPreviousPage {
		t.Errorf("backwards: %s then %s %+v", names(tail), names(back), back.People.PageInfo)
	}
	cursor := tail.People.PageInfo.EndCursor
	for _, q := range []string{
		`query($c: String) { people(after: $c, orderBy: [{field: DISPLAY_NAME, direction: DESC}]) { totalCount } }`,
		`query($c: String) { people(after: $c, orderBy: [{field: AGE_BAND}]) { totalCount } }`,
		`query($c: String) { groups(after: $c, orderBy: [{field: NAME}]) { totalCount } }`,
		`query($c: String) { isolates(after: $c) { totalCount } }`,
		`query($c: String) { centrality(measure: DEGREE, after: $c) { totalCount } }`,
	} {
		e.fails(q, map[string]any{"c": cursor}, "BAD_USER_INPUT", "after")
	}
}
