package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/cypher"
	"kith/nodeid"
	"kith/pseudonym"
	"kith/server"
)

// This file attacks the promise that an analyst's answers cannot be joined back to the
// live records: no live id and no externalId ever reaches an analyst, the ids they get are
// theirs alone, and the server gives away neither its schema (to callers who may not
// introspect) nor a token's validity on a malformed time claim. It also checks that areas
// cannot be put inside themselves.

// linkWorld is the fixture: every node type, every id-bearing output, with externalIds no
// other text contains.
type linkWorld struct {
	salford, barton, wave, wave2   string
	ada, bea, cal, dot             string
	knit, council, postman, garden string
	library, run                   string
	// live are every live id in the graph (nodes and ties); external every externalId.
	live, external []string
}

func (e *env) linkWorld() linkWorld {
	e.t.Helper()
	var w linkWorld
	ids := func(data json.RawMessage, field string) []string {
		var m map[string][]struct{ ID string }
		if err := json.Unmarshal(data, &m); err != nil {
			e.t.Fatalf("decode %s: %v", data, err)
		}
		out := make([]string, len(m[field]))
		for i, n := range m[field] {
			out[i] = n.ID
		}
		return out
	}
	run := func(field, query string, vars map[string]any) []string {
		var raw json.RawMessage
		e.ok(query, vars, &raw)
		return ids(raw, field)
	}
	w.salford = run("createAreas", `mutation { createAreas(input: [{externalId: "xid-area-salford", name: "Salford"}]) { id } }`, nil)[0]
	w.barton = run("createAreas", `mutation($p: ID) { createAreas(input: [{externalId: "xid-area-barton", name: "Barton", parentId: $p}]) { id } }`,
		map[string]any{"p": w.salford})[0]
	waves := run("createWaves", `mutation { createWaves(input: [{externalId: "xid-wave-one", name: "Wave one", collectedOn: "2025-03-01"},
		{externalId: "xid-wave-two", name: "Wave two", collectedOn: "2025-09-01"}]) { id } }`, nil)
	w.wave, w.wave2 = waves[0], waves[1]
	consent := map[string]any{"analysis": map[string]any{"given": true, "how": "paper form"}}
	people := run("createPeople", `mutation($in: [PersonInput!]!) { createPeople(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"externalId": "xid-per-ada", "displayName": "Ada Councillor", "pseudonym": "R-0A", "roles": []string{"councillor"}, "isAuthority": true,
			"areaId": w.barton, "consent": consent},
		{"externalId": "xid-per-bea", "displayName": "Bea Neighbour", "pseudonym": "R-0B", "householdType": "single", "areaId": w.barton, "consent": consent},
		{"externalId": "xid-per-cal", "displayName": "Cal Neighbour", "pseudonym": "R-0C", "householdType": "couple", "areaId": w.barton, "consent": consent},
		{"externalId": "xid-per-dot", "displayName": "Dot Unconsented", "pseudonym": "R-0D", "areaId": w.barton},
	}})
	w.ada, w.bea, w.cal, w.dot = people[0], people[1], people[2], people[3]
	w.knit = run("createGroups", `mutation($a: ID) { createGroups(input: [{externalId: "xid-grp-knit", name: "Knit and Natter", activity: "knitting", areaId: $a}]) { id } }`,
		map[string]any{"a": w.barton})[0]
	w.council = run("createOrganisations", `mutation($a: ID) { createOrganisations(input: [{externalId: "xid-org-council", name: "City Council", sector: PUBLIC, isAuthority: true, areaId: $a}]) { id } }`,
		map[string]any{"a": w.barton})[0]
	w.postman = run("createFamiliarStrangers", `mutation($a: ID) { createFamiliarStrangers(input: [{externalId: "xid-fam-postman", role: "postman", areaId: $a}]) { id } }`,
		map[string]any{"a": w.barton})[0]
	w.garden = run("createInterests", `mutation { createInterests(input: [{externalId: "xid-int-garden", name: "gardening"}]) { id } }`, nil)[0]
	w.library = run("createPlaces", `mutation($a: ID) { createPlaces(input: [{externalId: "xid-plc-library", name: "Library", kind: INDOOR, areaId: $a}]) { id } }`,
		map[string]any{"a": w.barton})[0]
	ref := func(id string) map[string]any { return map[string]any{"id": id} }
	run("createTies", `mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"kind": "TRUSTS", "for": "HELP", "from": ref(w.bea), "to": ref(w.ada), "wave": w.wave},
		{"kind": "KNOWS", "strength": "STRONG", "from": ref(w.cal), "to": ref(w.bea), "wave": w.wave},
		{"kind": "KNOWS", "from": ref(w.dot), "to": ref(w.cal)},
		{"kind": "KNOWS", "strength": "WEAK", "from": ref(w.ada), "to": ref(w.cal), "wave": w.wave2},
		{"kind": "MEMBER_OF", "from": ref(w.cal), "to": ref(w.knit)},
		{"kind": "MEMBER_OF", "from": ref(w.bea), "to": ref(w.knit)},
		{"kind": "WORKS_FOR", "from": ref(w.ada), "to": ref(w.council)},
		{"kind": "TRUSTS", "for": "ADVICE", "from": ref(w.cal), "to": ref(w.council)},
		{"kind": "SEES", "frequency": "DAILY", "from": ref(w.postman), "to": ref(w.cal)},
		{"kind": "INTERESTED_IN", "from": ref(w.bea), "to": ref(w.garden)},
		{"kind": "USES", "frequency": "WEEKLY", "from": ref(w.cal), "to": ref(w.library)},
		{"kind": "GETS_INFO_FROM", "from": ref(w.bea), "to": ref(w.library)},
	}})
	var r struct {
		RunAnalysis struct{ ID string }
	}
	e.ok(`mutation($a: ID) { runAnalysis(scope: {areaId: $a}, measures: [DEGREE, PAGERANK]) { id } }`, map[string]any{"a": w.barton}, &r)
	w.run = r.RunAnalysis.ID
	// Every live id and externalId, as an admin reads them.
	recs := e.readAll()
	w.live, w.external = recs[0], recs[1]
	if len(w.live) < 20 || len(w.external) != 13 {
		e.t.Fatalf("fixture: %d live ids, %d externalIds", len(w.live), len(w.external))
	}
	return w
}

