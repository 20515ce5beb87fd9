package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kith/internal/neo4jtest"
)

// fixture builds, through the API, a small neighbourhood: an area inside another, a hub,
// a knit and natter group meeting there, and n people who all belong to it, each knowing
// the next. It returns the people's ids in order.
func (e *env) fixture(n int) []string {
	e.t.Helper()
	var areas struct {
		CreateAreas []struct{ ID string } `json:"createAreas"`
	}
	e.ok(`mutation { createAreas(input: [{externalId: "eccles", name: "Eccles"}]) { id } }`, nil, &areas)
	e.ok(`mutation($p: ID!) { createAreas(input: [{externalId: "barton", name: "Barton", parentId: $p}]) { id } }`,
		map[string]any{"p": areas.CreateAreas[0].ID}, &areas)
	barton := areas.CreateAreas[0].ID
	e.ok(`mutation($a: ID!) {
	  createPlaces(input: [{externalId: "hub", name: "Barton Community Hub", kind: INDOOR, category: "community hub", areaId: $a}]) { id }
	  createGroups(input: [{externalId: "knit", name: "Knit and Natter", activity: "knit and natter", openness: OPEN, areaId: $a}]) { id }
	}`, map[string]any{"a": barton}, nil)
	people := make([]map[string]any, n)
	for i := range people {
		people[i] = map[string]any{"externalId": fmt.Sprintf("p%03d", i), "displayName": fmt.Sprintf("Resident %03d", i),
			"householdType": []string{"single", "couple", "single parent"}[i%3], "wellbeing": 10 + i%20, "areaId": barton}
	}
	var created struct {
		CreatePeople []struct{ ID string } `json:"createPeople"`
	}
	e.ok(`mutation($in: [PersonInput!]!) { createPeople(input: $in) { id } }`, map[string]any{"in": people}, &created)
	ties := []map[string]any{{"kind": "MEETS_AT", "from": ref("GROUP", "knit"), "to": ref("PLACE", "hub")}}
	for i := 0; i < n; i++ {
		ties = append(ties, map[string]any{"kind": "MEMBER_OF", "from": ref("PERSON", fmt.Sprintf("p%03d", i)), "to": ref("GROUP", "knit"),
			"role": "MEMBER", "since": "2024-01-15", "source": "door-knocking survey"})
		if i+1 < n {
			ties = append(ties, map[string]any{"kind": "KNOWS", "from": ref("PERSON", fmt.Sprintf("p%03d", i)),
				"to": ref("PERSON", fmt.Sprintf("p%03d", i+1)), "strength": "STRONG"})
		}
	}
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": ties}, nil)
	ids := make([]string, n)
	for i, p := range created.CreatePeople {
		ids[i] = p.ID
	}
	return ids
}

func ref(typ, externalID string) map[string]any {
	return map[string]any{"type": typ, "externalId": externalID}
}

const nestedRead = `query($first: Int) {
  people(first: $first) {
    totalCount
    edges { cursor node {
      id displayName
      area { name parent { name } }
      memberships { role since group { name meetsAt { name kind } } }
      ties(kinds: [KNOWS]) { kind strength other { id ... on Person { displayName } } }
    } }
  }
}`

type nestedPage struct {
	People struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID          string
				DisplayName string
				Area        struct {
					Name   string
					Parent struct{ Name string }
				}
				Memberships []struct {
					Role  string
					Since string
					Group struct {
						Name    string
						MeetsAt []struct{ Name, Kind string }
					}
				}
				Ties []struct {
					Kind, Strength string
					Other          struct{ ID, DisplayName string }
				}
			}
		}
	}
}