// readAll returns every node and tie id, and every externalId, through the admin's API.
func (e *env) readAll() [2][]string {
	e.t.Helper()
	var d map[string]struct {
		Nodes []struct {
			ID         string
			ExternalID *string
			Ties       []struct{ ID string }
		}
	}
	sel := `nodes { id externalId ties(first: 50) { id } }`
	q := "{ "
	for _, l := range []string{"people", "places", "groups", "organisations", "familiarStrangerList", "interests", "gifts", "areas", "waves"} {
		q += fmt.Sprintf("%s(first: 100) { %s } ", l, sel)
	}
	e.ok(q+"}", nil, &d)
	seen := map[string]bool{}
	var out [2][]string
	add := func(i int, s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out[i] = append(out[i], s)
		}
	}
	for _, list := range d {
		for _, n := range list.Nodes {
			add(0, n.ID)
			if n.ExternalID != nil {
				add(1, *n.ExternalID)
			}
			for _, t := range n.Ties {
				add(0, t.ID)
			}
		}
	}
	return out
}

// broadQuery reaches every kind of output that carries an id: lists with their relations
// and ties, node(), nodes(), search, the questions, every analysis and a stored run.
const broadQuery = `query($cal: ID!, $bea: ID!, $knit: ID!, $barton: ID!, $wave: ID!, $wave2: ID!, $run: ID!, $ids: [ID!]!) {
  people(first: 50) { edges { cursor node { id externalId displayName pseudonym area { id externalId name parent { id externalId } }
    memberships { group { id externalId } } interests { id externalId } worksFor { id externalId }
    ties(first: 50) { id kind from { id externalId } to { id externalId } other { id externalId } wave { id externalId } } } }
    pageInfo { startCursor endCursor } }
  groups { nodes { id externalId members { person { id externalId } } meetsAt { id } ties { id other { id } } } }
  places { nodes { id externalId ties { id other { id } } } }
  organisations { nodes { id externalId ties { id other { id } } } }
  familiarStrangerList { nodes { id externalId displayName ties { id other { id } } } }
  interests { nodes { id externalId } }
  areas { nodes { id externalId parent { id } children { id } residents { id externalId } } }
  waves { nodes { id externalId } }
  node(id: $cal) { id externalId ... on Person { pseudonym ties { id other { id } } } }
  nodes(ids: $ids) { id externalId }
  search(text: "knit") { node { id externalId } }
  byId: people(where: {id: {in: $ids}, area: {some: {id: {eq: $barton}}}}) { nodes { id } }
  shortestTrustedPath(from: $cal, to: {groupId: $knit}) { steps { node { id externalId } tie { id } } }
  trustedRoutes(from: $bea, to: {personId: $cal}) { steps { node { id } tie { id from { id } to { id } } } }
  linksToAuthority(person: $cal) { authorities { node { id externalId } } links { node { id } } routes { steps { node { id } tie { id } } } }
  isolates(maxTies: 5, areaId: $barton) { edges { cursor node { id externalId } } }
  trustedContacts(person: $cal) { node { id externalId } tie { id } why }
  familiarStrangers(areaId: $barton, maxTies: 5) { familiarStranger { id externalId } isolated { id } }
  egoNetwork(id: $bea, hops: 2) { nodes { node { id externalId } } ties { id from { id } to { id } } }
  centrality(measure: PAGERANK, scope: {areaId: $barton, waveId: $wave, labels: [PERSON, GROUP, ORGANISATION]}) { edges { cursor node { id externalId } } graph { version } }
  communities(scope: {labels: [PERSON, GROUP], kinds: [KNOWS, TRUSTS, MEMBER_OF]}) { communities { id members { id externalId } }
    bridges { edges { cursor node { from { id } to { id } fromCommunity toCommunity } } } }
  areaBrokerage: brokerage(groupBy: AREA, scope: {labels: [PERSON]}) { groups { group name } edges { node { id } group } }
  groupBrokerage: brokerage(groupBy: GROUP, scope: {labels: [PERSON, GROUP], kinds: [KNOWS, TRUSTS, MEMBER_OF]}) { groups { group name } edges { node { id } group } }
  keyPeople(role: CONNECTOR) { candidates { node { id externalId } components { name } } }
  networkSummary(by: AREA) { groups { value name } }
  groupSummary: networkSummary(by: GROUP, scope: {labels: [PERSON, GROUP], kinds: [KNOWS, MEMBER_OF]}) { groups { value name } }
  compareWaves(before: $wave, after: $wave2) { changes { edges { cursor node { id externalId } } } }
  analysisRun(id: $run) { id parameters top { edges { node { id externalId } } } }
}`

// liveIDs finds what has the form of a live id inside any text.
var liveIDs = regexp.MustCompile(`\b[a-z]{3,4}_[0-9a-z]+\b`)

// strings returns every string in a JSON document (keys and values).
func jsonStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case []any:
		for _, e := range x {
			jsonStrings(e, out)
		}
	case map[string]any:
		for k, e := range x {
			*out = append(*out, k)
			jsonStrings(e, out)
		}
	}
}

// checkUnlinkable fails when any string of the response holds a live id or an externalId.
func checkUnlinkable(t *testing.T, w linkWorld, raw []byte) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("not JSON: %s", raw)
	}
	var all []string
	jsonStrings(doc, &all)
	for _, s := range all {
		for _, m := range liveIDs.FindAllString(s, -1) {
			if _, ok := nodeid.Label(m); ok {
				t.Errorf("a live id reached the analyst: %q in %q", m, s)
			}
		}
		for _, id := range w.live {
			if strings.Contains(s, id) {
				t.Errorf("the live id %s reached the analyst in %q", id, s)
			}
		}
		for _, x := range w.external {
			if strings.Contains(s, x) {
				t.Errorf("the externalId %s reached the analyst in %q", x, s)
			}
		}
	}
}

func (w linkWorld) broadVars(id func(string) string) map[string]any {
	return map[string]any{"cal": id(w.cal), "bea": id(w.bea), "knit": id(w.knit), "barton": id(w.barton),
		"wave": id(w.wave), "wave2": id(w.wave2), "run": w.run, "ids": []string{id(w.ada), id(w.bea), id(w.dot), id(w.knit), id(w.council), id(w.postman)}}
}