// TestNestedReadIsOneRoundTrip checks that people → memberships → group → meetsAt place,
// with area and ties, is one Cypher statement whatever the page size, counted both by the
// store and by a proxy reading the Bolt stream.
func TestNestedReadIsOneRoundTrip(t *testing.T) {
	e := setup(t)
	e.fixture(40)
	for _, first := range []int{1, 10, 40} {
		t.Run(fmt.Sprint(first), func(t *testing.T) {
			e := e.with(t)
			storeBefore := e.store.RoundTrips()
			var proxyBefore int64
			if e.proxy != nil {
				proxyBefore = e.proxy.Runs()
			}
			var page nestedPage
			e.ok(nestedRead, map[string]any{"first": first}, &page)
			if got := e.store.RoundTrips() - storeBefore; got != 1 {
				t.Errorf("store sent %d statements, want 1", got)
			}
			if e.proxy != nil {
				if got := e.proxy.Runs() - proxyBefore; got != 1 {
					t.Errorf("Bolt stream carried %d RUN messages, want 1", got)
				}
			}
			if page.People.TotalCount != 40 || len(page.People.Edges) != first {
				t.Fatalf("got %d of %d people, want %d of 40", len(page.People.Edges), page.People.TotalCount, first)
			}
			p := page.People.Edges[0].Node
			if p.DisplayName != "Resident 000" || p.Area.Name != "Barton" || p.Area.Parent.Name != "Eccles" {
				t.Errorf("first person: %+v", p)
			}
			if len(p.Memberships) != 1 || p.Memberships[0].Group.Name != "Knit and Natter" || p.Memberships[0].Since != "2024-01-15" ||
				len(p.Memberships[0].Group.MeetsAt) != 1 || p.Memberships[0].Group.MeetsAt[0].Kind != "INDOOR" {
				t.Errorf("memberships: %+v", p.Memberships)
			}
			if len(p.Ties) != 1 || p.Ties[0].Other.DisplayName != "Resident 001" || p.Ties[0].Strength != "STRONG" {
				t.Errorf("ties: %+v", p.Ties)
			}
		})
	}
}

func TestCreateIsIdempotentOnExternalID(t *testing.T) {
	e := setup(t)
	q := `mutation($in: [PersonInput!]!) { createPeople(input: $in) { id displayName } }`
	in := map[string]any{"in": []map[string]any{{"externalId": "survey-17", "displayName": "Moira"}, {"displayName": "No external id"}}}
	var a, b struct {
		CreatePeople []struct{ ID, DisplayName string } `json:"createPeople"`
	}
	e.ok(q, in, &a)
	before := e.counts()
	in["in"] = []map[string]any{{"externalId": "survey-17", "displayName": "Moira"}}
	e.ok(q, in, &b)
	if e.counts() != before {
		t.Errorf("repeating a create changed the graph: %v -> %v", before, e.counts())
	}
	if a.CreatePeople[0].ID != b.CreatePeople[0].ID {
		t.Errorf("same externalId gave ids %s and %s", a.CreatePeople[0].ID, b.CreatePeople[0].ID)
	}
	if !strings.HasPrefix(a.CreatePeople[1].ID, "per_") {
		t.Errorf("id %q", a.CreatePeople[1].ID)
	}
}

func TestPaging(t *testing.T) {
	e := setup(t)
	e.fixture(7)
	type page struct {
		People struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ DisplayName string }
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
		for name := range vars {
			decl += "$" + name + ": String "
		}
		if decl != "" {
			decl = "(" + decl + ")"
		}
		e.ok(`query`+decl+` { people(`+args+`) { totalCount edges { cursor node { displayName } }
		  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, vars, &p)
		return p
	}
	names := func(p page) string {
		var s []string
		for _, e := range p.People.Edges {
			s = append(s, strings.TrimPrefix(e.Node.DisplayName, "Resident "))
		}
		return strings.Join(s, ",")
	}
	p1 := get("first: 3", nil)
	if names(p1) != "000,001,002" || !p1.People.PageInfo.HasNextPage || p1.People.PageInfo.HasPreviousPage || p1.People.TotalCount != 7 {
		t.Fatalf("first page: %s %+v", names(p1), p1.People.PageInfo)
	}
	p2 := get("first: 3, after: $after", map[string]any{"after": p1.People.PageInfo.EndCursor})
	if names(p2) != "003,004,005" || !p2.People.PageInfo.HasNextPage || !p2.People.PageInfo.HasPreviousPage {
		t.Fatalf("second page: %s %+v", names(p2), p2.People.PageInfo)
	}
	p3 := get("first: 3, after: $after", map[string]any{"after": p2.People.PageInfo.EndCursor})
	if names(p3) != "006" || p3.People.PageInfo.HasNextPage {
		t.Fatalf("third page: %s %+v", names(p3), p3.People.PageInfo)
	}
	back := get("last: 2, before: $before", map[string]any{"before": p2.People.PageInfo.StartCursor})
	if names(back) != "001,002" || !back.People.PageInfo.HasPreviousPage || !back.People.PageInfo.HasNextPage {
		t.Fatalf("backward page: %s %+v", names(back), back.People.PageInfo)
	}
	tail := get("last: 2", nil)
	if names(tail) != "005,006" || !tail.People.PageInfo.HasPreviousPage || tail.People.PageInfo.HasNextPage {
		t.Fatalf("last page: %s %+v", names(tail), tail.People.PageInfo)
	}
	// Cursors of the last page continue where forward paging would.
	if tail.People.Edges[0].Cursor != p2.People.Edges[2].Cursor {
		t.Errorf("cursor of 005 differs: %s vs %s", tail.People.Edges[0].Cursor, p2.People.Edges[2].Cursor)
	}
	desc := get("first: 2, orderBy: [{field: DISPLAY_NAME, direction: DESC}]", nil)
	if names(desc) != "006,005" {
		t.Errorf("descending: %s", names(desc))
	}
}

// TestPagesWalkTheOrderWithNullsLast pages through people ordered by name, some of them
// unnamed and some sharing a name, without totalCount (the form read in index order, the
// unnamed last), at several page sizes and with a filter, and groups by name descending
// (a required property, read backwards along its index), and compares every walk with the
// order computed here.
func TestPagesWalkTheOrderWithNullsLast(t *testing.T) {
	e := setup(t)
	names := []any{"Bea", nil, "Al", "Cy", nil, "Al", "Dee", nil, "Bea", "Al"}
	people := make([]map[string]any, len(names))
	for i, n := range names {
		people[i] = map[string]any{"externalId": fmt.Sprintf("w%02d", i), "displayName": n, "householdType": []string{"single", "couple"}[i%2]}
	}
	var created struct {
		CreatePeople []struct{ ID string } `json:"createPeople"`
	}
	e.ok(`mutation($in: [PersonInput!]!) { createPeople(input: $in) { id } }`, map[string]any{"in": people}, &created)
	type row struct {
		id   string
		name any
		hh   string
	}
	rows := make([]row, len(names))
	for i, p := range created.CreatePeople {
		rows[i] = row{p.ID, names[i], people[i]["householdType"].(string)}
	}
	// Cypher's ascending order: names first, by name then id; then the unnamed, by id.
	want := func(keep func(row) bool) string {
		var sel []row
		for _, r := range rows {
			if keep(r) {
				sel = append(sel, r)
			}
		}
		slices.SortFunc(sel, func(a, b row) int {
			an, aok := a.name.(string)
			bn, bok := b.name.(string)
			switch {
			case aok != bok && aok:
				return -1
			case aok != bok:
				return 1
			case aok && an != bn:
				return strings.Compare(an, bn)
			}
			return strings.Compare(a.id, b.id)
		})
		ids := make([]string, len(sel))
		for i, r := range sel {
			ids[i] = r.id
		}
		return strings.Join(ids, ",")
	}
	walk := func(size int, where string) string {
		var ids []string
		after := any(nil)
		for pages := 0; ; pages++ {
			if pages > len(names) {
				t.Fatalf("size %d %s: paging does not end", size, where)
			}
			var p struct {
				People struct {
					Edges    []struct{ Node struct{ ID string } }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			e.ok(`query($first: Int, $after: String) { people(first: $first, after: $after, `+where+`
			  orderBy: [{field: DISPLAY_NAME}]) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
				map[string]any{"first": size, "after": after}, &p)
			for _, ed := range p.People.Edges {
				ids = append(ids, ed.Node.ID)
			}
			if !p.People.PageInfo.HasNextPage {
				return strings.Join(ids, ",")
			}
			if len(p.People.Edges) != size {
				t.Fatalf("size %d %s: a page of %d before the end", size, where, len(p.People.Edges))
			}
			after = p.People.PageInfo.EndCursor
		}
	}
	// Groups' names are required: the walk goes back along the index for a descending order.
	groups := make([]map[string]any, 7)
	for i := range groups {
		groups[i] = map[string]any{"externalId": fmt.Sprintf("g%02d", i), "name": []string{"Choir", "Allotment", "Choir", "Bowls"}[i%4]}
	}
	var made struct {
		CreateGroups []struct{ ID, Name string } `json:"createGroups"`
	}
	e.ok(`mutation($in: [GroupInput!]!) { createGroups(input: $in) { id name } }`, map[string]any{"in": groups}, &made)
	wantGroups := slices.Clone(made.CreateGroups)
	slices.SortFunc(wantGroups, func(a, b struct{ ID, Name string }) int {
		if c := strings.Compare(b.Name, a.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, size := range []int{1, 3, 7} {
		var got []struct{ ID, Name string }
		after := any(nil)
		for more := true; more; {
			var p struct {
				Groups struct {
					Edges    []struct{ Node struct{ ID, Name string } }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			e.ok(`query($first: Int, $after: String) { groups(first: $first, after: $after, orderBy: [{field: NAME, direction: DESC}]) {
			  edges { node { id name } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"first": size, "after": after}, &p)
			for _, ed := range p.Groups.Edges {
				got = append(got, ed.Node)
			}
			more, after = p.Groups.PageInfo.HasNextPage, p.Groups.PageInfo.EndCursor
			if len(got) > len(groups) {
				t.Fatalf("groups by name descending in pages of %d do not end", size)
			}
		}
		if !slices.Equal(got, wantGroups) {
			t.Errorf("groups by name descending in pages of %d:\n got %v\nwant %v", size, got, wantGroups)
		}
	}

	all := want(func(row) bool { return true })
	couples := want(func(r row) bool { return r.hh == "couple" })
	for _, size := range []int{1, 2, 3, 4, 7, 10, 11} {
		if got := walk(size, ""); got != all {
			t.Errorf("pages of %d:\n got %s\nwant %s", size, got, all)
		}
		if got := walk(size, `where: {householdType: {eq: "couple"}},`); got != couples {
			t.Errorf("pages of %d of couples:\n got %s\nwant %s", size, got, couples)
		}
	}
}

func TestFilters(t *testing.T) {
	e := setup(t)
	e.fixture(9)
	e.ok(`mutation { createGroups(input: [{externalId: "darts", name: "Darts Team", activity: "darts"}]) { id } }`, nil, nil)
	e.ok(`mutation { createTies(input: [{kind: MEMBER_OF, from: {type: PERSON, externalId: "p004"}, to: {type: GROUP, externalId: "darts"}}]) { id } }`, nil, nil)
	cases := []struct {
		name, where string
		want        int
	}{
		{"equality", `{displayName: {eq: "Resident 003"}}`, 1},
		{"in", `{displayName: {in: ["Resident 003", "Resident 004", "nobody"]}}`, 2},
		{"contains", `{displayName: {contains: "00"}}`, 9},
		{"startsWith", `{displayName: {startsWith: "Resident 00"}}`, 9},
		{"range", `{wellbeing: {gte: 12, lt: 15}}`, 3},
		{"AND/OR/NOT", `{OR: [{householdType: {eq: "single"}}, {householdType: {eq: "couple"}}], NOT: {displayName: {eq: "Resident 000"}}}`, 5},
		{"relation some", `{memberships: {some: {activity: {eq: "darts"}}}}`, 1},
		{"relation none", `{memberships: {none: {activity: {eq: "darts"}}}}`, 8},
		{"nested relation", `{area: {some: {parent: {some: {name: {eq: "Eccles"}}}}}}`, 9},
		{"property and relation", `{householdType: {eq: "single"}, memberships: {some: {activity: {eq: "knit and natter"}}}}`, 3},
		{"property and relation, one matches both", `{householdType: {eq: "couple"}, memberships: {some: {activity: {eq: "darts"}}}}`, 1},
		{"property and relation, none match both", `{householdType: {eq: "single"}, memberships: {some: {activity: {eq: "darts"}}}}`, 0},
		{"relation some, any group (a member of two counts once)", `{memberships: {some: {}}}`, 9},
		{"property and relation some, any group", `{householdType: {eq: "couple"}, memberships: {some: {}}}`, 3},
		{"two relation filters, some and none", `{memberships: {some: {activity: {eq: "darts"}}}, area: {none: {name: {eq: "Barton"}}}}`, 0},
		{"two relation filters, both some", `{memberships: {some: {}}, area: {some: {name: {eq: "Barton"}}}}`, 9},
		{"property and an OR holding a relation", `{wellbeing: {gte: 13}, OR: [{memberships: {some: {activity: {eq: "darts"}}}}, {displayName: {eq: "Resident 008"}}]}`, 2},
		{"isNull", `{contact: {isNull: true}}`, -1},
		{"boolean default", `{isAuthority: {eq: false}}`, 9},
		{"injection text is a value", `{displayName: {eq: "x\"}) DETACH DELETE n //"}}`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			if c.want < 0 {
				e.fails(`{ people(where: `+c.where+`) { totalCount } }`, nil, "BAD_USER_INPUT", "")
				return
			}
			var p struct{ People struct{ TotalCount int } }
			e.ok(`{ people(where: `+c.where+`) { totalCount } }`, nil, &p)
			if p.People.TotalCount != c.want {
				t.Errorf("got %d, want %d", p.People.TotalCount, c.want)
			}
			// The same filter without a count: a page read along the name index.
			var l struct {
				People struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			e.ok(`{ people(first: 50, where: `+c.where+`) { edges { node { id } } } }`, nil, &l)
			if len(l.People.Edges) != c.want {
				t.Errorf("a page without a count: got %d, want %d", len(l.People.Edges), c.want)
			}
		})
	}
	if n, _ := e.counts()[0], 0; n == 0 {
		t.Fatal("graph emptied")
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	e := setup(t)
	ids := e.fixture(3)
	huge := strings.Repeat("x", 100_000)
	cases := []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"duplicate externalIds in one batch", `mutation { createPeople(input: [{externalId: "a"}, {externalId: "b"}, {externalId: "a"}]) { id } }`, nil,
			"BAD_USER_INPUT", "input[2].externalId"},
		{"megabyte string", `mutation($s: String) { createPeople(input: [{displayName: "ok"}, {displayName: $s}]) { id } }`, map[string]any{"s": huge},
			"BAD_USER_INPUT", "input[1].displayName"},
		{"wellbeing out of range", `mutation { createPeople(input: [{wellbeing: 99}]) { id } }`, nil, "BAD_USER_INPUT", "input[0].wellbeing"},
		{"wrong type", `mutation { createPeople(input: [{wellbeing: "high"}]) { id } }`, nil, "BAD_USER_INPUT", ""},
		{"missing required", `mutation { createGroups(input: [{activity: "darts"}]) { id } }`, nil, "BAD_USER_INPUT", "input[0].name"},
		{"unknown area", `mutation { createPeople(input: [{displayName: "x", areaId: "area_00000000000000000000"}]) { id } }`, nil,
			"NOT_FOUND", "input[0].areaId"},
		{"area id of another type", `mutation($a: ID) { createPeople(input: [{areaId: $a}]) { id } }`, map[string]any{"a": ids[0]},
			"BAD_USER_INPUT", "input[0].areaId"},
		{"update unknown id", `mutation { updatePeople(input: [{externalId: "p000", displayName: "changed"}, {id: "per_00000000000000000000", displayName: "y"}]) { id } }`, nil,
			"NOT_FOUND", "input[1]"},
		{"update names nobody", `mutation { updatePeople(input: [{displayName: "y"}]) { id } }`, nil, "BAD_USER_INPUT", "input[0]"},
		{"remove required field", `mutation { updateGroups(input: [{externalId: "knit", name: null}]) { id } }`, nil, "BAD_USER_INPUT", "input[0].name"},
		{"delete unknown", `mutation($a: ID!) { deletePeople(ids: [$a, "per_00000000000000000000"]) { count } }`, map[string]any{"a": ids[0]},
			"NOT_FOUND", "ids[1]"},
		{"delete malformed id", `mutation { deletePeople(ids: ["') DETACH DELETE n //"]) { count } }`, nil, "BAD_USER_INPUT", "ids[0]"},
		{"tie to missing node", `mutation { createTies(input: [
		   {kind: KNOWS, from: {type: PERSON, externalId: "p000"}, to: {type: PERSON, externalId: "p002"}},
		   {kind: KNOWS, from: {type: PERSON, externalId: "p000"}, to: {type: PERSON, externalId: "ghost"}}]) { id } }`, nil,
			"NOT_FOUND", "input[1].to"},
		{"tie kind between wrong labels", `mutation { createTies(input: [{kind: MEMBER_OF, from: {type: PERSON, externalId: "p000"}, to: {type: PLACE, externalId: "hub"}}]) { id } }`, nil,
			"BAD_USER_INPUT", "input[0].kind"},
		{"tie property of another kind", `mutation { createTies(input: [{kind: KNOWS, from: {type: PERSON, externalId: "p000"}, to: {type: PERSON, externalId: "p002"}, role: ORGANISER}]) { id } }`, nil,
			"BAD_USER_INPUT", "input[0].role"},
		{"self tie", `mutation { createTies(input: [{kind: KNOWS, from: {type: PERSON, externalId: "p000"}, to: {type: PERSON, externalId: "p000"}}]) { id } }`, nil,
			"BAD_USER_INPUT", "input[0].to"},
		{"tie end both ways", `mutation($a: ID) { createTies(input: [{kind: KNOWS, from: {id: $a, type: PERSON, externalId: "p1"}, to: {type: PERSON, externalId: "p002"}}]) { id } }`,
			map[string]any{"a": ids[0]}, "BAD_USER_INPUT", "input[0].from"},
		{"unknown wave", `mutation { createTies(input: [{kind: KNOWS, from: {type: PERSON, externalId: "p000"}, to: {type: PERSON, externalId: "p002"}, wave: "wave_00000000000000000000"}]) { id } }`, nil,
			"NOT_FOUND", "input[0].wave"},
		{"remove tie that is not there", `mutation { removeTies(input: [{kind: KNOWS, from: {type: PERSON, externalId: "p000"}, to: {type: PERSON, externalId: "p001"}},
		   {kind: KNOWS, from: {type: PERSON, externalId: "p002"}, to: {type: PERSON, externalId: "p000"}}]) { count } }`, nil, "NOT_FOUND", "input[1]"},
		{"empty batch", `mutation { createPeople(input: []) { id } }`, nil, "BAD_USER_INPUT", "input"},
		{"negative page", `{ people(first: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
		{"huge page", `{ people(first: 1000000) { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
		{"first and last", `{ people(first: 1, last: 1) { totalCount } }`, nil, "BAD_USER_INPUT", "last"},
		{"malformed cursor", `{ people(after: "bm90IGEgY3Vyc29y") { totalCount } }`, nil, "BAD_USER_INPUT", "after"},
		{"cursor injection", `{ people(before: "'}) DETACH DELETE n //") { totalCount } }`, nil, "BAD_USER_INPUT", "before"},
		{"nested page too big", `{ people { edges { node { ties(first: 100000) { id } } } } }`, nil, "BAD_USER_INPUT", ""},
		{"malformed node id", `{ node(id: "12345") { id } }`, nil, "BAD_USER_INPUT", "id"},
		{"bad date", `mutation { createWaves(input: [{name: "w", collectedOn: "15/03/2025"}]) { id } }`, nil, "BAD_USER_INPUT", ""},
		{"bad datetime filter", `{ people(where: {createdAt: {gt: "yesterday"}}) { totalCount } }`, nil, "BAD_USER_INPUT", ""},
		{"empty search", `{ search(text: "   ") { score } }`, nil, "BAD_USER_INPUT", "text"},
		{"unknown field", `{ people { edges { node { password } } } }`, nil, "BAD_USER_INPUT", ""},
		{"syntax error", `{ people { `, nil, "BAD_USER_INPUT", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			before := e.counts()
			got := e.fails(c.query, c.vars, c.code, c.field)
			if got.Message == "" {
				t.Error("no reason given")
			}
			if strings.Contains(got.Message, "MATCH") || strings.Contains(got.Message, "goroutine") {
				t.Errorf("error leaks internals: %s", got.Message)
			}
			if after := e.counts(); after != before {
				t.Errorf("graph changed: %v -> %v", before, after)
			}
		})
	}
	var p struct{ Node struct{ DisplayName string } }
	e.ok(`query($id: ID!) { node(id: $id) { ... on Person { displayName } } }`, map[string]any{"id": ids[0]}, &p)
	if p.Node.DisplayName != "Resident 000" {
		t.Errorf("a failed batch changed a stored person: %q", p.Node.DisplayName)
	}
}

func TestCypherLookingTextIsStoredVerbatim(t *testing.T) {
	e := setup(t)
	texts := []string{
		`"}) DETACH DELETE n //`,
		"`Person` MATCH (n) DETACH DELETE n",
		`'; CALL dbms.shutdown(); //`,
		`$p0 {x} \u0000 ünïcödé`,
	}
	for _, s := range texts {
		before := e.counts()
		var c struct {
			CreatePeople []struct{ ID, DisplayName string } `json:"createPeople"`
		}
		e.ok(`mutation($s: String) { createPeople(input: [{displayName: $s, externalId: $s}]) { id displayName } }`, map[string]any{"s": s}, &c)
		if c.CreatePeople[0].DisplayName != s {
			t.Errorf("stored %q, read back %q", s, c.CreatePeople[0].DisplayName)
		}
		if after := e.counts(); after[0] != before[0]+1 || after[1] != before[1] {
			t.Errorf("%q: counts %v -> %v", s, before, after)
		}
		var p struct{ People struct{ TotalCount int } }
		e.ok(`query($s: String) { people(where: {externalId: {eq: $s}}) { totalCount } }`, map[string]any{"s": s}, &p)
		if p.People.TotalCount != 1 {
			t.Errorf("%q: filter found %d", s, p.People.TotalCount)
		}
		e.ok(`query($s: String!) { search(text: $s) { score } }`, map[string]any{"s": s}, nil)
	}
}

func TestUpdateAndDelete(t *testing.T) {
	e := setup(t)
	ids := e.fixture(3)
	var u struct {
		UpdatePeople []struct {
			DisplayName *string
			Wellbeing   *int
			Area        *struct{ Name string }
		} `json:"updatePeople"`
	}
	e.ok(`mutation($id: ID) { updatePeople(input: [{id: $id, displayName: "Renamed", wellbeing: null, areaId: null}]) { displayName wellbeing area { name } } }`,
		map[string]any{"id": ids[1]}, &u)
	if got := u.UpdatePeople[0]; got.DisplayName == nil || *got.DisplayName != "Renamed" || got.Wellbeing != nil || got.Area != nil {
		t.Errorf("update: %+v", got)
	}
	// A create or a move reads back the area it has just written, in the same statement.
	var areas struct {
		Areas struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	e.ok(`{ areas(orderBy: [{field: NAME}]) { edges { node { id name } } } }`, nil, &areas)
	barton, eccles := areas.Areas.Edges[0].Node, areas.Areas.Edges[1].Node
	var c struct {
		CreatePeople []struct {
			ID   string
			Area struct{ Name string }
		} `json:"createPeople"`
	}
	e.ok(`mutation($a: ID) { createPeople(input: [{displayName: "New", areaId: $a}]) { id area { name } } }`, map[string]any{"a": eccles.ID}, &c)
	if c.CreatePeople[0].Area.Name != eccles.Name {
		t.Errorf("created in %q, want %q", c.CreatePeople[0].Area.Name, eccles.Name)
	}
	u.UpdatePeople = nil
	e.ok(`mutation($id: ID, $a: ID) { updatePeople(input: [{id: $id, areaId: $a}]) { area { name } } }`,
		map[string]any{"id": c.CreatePeople[0].ID, "a": barton.ID}, &u)
	if got := u.UpdatePeople[0].Area; got == nil || got.Name != barton.Name {
		t.Errorf("moved to %+v, want %q", got, barton.Name)
	}
	_, tiesBefore := neo4jtest.Count(t, e.driver)
	var d struct{ DeletePeople struct{ Count int } }
	e.ok(`mutation($id: ID!) { deletePeople(ids: [$id]) { count } }`, map[string]any{"id": ids[1]}, &d)
	if d.DeletePeople.Count != 1 {
		t.Errorf("deleted %d", d.DeletePeople.Count)
	}
	_, tiesAfter := neo4jtest.Count(t, e.driver)
	// Resident 001 had: MEMBER_OF, KNOWS from 000, KNOWS to 002 (its LIVES_IN was removed above).
	if tiesBefore-tiesAfter != 3 {
		t.Errorf("deleting removed %d ties, want 3", tiesBefore-tiesAfter)
	}
	var n struct{ Node *struct{ ID string } }
	e.ok(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ids[1]}, &n)
	if n.Node != nil {
		t.Error("deleted person still found")
	}
}

func TestTies(t *testing.T) {
	e := setup(t)
	ids := e.fixture(2)
	var w struct {
		CreateWaves []struct{ ID string } `json:"createWaves"`
	}
	e.ok(`mutation { createWaves(input: [{name: "Wave 1", collectedOn: "2024-03-15"}]) { id } }`, nil, &w)
	q := `mutation($a: ID, $b: ID, $w: ID) { createTies(input: [{kind: TRUSTS, from: {id: $a}, to: {id: $b}, for: HELP, wave: $w, source: "survey"}]) {
	  id kind for source wave { name } from { id } to { id } other { id } } }`
	vars := map[string]any{"a": ids[0], "b": ids[1], "w": w.CreateWaves[0].ID}
	var c1, c2 struct {
		CreateTies []struct {
			ID, Kind, For, Source string
			Wave                  struct{ Name string }
			From, To, Other       struct{ ID string }
		} `json:"createTies"`
	}
	e.ok(q, vars, &c1)
	before := e.counts()
	e.ok(q, vars, &c2)
	got := c1.CreateTies[0]
	if got.Kind != "TRUSTS" || got.For != "HELP" || got.Wave.Name != "Wave 1" || got.From.ID != ids[0] || got.To.ID != ids[1] || got.Other.ID != ids[1] {
		t.Errorf("created %+v", got)
	}
	if e.counts() != before || c2.CreateTies[0].ID != got.ID {
		t.Error("repeating createTies made a second tie")
	}
	var r struct{ RemoveTies struct{ Count int } }
	e.ok(`mutation($id: ID) { removeTies(input: [{id: $id}]) { count } }`, map[string]any{"id": got.ID}, &r)
	if r.RemoveTies.Count != 1 || e.counts()[1] != before[1]-1 {
		t.Errorf("remove by id: %d, ties %d -> %d", r.RemoveTies.Count, before[1], e.counts()[1])
	}
	e.ok(`mutation { removeTies(input: [{kind: MEMBER_OF, from: {type: PERSON, externalId: "p000"}, to: {type: GROUP, externalId: "knit"}}]) { count } }`, nil, &r)
	if r.RemoveTies.Count != 1 {
		t.Errorf("remove by ends: %d", r.RemoveTies.Count)
	}
}

func TestNodeAndSearch(t *testing.T) {
	e := setup(t)
	ids := e.fixture(3)
	var n struct {
		Nodes []*struct {
			Typename string `json:"__typename"`
			ID       string
		}
	}
	e.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": []string{ids[2], "grp_00000000000000000000", ids[0]}}, &n)
	if len(n.Nodes) != 3 || n.Nodes[0].ID != ids[2] || n.Nodes[1] != nil || n.Nodes[2].Typename != "Person" {
		t.Errorf("nodes: %+v", n.Nodes)
	}
	var s struct {
		Search []struct {
			Node struct {
				Typename string `json:"__typename"`
				Name     string
			}
		}
	}
	e.ok(`{ search(text: "knit", types: [GROUP, PLACE]) { score node { __typename ... on Group { name } } } }`, nil, &s)
	if len(s.Search) != 1 || s.Search[0].Node.Name != "Knit and Natter" {
		t.Errorf("search knit: %+v", s.Search)
	}
	e.ok(`{ search(text: "BARTON hub") { node { __typename ... on Place { name } } } }`, nil, &s)
	if len(s.Search) != 1 || s.Search[0].Node.Name != "Barton Community Hub" {
		t.Errorf("search barton hub: %+v", s.Search)
	}
}

func TestHTTP(t *testing.T) {
	e := setup(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(e.srv.URL + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %v %v", path, resp, err)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/graphql?query=%7Bpeople%7BtotalCount%7D%7D", nil)
	req.Header.Set("Accept", "application/graphql-response+json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/graphql-response+json" {
		t.Errorf("GET: %v %v", resp, err)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	big := strings.NewReader(`{"query":"` + strings.Repeat(" ", 2<<20) + `{ people { totalCount } }"}`)
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", big)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode < 400 {
		t.Errorf("oversized body accepted: %v %v", resp, err)
	}
}