// TestAnalystIDsUnlinkable: in everything an analyst can ask for, no string holds a live id
// or an externalId; the answer is there (the test reads pseudonymous ids back); the same
// query by an admin does hold the live ids (so the walk can see them).
func TestAnalystIDsUnlinkable(t *testing.T) {
	// The broad query asks for many fields at once, each waiting its turn for one of the
	// request's statements: on a busy machine that outlasts the default deadline.
	e := setupWith(t, func(c *server.Config) { c.RequestTimeout = 2 * time.Minute })
	w := e.linkWorld()
	analyst := e.as(auth.Analyst)
	pa := func(id string) string { return analystID(t, id) }

	// An analysis that outlasts the request answers UNAVAILABLE and carries on (a loaded
	// machine): ask again, as a client would, a few times.
	r := analyst.do(broadQuery, w.broadVars(pa))
	for try := 0; try < 5 && len(r.Errors) > 0 && r.Errors[0].Extensions["code"] == "UNAVAILABLE"; try++ {
		time.Sleep(2 * time.Second)
		r = analyst.do(broadQuery, w.broadVars(pa))
	}
	if len(r.Errors) > 0 {
		t.Fatalf("analyst's broad query: %+v", r.Errors)
	}
	raw, _ := json.Marshal(r)
	checkUnlinkable(t, w, raw)
	// The walk is not vacuous: the answer holds the analyst's ids for what it reads...
	for _, id := range []string{w.ada, w.bea, w.cal, w.knit, w.council, w.postman, w.barton, w.salford, w.wave, w.library, w.garden} {
		if !strings.Contains(string(raw), pa(id)) {
			t.Errorf("the analyst's answer lacks their id for %s", id)
		}
	}
	// ...and the stored run's parameters name the area by the analyst's id.
	var d struct {
		AnalysisRun   struct{ Parameters string }
		AreaBrokerage struct {
			Groups []struct{ Group string }
		}
	}
	_ = json.Unmarshal(r.Data, &d)
	if !strings.Contains(d.AnalysisRun.Parameters, pa(w.barton)) {
		t.Errorf("run parameters %s do not name Barton by the analyst's id", d.AnalysisRun.Parameters)
	}
	if len(d.AreaBrokerage.Groups) == 0 || d.AreaBrokerage.Groups[0].Group != pa(w.barton) {
		t.Errorf("brokerage by area: %+v, want the analyst's id of Barton", d.AreaBrokerage.Groups)
	}
	// An error about an id the analyst sent names it as they sent it, never as it lives.
	nowhere, echoed := nodeid.New("Area"), 0
	for q, id := range map[string]string{
		`query($a: ID!) { centrality(measure: DEGREE, scope: {areaId: $a}) { totalCount } }`: nowhere,
		`query($a: ID!) { trustedContacts(person: $a) { why } }`:                             nodeid.New("Person"),
	} {
		r := analyst.do(q, map[string]any{"a": pa(id)})
		raw, _ := json.Marshal(r)
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
			t.Fatalf("an unknown area: %s", raw)
		}
		if strings.Contains(string(raw), pa(id)) {
			echoed++
		}
		if strings.Contains(string(raw), id) {
			t.Errorf("the error echoes the live id: %s", raw)
		}
		checkUnlinkable(t, w, raw)
	}
	if echoed == 0 {
		t.Error("no error named the id it was about: the check above saw nothing")
	}

	// An admin's same query holds the live ids and externalIds: the walk would see them.
	r = e.do(broadQuery, w.broadVars(func(id string) string { return id }))
	if len(r.Errors) > 0 {
		t.Fatalf("admin's broad query: %+v", r.Errors)
	}
	raw, _ = json.Marshal(r)
	for _, s := range []string{w.cal, w.knit, w.barton, "xid-per-cal", "xid-grp-knit"} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("the admin's answer lacks %s", s)
		}
	}
}

// TestPseudonymousIDsRefused: ids are accepted only by the role they were given to.
func TestPseudonymousIDsRefused(t *testing.T) {
	e := setup(t)
	w := e.linkWorld()
	keys := testPseudonyms(t)
	worker := e.as(auth.Worker, w.salford)
	cases := []struct {
		name   string
		caller *env
		query  string
		vars   map[string]any
		field  string
	}{
		{"analyst by a live id", e.as(auth.Analyst), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": w.cal}, "id"},
		{"analyst by a live id of nobody", e.as(auth.Analyst), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": nodeid.New("Person")}, "id"},
		{"analyst by a researcher's id", e.as(auth.Analyst), `query($id: ID!) { node(id: $id) { id } }`,
			map[string]any{"id": keys.Encode(string(auth.Researcher), w.cal)}, "id"},
		{"analyst by another key's id", e.as(auth.Analyst), `query($id: ID!) { node(id: $id) { id } }`,
			map[string]any{"id": pseudonym.Random().Encode(string(auth.Analyst), w.cal)}, "id"},
		{"analyst: live ids in a list", e.as(auth.Analyst), `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
			map[string]any{"ids": []string{analystID(t, w.bea), w.cal}}, "ids[1]"},
		{"analyst: a live id in a where filter", e.as(auth.Analyst), `query($id: ID) { people(where: {area: {some: {id: {eq: $id}}}}) { totalCount } }`,
			map[string]any{"id": w.barton}, "where.area.some.id.eq"},
		{"analyst: a live id in an analysis scope", e.as(auth.Analyst), `query($id: ID) { centrality(measure: DEGREE, scope: {areaId: $id}) { totalCount } }`,
			map[string]any{"id": w.barton}, "scope.areaId"},
		{"analyst: a live id in a question", e.as(auth.Analyst), `query($id: ID!) { trustedContacts(person: $id) { why } }`,
			map[string]any{"id": w.cal}, "person"},
		{"admin by an analyst's id", e, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": analystID(t, w.cal)}, ""},
		{"partner by an analyst's id", e.as(auth.Partner), `query($p: ID!) { suggestions(person: $p) { name } }`,
			map[string]any{"p": analystID(t, w.cal)}, ""},
		{"worker by an analyst's id", worker, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{analystID(t, w.cal)}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.caller.with(t).do(c.query, c.vars)
			raw, _ := json.Marshal(r)
			if c.field == "" {
				// Live-id callers: an analyst's id names nobody, so nothing comes back.
				if len(r.Errors) == 0 && strings.Contains(string(r.Data), w.cal) {
					t.Fatalf("resolved an analyst's id: %s", raw)
				}
				if len(r.Errors) == 0 && strings.Contains(string(r.Data), `"id"`) {
					t.Fatalf("an analyst's id named a node: %s", raw)
				}
				return
			}
			if len(r.Errors) == 0 {
				t.Fatalf("accepted: %s", raw)
			}
			got := r.Errors[0]
			if got.Extensions["code"] != "BAD_USER_INPUT" || got.Extensions["field"] != c.field {
				t.Fatalf("want BAD_USER_INPUT on %s, got %+v", c.field, r.Errors)
			}
			if strings.Contains(string(raw), w.cal) || strings.Contains(string(raw), w.barton) {
				t.Errorf("the refusal echoes the live id: %s", raw)
			}
		})
	}
	// A live id that names somebody and one that names nobody are refused alike.
	a := e.as(auth.Analyst).do(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": w.cal})
	b := e.as(auth.Analyst).do(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": nodeid.New("Person")})
	if a.Errors[0].Message != b.Errors[0].Message {
		t.Errorf("refusals differ: %q and %q", a.Errors[0].Message, b.Errors[0].Message)
	}
}

// TestPseudonymousIDsStable: an analyst's ids are the same across requests and across two
// servers with the same key, differ with another key, and differ from a worker's.
func TestPseudonymousIDsStable(t *testing.T) {
	e := setup(t)
	w := e.linkWorld()
	read := func(e *env) string {
		var d struct {
			People struct {
				Nodes []struct{ ID, Pseudonym string }
			}
		}
		e.ok(`{ people { nodes { id pseudonym } } }`, nil, &d)
		var out []string
		for _, n := range d.People.Nodes {
			out = append(out, n.Pseudonym+"="+n.ID)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	first := read(e.as(auth.Analyst))
	// Analysts' pseudonyms are their own too: never the stored R-0A... that workers see.
	var mine []string
	for _, id := range []string{w.ada, w.bea, w.cal} {
		mine = append(mine, analystName(t, id)+"="+analystID(t, id))
	}
	sort.Strings(mine)
	if want := strings.Join(mine, " "); first != want {
		t.Fatalf("analyst reads %s, want %s", first, strings.Join(mine, " "))
	}
	if again := read(e.as(auth.Analyst)); again != first {
		t.Errorf("ids changed between requests: %s then %s", first, again)
	}
	if got := read(e.sibling(nil).as(auth.Analyst)); got != first {
		t.Errorf("another server with the same key: %s, want %s", got, first)
	}
	other := read(e.sibling(func(c *server.Config) { c.Pseudonyms = pseudonym.Random() }).as(auth.Analyst))
	if other == first || strings.Contains(other, analystID(t, w.cal)) {
		t.Errorf("another key gives the same ids: %s", other)
	}
	worker := read(e.as(auth.Worker, w.salford))
	if worker != fmt.Sprintf("R-0A=%s R-0B=%s R-0C=%s R-0D=%s", w.ada, w.bea, w.cal, w.dot) {
		t.Errorf("a worker reads %s", worker)
	}
}

// TestExternalIDForbiddenToAnalysts: externalId is null for analysts, and a filter on it is
// FORBIDDEN naming the field; admins filter on it as before.
func TestExternalIDForbiddenToAnalysts(t *testing.T) {
	e := setup(t)
	e.linkWorld()
	cases := []struct {
		name, query, field string
		admin              int // what the admin's same filter finds
	}{
		{"people", `{ people(where: {externalId: {eq: "xid-per-cal"}}) { totalCount } }`, "where.externalId", 1},
		{"nested in OR", `{ people(where: {OR: [{externalId: {startsWith: "xid-per-c"}}]}) { totalCount } }`, "where.OR[0].externalId", 1},
		{"groups", `{ groups(where: {externalId: {eq: "xid-grp-knit"}}) { totalCount } }`, "where.externalId", 1},
		{"through a relation", `{ people(where: {area: {some: {externalId: {eq: "xid-area-barton"}}}}) { totalCount } }`, "where.area.some.externalId", 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.with(t).as(auth.Analyst).fails(c.query, nil, "FORBIDDEN", c.field)
			var d map[string]struct{ TotalCount int }
			e.with(t).ok(c.query, nil, &d)
			for _, v := range d {
				if v.TotalCount != c.admin {
					t.Errorf("admin's filter found %d, want %d", v.TotalCount, c.admin)
				}
			}
		})
	}
	var d struct {
		People struct {
			Nodes []struct{ ExternalID *string }
		}
	}
	e.as(auth.Analyst).ok(`{ people { nodes { externalId } } }`, nil, &d)
	if len(d.People.Nodes) == 0 {
		t.Fatal("analyst sees nobody")
	}
	for _, n := range d.People.Nodes {
		if n.ExternalID != nil {
			t.Errorf("analyst sees externalId %q", *n.ExternalID)
		}
	}
}

// TestNoSchemaSuggestions: validation errors suggest schema names only to those who may
// introspect.
func TestNoSchemaSuggestions(t *testing.T) {
	e := setup(t)
	queries := []string{
		`{ peple { totalCount } }`,
		`{ people(wher: {}) { totalCount } }`,
		`{ people { totalCont } }`,
		`{ people(orderBy: [{field: PSEUDONM}]) { totalCount } }`,
		`{ people(where: {pseudonm: {eq: "x"}}) { totalCount } }`,
	}
	callers := []struct {
		name          string
		env           *env
		introspection bool
		suggests      bool
	}{
		{"admin", e, false, true},
		{"worker", e.as(auth.Worker, "area_00000000000000000000"), false, false},
		{"analyst", e.as(auth.Analyst), false, false},
		{"partner", e.as(auth.Partner), false, false},
	}
	for _, c := range callers {
		for _, q := range queries {
			t.Run(c.name+"/"+q, func(t *testing.T) {
				r := c.env.with(t).do(q, nil)
				if len(r.Errors) == 0 {
					t.Fatalf("accepted %s", q)
				}
				raw, _ := json.Marshal(r.Errors)
				if got := strings.Contains(string(raw), "Did you mean"); got != c.suggests {
					t.Errorf("suggestions %v, want %v: %s", got, c.suggests, raw)
				}
				if r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
					t.Errorf("code: %+v", r.Errors[0])
				}
			})
		}
	}
	dev := setupWith(t, func(c *server.Config) { c.Introspection = true })
	r := dev.as(auth.Analyst).do(queries[0], nil)
	if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "Did you mean") {
		t.Errorf("a development server does not suggest: %+v", r.Errors)
	}
}

// TestStringTimeClaims: a token whose exp, nbf or iat is a string is refused at the edge.
func TestStringTimeClaims(t *testing.T) {
	e := setup(t)
	now := time.Now()
	for _, claim := range []string{"exp", "nbf", "iat"} {
		t.Run(claim, func(t *testing.T) {
			c := jwt.MapClaims{"sub": "x", "iss": testIssuer, "aud": testAudience, "roles": []string{"admin"},
				"iat": now.Unix() - 60, "nbf": now.Unix() - 60, "exp": now.Add(time.Hour).Unix()}
			c[claim] = fmt.Sprint(c[claim])
			tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(testSecret)
			if err != nil {
				t.Fatal(err)
			}
			e := e.with(t)
			e.token = tok
			status, r := e.rawDo(`{ people { totalCount } }`, nil)
			if status != 401 || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Fatalf("HTTP %d %+v", status, r)
			}
			if !strings.Contains(r.Errors[0].Message, claim+" claim must be a JSON number") {
				t.Errorf("reason: %q", r.Errors[0].Message)
			}
		})
	}
}

// TestAreaCycles: an area cannot be put inside itself, directly or through others, by a
// create, an update or a tie; a batch with one bad entry writes nothing.
func TestAreaCycles(t *testing.T) {
	e := setup(t)
	var a struct {
		CreateAreas []struct{ ID string }
	}
	e.ok(`mutation { createAreas(input: [{externalId: "a", name: "A"}]) { id } }`, nil, &a)
	ida := a.CreateAreas[0].ID
	e.ok(`mutation($p: ID) { createAreas(input: [{externalId: "b", name: "B", parentId: $p}]) { id } }`, map[string]any{"p": ida}, &a)
	idb := a.CreateAreas[0].ID
	e.ok(`mutation($p: ID) { createAreas(input: [{externalId: "c", name: "C", parentId: $p}]) { id } }`, map[string]any{"p": idb}, &a)
	idc := a.CreateAreas[0].ID
	cases := []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"update: A in A", `mutation($a: ID) { updateAreas(input: [{id: $a, parentId: $a}]) { id } }`, map[string]any{"a": ida}, "input[0].parentId"},
		{"update: A in B (B in A)", `mutation($a: ID, $b: ID) { updateAreas(input: [{id: $a, parentId: $b}]) { id } }`,
			map[string]any{"a": ida, "b": idb}, "input[0].parentId"},
		{"update: A in C (C in B in A), after a good entry", `mutation($a: ID, $c: ID, $b: ID) { updateAreas(input: [{id: $b, name: "B renamed"}, {id: $a, parentId: $c}]) { id } }`,
			map[string]any{"a": ida, "b": idb, "c": idc}, "input[1].parentId"},
		{"create by externalId: A in C", `mutation($c: ID) { createAreas(input: [{externalId: "z", name: "Z"}, {externalId: "a", name: "A", parentId: $c}]) { id } }`,
			map[string]any{"c": idc}, "input[1].parentId"},
		{"tie: A IN C", `mutation($a: ID, $c: ID) { createTies(input: [{kind: IN, from: {id: $a}, to: {id: $c}}]) { id } }`,
			map[string]any{"a": ida, "c": idc}, "input[0].to"},
		{"tie: A IN A", `mutation($a: ID) { createTies(input: [{kind: IN, from: {id: $a}, to: {id: $a}}]) { id } }`,
			map[string]any{"a": ida}, "input[0].to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.counts()
			e.with(t).fails(c.query, c.vars, "BAD_USER_INPUT", c.field)
			if after := e.counts(); after != before {
				t.Errorf("a refused batch changed the graph: %v -> %v", before, after)
			}
			var d struct {
				Areas struct{ Nodes []struct{ Name string } }
			}
			e.with(t).ok(`{ areas(where: {name: {eq: "B renamed"}}) { nodes { name } } }`, nil, &d)
			if len(d.Areas.Nodes) != 0 {
				t.Error("the good entry of a refused batch was written")
			}
		})
	}
	// A move that makes no cycle is accepted: C out of B, then B under C.
	e.ok(`mutation($c: ID, $a: ID) { updateAreas(input: [{id: $c, parentId: $a}]) { id } }`, map[string]any{"c": idc, "a": ida}, nil)
	e.ok(`mutation($b: ID, $c: ID) { updateAreas(input: [{id: $b, parentId: $c}]) { id } }`, map[string]any{"b": idb, "c": idc}, nil)
}

// TestRebuildSearchIndexAfterErasure: the operator's step after an erasure (kith
// reindex-search) replaces the full-text index with a new one, filled from what exists
// now: online, finding the living and not the erased.
func TestRebuildSearchIndexAfterErasure(t *testing.T) {
	e := setup(t)
	var p struct {
		CreatePeople []struct{ ID string }
	}
	e.ok(`mutation { createPeople(input: [{displayName: "Quintessa Marchbanks"}, {displayName: "Rowena Marchbanks"}]) { id } }`, nil, &p)
	e.ok(`mutation($id: ID!) { erasePerson(id: $id) { people } }`, map[string]any{"id": p.CreatePeople[0].ID}, nil)
	indexID := func() (int64, string) {
		res, err := neo4j.ExecuteQuery(context.Background(), e.driver, "SHOW FULLTEXT INDEXES YIELD name, id, state WHERE name = $n RETURN id, state",
			map[string]any{"n": cypher.SearchIndex}, neo4j.EagerResultTransformer)
		if err != nil || len(res.Records) != 1 {
			t.Fatalf("show indexes: %v %v", err, res)
		}
		return res.Records[0].Values[0].(int64), res.Records[0].Values[1].(string)
	}
	before, _ := indexID()
	if err := e.store.RebuildSearchIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, state := indexID()
	if after == before || state != "ONLINE" {
		t.Errorf("index %d -> %d, %s: not rebuilt", before, after, state)
	}
	var d struct {
		Search []struct{ Node struct{ ID string } }
	}
	e.ok(`{ search(text: "marchbanks") { node { id } } }`, nil, &d)
	if len(d.Search) != 1 || d.Search[0].Node.ID != p.CreatePeople[1].ID {
		t.Errorf("search after the rebuild: %+v, want only Rowena", d.Search)
	}
}
