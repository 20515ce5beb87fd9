package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/cypher"
	"kith/server"
)

// world is the fixture of the access tests: two areas apart (Eccles, with Barton inside
// it, and Winton), three people, and three groups, two of them sensitive.
//
//	Moira  Barton  consent: analysis, contact, wellbeing   Knit and Natter, Dementia Café
//	Ned    Barton  no consent recorded                      (none)
//	Wendy  Winton  consent: analysis, suggestions           Winton Memory Club
type world struct {
	eccles, barton, winton string
	moira, ned, wendy      string
	knit, dementia, memory string
}

func (e *env) world() world {
	e.t.Helper()
	var w world
	var a struct {
		CreateAreas []struct{ ID string } `json:"createAreas"`
	}
	e.ok(`mutation { createAreas(input: [{externalId: "eccles", name: "Eccles"}, {externalId: "winton", name: "Winton"}]) { id } }`, nil, &a)
	w.eccles, w.winton = a.CreateAreas[0].ID, a.CreateAreas[1].ID
	e.ok(`mutation($p: ID) { createAreas(input: [{externalId: "barton", name: "Barton", parentId: $p}]) { id } }`, map[string]any{"p": w.eccles}, &a)
	w.barton = a.CreateAreas[0].ID
	consent := func(purposes ...string) map[string]any {
		c := map[string]any{}
		for _, p := range purposes {
			c[p] = map[string]any{"given": true, "how": "paper form", "at": "2025-01-10T10:00:00Z"}
		}
		return c
	}
	var p struct {
		CreatePeople []struct{ ID string } `json:"createPeople"`
	}
	e.ok(`mutation($in: [PersonInput!]!) { createPeople(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"externalId": "moira", "displayName": "Moira Barton", "pseudonym": "R-000001", "contact": "0161 000 0001", "wellbeing": 21,
			"areaId": w.barton, "consent": consent("analysis", "contact", "wellbeing")},
		{"externalId": "ned", "displayName": "Ned Barton", "pseudonym": "R-000002", "contact": "0161 000 0002", "wellbeing": 14, "areaId": w.barton},
		{"externalId": "wendy", "displayName": "Wendy Winton", "pseudonym": "R-000003", "contact": "0161 000 0003", "wellbeing": 30,
			"areaId": w.winton, "consent": consent("analysis", "suggestions")},
	}}, &p)
	w.moira, w.ned, w.wendy = p.CreatePeople[0].ID, p.CreatePeople[1].ID, p.CreatePeople[2].ID
	var g struct {
		CreateGroups []struct{ ID string } `json:"createGroups"`
	}
	e.ok(`mutation($b: ID, $w: ID) { createGroups(input: [
	  {externalId: "knit", name: "Knit and Natter", areaId: $b},
	  {externalId: "dementia", name: "Dementia Café", sensitive: true, areaId: $b},
	  {externalId: "memory", name: "Winton Memory Club", sensitive: true, areaId: $w}]) { id } }`,
		map[string]any{"b": w.barton, "w": w.winton}, &g)
	w.knit, w.dementia, w.memory = g.CreateGroups[0].ID, g.CreateGroups[1].ID, g.CreateGroups[2].ID
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"kind": "MEMBER_OF", "from": map[string]any{"id": w.moira}, "to": map[string]any{"id": w.knit}},
		{"kind": "MEMBER_OF", "from": map[string]any{"id": w.moira}, "to": map[string]any{"id": w.dementia}},
		{"kind": "MEMBER_OF", "from": map[string]any{"id": w.wendy}, "to": map[string]any{"id": w.memory}},
		{"kind": "KNOWS", "from": map[string]any{"id": w.moira}, "to": map[string]any{"id": w.wendy}},
		{"kind": "KNOWS", "from": map[string]any{"id": w.ned}, "to": map[string]any{"id": w.moira}},
	}}, nil)
	return w
}

// caller is one row of the role matrix: who sends the request.
type caller struct {
	name  string
	role  auth.Role
	areas func(world) []string
}

var callers = []caller{
	{"no token", "", nil},
	{"admin", auth.Admin, nil},
	{"worker (Eccles)", auth.Worker, func(w world) []string { return []string{w.eccles} }},
	{"worker (Winton)", auth.Worker, func(w world) []string { return []string{w.winton} }},
	{"analyst", auth.Analyst, nil},
	{"partner", auth.Partner, nil},
	{"researcher", auth.Researcher, nil},
}

func (e *env) asCaller(c caller, w world) *env {
	var areas []string
	if c.areas != nil {
		areas = c.areas(w)
	}
	return e.as(c.role, areas...)
}

// rawDo posts a GraphQL request and returns the HTTP status and the response.
func (e *env) rawDo(query string, vars map[string]any) (int, gqlResponse) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return e.postRaw(body)
}

type personView struct {
	ID          string
	DisplayName *string
	Pseudonym   *string
	Contact     *string
	Wellbeing   *int
	Memberships []struct{ Group struct{ Name string } }
	Ties        []struct {
		Kind  string
		Other struct{ ID string }
	}
}

// TestAccessMatrix checks every cell of the role matrix in README.md's "Access" section:
// for each operation, what each caller gets. A cell is "ok" with a check of the data, or
// the error code the caller must get.
func TestAccessMatrix(t *testing.T) {
	e := setup(t)
	w := e.world()
	// Analysts see ids of their own: name reads both kinds.
	pa := func(id string) string { return analystID(t, id) }
	name := func(id string) string {
		return map[string]string{w.moira: "Moira", w.ned: "Ned", w.wendy: "Wendy",
			pa(w.moira): "Moira", pa(w.ned): "Ned", pa(w.wendy): "Wendy"}[id]
	}
	str := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	peopleQ := `{ people { totalCount nodes { id displayName pseudonym contact wellbeing } } }`
	type peopleData struct {
		People struct {
			TotalCount int
			Nodes      []personView
		}
	}
	// summary renders people as "Moira:name/contact/wellbeing" in the caller's view.
	summary := func(nodes []personView) string {
		var out []string
		for _, p := range nodes {
			out = append(out, fmt.Sprintf("%s:%s/%s/%s", name(p.ID), str(p.DisplayName), str(p.Contact),
				map[bool]string{true: "wb", false: "-"}[p.Wellbeing != nil]))
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}

	type cell struct {
		// code is the error code expected; "" means success, checked by check.
		code  string
		check func(t *testing.T, data json.RawMessage)
	}
	ok := func(check func(t *testing.T, data json.RawMessage)) cell { return cell{check: check} }
	no := func(code string) cell { return cell{code: code} }
	unauth, forbidden := no("UNAUTHENTICATED"), no("FORBIDDEN")
	peopleAre := func(want string) cell {
		return ok(func(t *testing.T, data json.RawMessage) {
			var d peopleData
			_ = json.Unmarshal(data, &d)
			if got := summary(d.People.Nodes); got != want {
				t.Errorf("people:\n got %s\nwant %s", got, want)
			}
		})
	}
	membershipsAre := func(want string) cell {
		return ok(func(t *testing.T, data json.RawMessage) {
			var d peopleData
			_ = json.Unmarshal(data, &d)
			var out []string
			for _, p := range d.People.Nodes {
				for _, m := range p.Memberships {
					out = append(out, name(p.ID)+"→"+m.Group.Name)
				}
				for _, tie := range p.Ties {
					if tie.Kind == "MEMBER_OF" {
						out = append(out, name(p.ID)+"⇢"+tie.Other.ID[:4])
					}
				}
			}
			slices.Sort(out)
			if got := strings.Join(out, " "); got != want {
				t.Errorf("memberships:\n got %s\nwant %s", got, want)
			}
		})
	}
	count := func(path string, want int) cell {
		return ok(func(t *testing.T, data json.RawMessage) {
			var d map[string]any
			_ = json.Unmarshal(data, &d)
			var v any = d
			for _, k := range strings.Split(path, ".") {
				v = v.(map[string]any)[k]
			}
			var n int
			switch x := v.(type) {
			case []any:
				n = len(x)
			case float64:
				n = int(x)
			case nil:
				n = 0
			}
			if n != want {
				t.Errorf("%s = %d, want %d", path, n, want)
			}
		})
	}
	done := ok(nil)

	ops := []struct {
		name  string
		query string
		vars  map[string]any
		// cells by caller name; every caller must have one.
		cells map[string]cell
	}{
		{"list people: names, contacts, wellbeing", peopleQ, nil, map[string]cell{
			"no token":        unauth,
			"admin":           peopleAre("Moira:Moira Barton/0161 000 0001/wb Ned:Ned Barton/0161 000 0002/wb Wendy:Wendy Winton/0161 000 0003/wb"),
			"worker (Eccles)": peopleAre("Moira:Moira Barton/0161 000 0001/wb Ned:Ned Barton/null/-"),
			"worker (Winton)": peopleAre("Wendy:Wendy Winton/null/-"),
			// Analysts get pseudonyms of their own, not the stored ones workers see.
			"analyst":    peopleAre(fmt.Sprintf("Moira:%s/null/- Wendy:%s/null/-", analystName(t, w.moira), analystName(t, w.wendy))),
			"partner":    forbidden,
			"researcher": forbidden,
		}},
		{"node by id outside a worker's areas", `query($id: ID!) { node(id: $id) { id ... on Person { displayName } } }`,
			map[string]any{"id": w.wendy}, map[string]cell{
				"no token":        unauth,
				"admin":           count("node.id", 0), // a string, not counted: present
				"worker (Eccles)": ok(func(t *testing.T, d json.RawMessage) { mustBe(t, d, `{"node":null}`) }),
				"worker (Winton)": ok(func(t *testing.T, d json.RawMessage) { mustContain(t, d, "Wendy Winton") }),
				"analyst": ok(func(t *testing.T, d json.RawMessage) {
					mustContain(t, d, analystName(t, w.wendy))
					mustNotContain(t, d, "Wendy")
					mustNotContain(t, d, "R-000003")
				}),
				"partner":    forbidden,
				"researcher": forbidden,
			}},
		{"nodes without analysis consent", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
			map[string]any{"ids": []string{w.ned, w.knit}}, map[string]cell{
				"no token":        unauth,
				"admin":           ok(func(t *testing.T, d json.RawMessage) { mustContain(t, d, w.ned) }),
				"worker (Eccles)": ok(func(t *testing.T, d json.RawMessage) { mustContain(t, d, w.ned) }),
				"worker (Winton)": ok(func(t *testing.T, d json.RawMessage) { mustNotContain(t, d, w.ned); mustContain(t, d, w.knit) }),
				"analyst": ok(func(t *testing.T, d json.RawMessage) {
					mustNotContain(t, d, pa(w.ned))
					mustContain(t, d, pa(w.knit))
					mustNotContain(t, d, w.knit)
				}),
				"partner":    forbidden,
				"researcher": forbidden,
			}},
		{"search by name", `{ search(text: "moira") { node { id } } }`, nil, map[string]cell{
			"no token":        unauth,
			"admin":           count("search", 1),
			"worker (Eccles)": count("search", 1),
			"worker (Winton)": count("search", 0),
			"analyst":         count("search", 0), // names are not searched for analysts
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"suggestions for a person who consented", `query($id: ID!) { suggestions(person: $id) { name knownMembers } }`,
			map[string]any{"id": w.wendy}, map[string]cell{
				// Knit and Natter, through Moira; not the sensitive Dementia Café she also attends.
				"no token": unauth,
				"admin": ok(func(t *testing.T, d json.RawMessage) {
					mustBe(t, d, `{"suggestions":[{"name":"Knit and Natter","knownMembers":1}]}`)
				}),
				"worker (Eccles)": no("NOT_FOUND"),
				"worker (Winton)": count("suggestions", 1),
				"analyst":         forbidden,
				"partner": ok(func(t *testing.T, d json.RawMessage) {
					mustBe(t, d, `{"suggestions":[{"name":"Knit and Natter","knownMembers":1}]}`)
				}),
				"researcher": forbidden,
			}},
		{"event suggestions for a person who consented, by externalId", `{ eventSuggestions(externalId: "wendy") { title } }`, nil, map[string]cell{
			// The world has no events: the cells are who may ask (TestEventSuggestions ranks).
			"no token":        unauth,
			"admin":           count("eventSuggestions", 0),
			"worker (Eccles)": no("NOT_FOUND"),
			"worker (Winton)": count("eventSuggestions", 0),
			"analyst":         forbidden,
			"partner":         count("eventSuggestions", 0),
			"researcher":      forbidden,
		}},
		{"suggestions for a person who did not consent", `query($id: ID!) { suggestions(person: $id) { name } }`,
			map[string]any{"id": w.moira}, map[string]cell{
				"no token":        unauth,
				"admin":           no("NOT_FOUND"),
				"worker (Eccles)": no("NOT_FOUND"),
				"worker (Winton)": no("NOT_FOUND"),
				"analyst":         forbidden,
				"partner":         no("NOT_FOUND"),
				"researcher":      forbidden,
			}},
		{"memberships and MEMBER_OF ties", `{ people { nodes { id memberships { group { name } } ties(kinds: [MEMBER_OF]) { kind other { id } } } } }`, nil, map[string]cell{
			"no token": unauth,
			"admin": membershipsAre("Moira→Dementia Café Moira→Knit and Natter Moira⇢grp_ Moira⇢grp_ " +
				"Wendy→Winton Memory Club Wendy⇢grp_"),
			"worker (Eccles)": membershipsAre("Moira→Dementia Café Moira→Knit and Natter Moira⇢grp_ Moira⇢grp_"),
			"worker (Winton)": membershipsAre("Wendy→Winton Memory Club Wendy⇢grp_"),
			"analyst":         membershipsAre("Moira→Knit and Natter Moira⇢grp_"),
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"members of a sensitive group", `query($id: ID!) { node(id: $id) { ... on Group { members { person { id } } } } }`,
			map[string]any{"id": w.dementia}, map[string]cell{
				"no token":        unauth,
				"admin":           count("node.members", 1),
				"worker (Eccles)": count("node.members", 1),
				"worker (Winton)": count("node.members", 0),
				"analyst":         count("node.members", 0),
				"partner":         forbidden,
				"researcher":      forbidden,
			}},
		{"groups filtered by a member of a sensitive group", `query($m: ID) { groups(where: {members: {some: {id: {eq: $m}}}}) { totalCount } }`, map[string]any{"m": w.moira}, map[string]cell{
			"no token":        unauth,
			"admin":           count("groups.totalCount", 2),
			"worker (Eccles)": count("groups.totalCount", 2),
			"worker (Winton)": count("groups.totalCount", 0),
			"analyst":         count("groups.totalCount", 1),
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"filter people by name", `{ people(where: {displayName: {startsWith: "M"}}) { totalCount } }`, nil, map[string]cell{
			"no token":        unauth,
			"admin":           count("people.totalCount", 1),
			"worker (Eccles)": count("people.totalCount", 1),
			"worker (Winton)": count("people.totalCount", 0),
			"analyst":         forbidden,
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"order people by wellbeing", `{ people(orderBy: [{field: WELLBEING}]) { totalCount } }`, nil, map[string]cell{
			"no token":        unauth,
			"admin":           count("people.totalCount", 3),
			"worker (Eccles)": count("people.totalCount", 2),
			"worker (Winton)": count("people.totalCount", 1),
			"analyst":         forbidden,
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"wellbeing summary (k = 5)", `{ wellbeingSummary { people scored mean suppressed noise { epsilon } } }`, nil, map[string]cell{
			"no token": unauth,
			"admin": ok(func(t *testing.T, d json.RawMessage) {
				mustBe(t, d, `{"wellbeingSummary":{"people":3,"scored":3,"mean":null,"suppressed":true,"noise":null}}`)
			}),
			"worker (Eccles)": ok(func(t *testing.T, d json.RawMessage) {
				mustBe(t, d, `{"wellbeingSummary":{"people":2,"scored":1,"mean":null,"suppressed":true,"noise":null}}`)
			}),
			"worker (Winton)": ok(func(t *testing.T, d json.RawMessage) {
				mustBe(t, d, `{"wellbeingSummary":{"people":1,"scored":0,"mean":null,"suppressed":true,"noise":null}}`)
			}),
			// Two consenting people, with noise that spends the analyst's budget.
			"analyst":    ok(noisyWellbeing("wellbeingSummary", 2)),
			"partner":    forbidden,
			"researcher": forbidden,
		}},
		{"network summary's wellbeing", `{ networkSummary { wellbeing { people scored mean suppressed noise { epsilon } } } }`, nil, map[string]cell{
			"no token": unauth,
			"admin": ok(func(t *testing.T, d json.RawMessage) {
				mustBe(t, d, `{"networkSummary":{"wellbeing":{"people":3,"scored":3,"mean":null,"suppressed":true,"noise":null}}}`)
			}),
			"worker (Eccles)": ok(func(t *testing.T, d json.RawMessage) {
				mustBe(t, d, `{"networkSummary":{"wellbeing":{"people":2,"scored":1,"mean":null,"suppressed":true,"noise":null}}}`)
			}),
			"worker (Winton)": ok(func(t *testing.T, d json.RawMessage) {
				mustBe(t, d, `{"networkSummary":{"wellbeing":{"people":1,"scored":0,"mean":null,"suppressed":true,"noise":null}}}`)
			}),
			"analyst":    ok(noisyWellbeing("networkSummary.wellbeing", 2)),
			"partner":    forbidden,
			"researcher": forbidden,
		}},
		{"privacy budget", `{ privacyBudget { perSummary limit } }`, nil, map[string]cell{
			"no token":        unauth,
			"admin":           ok(func(t *testing.T, d json.RawMessage) { mustBe(t, d, `{"privacyBudget":null}`) }),
			"worker (Eccles)": ok(func(t *testing.T, d json.RawMessage) { mustBe(t, d, `{"privacyBudget":null}`) }),
			"worker (Winton)": ok(func(t *testing.T, d json.RawMessage) { mustBe(t, d, `{"privacyBudget":null}`) }),
			"analyst":         ok(func(t *testing.T, d json.RawMessage) { mustBe(t, d, `{"privacyBudget":{"perSummary":1,"limit":10}}`) }),
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"create a person in Barton", `mutation($a: ID) { createPeople(input: [{displayName: "New Neighbour", areaId: $a}]) { id } }`,
			map[string]any{"a": ""}, map[string]cell{
				"no token":        unauth,
				"admin":           done,
				"worker (Eccles)": done,
				"worker (Winton)": forbidden,
				"analyst":         forbidden,
				"partner":         forbidden,
				"researcher":      forbidden,
			}},
		{"create a person in no area", `mutation { createPeople(input: [{displayName: "Nowhere"}]) { id } }`, nil, map[string]cell{
			"no token":        unauth,
			"admin":           done,
			"worker (Eccles)": forbidden,
			"worker (Winton)": forbidden,
			"analyst":         forbidden,
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"create by the externalId of someone in Winton", `mutation($a: ID) { createPeople(input: [{externalId: "wendy", displayName: "Overwritten", areaId: $a}]) { id } }`,
			map[string]any{"a": ""}, map[string]cell{
				"no token":        unauth,
				"admin":           no("SKIP"), // would move Wendy: not run for admin
				"worker (Eccles)": forbidden,
				"worker (Winton)": no("SKIP"),
				"analyst":         forbidden,
				"partner":         forbidden,
				"researcher":      forbidden,
			}},
		{"update someone in Winton", `mutation($id: ID) { updatePeople(input: [{id: $id, householdType: "single"}]) { id } }`,
			map[string]any{"id": w.wendy}, map[string]cell{
				"no token":        unauth,
				"admin":           done,
				"worker (Eccles)": forbidden,
				"worker (Winton)": done,
				"analyst":         forbidden,
				"partner":         forbidden,
				"researcher":      forbidden,
			}},
		{"move someone out of a worker's areas", `mutation($id: ID, $a: ID) { updatePeople(input: [{id: $id, areaId: $a}]) { id } }`,
			map[string]any{"id": w.ned, "a": w.winton}, map[string]cell{
				"no token":        unauth,
				"admin":           no("SKIP"),
				"worker (Eccles)": forbidden,
				"worker (Winton)": forbidden,
				"analyst":         forbidden,
				"partner":         forbidden,
				"researcher":      forbidden,
			}},
		{"delete someone in Winton", `mutation($id: ID!) { deletePeople(ids: [$id]) { count } }`,
			map[string]any{"id": w.wendy}, map[string]cell{
				"no token":        unauth,
				"admin":           no("SKIP"),
				"worker (Eccles)": forbidden,
				"worker (Winton)": no("SKIP"),
				"analyst":         forbidden,
				"partner":         forbidden,
				"researcher":      forbidden,
			}},
		{"tie to someone in Winton", `mutation($a: ID, $b: ID) { createTies(input: [{kind: TRUSTS, for: HELP, from: {id: $a}, to: {id: $b}}]) { id } }`,
			map[string]any{"a": w.moira, "b": w.wendy}, map[string]cell{
				"no token":        unauth,
				"admin":           done,
				"worker (Eccles)": forbidden,
				"worker (Winton)": forbidden,
				"analyst":         forbidden,
				"partner":         forbidden,
				"researcher":      forbidden,
			}},
		{"remove a tie to someone in Winton", `mutation($a: ID, $b: ID) { removeTies(input: [{kind: KNOWS, from: {id: $a}, to: {id: $b}}]) { count } }`,
			map[string]any{"a": w.moira, "b": w.wendy}, map[string]cell{
				"no token":        unauth,
				"admin":           no("SKIP"),
				"worker (Eccles)": forbidden,
				"worker (Winton)": forbidden,
				"analyst":         forbidden,
				"partner":         forbidden,
				"researcher":      forbidden,
			}},
		{"create a group", `mutation { createGroups(input: [{name: "Walking Group"}]) { id } }`, nil, map[string]cell{
			"no token":        unauth,
			"admin":           done,
			"worker (Eccles)": done,
			"worker (Winton)": done,
			"analyst":         forbidden,
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"create an area", `mutation { createAreas(input: [{name: "Monton"}]) { id } }`, nil, map[string]cell{
			"no token":        unauth,
			"admin":           done,
			"worker (Eccles)": forbidden,
			"worker (Winton)": forbidden,
			"analyst":         forbidden,
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
		{"erase a person", `mutation($id: ID!) { erasePerson(id: $id) { people } }`, map[string]any{"id": w.ned}, map[string]cell{
			"no token":        unauth,
			"admin":           no("SKIP"), // TestErasure
			"worker (Eccles)": forbidden,
			"worker (Winton)": forbidden,
			"analyst":         forbidden,
			"partner":         forbidden,
			"researcher":      forbidden,
		}},
	}
	for i := range ops {
		if _, ok := ops[i].vars["a"]; ok && ops[i].vars["a"] == "" {
			ops[i].vars["a"] = w.barton
		}
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			for _, c := range callers {
				want, ok := op.cells[c.name]
				if !ok {
					t.Fatalf("no cell for %s", c.name)
				}
				if want.code == "SKIP" {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					e := e.with(t).asCaller(c, w)
					before := e.counts()
					vars := op.vars
					if c.role == auth.Analyst || c.role == auth.Researcher {
						vars = pseudonymousVars(t, c.role, vars) // the only ids they hold
					}
					status, r := e.rawDo(op.query, vars)
					if want.code == "" {
						if len(r.Errors) > 0 {
							t.Fatalf("refused: %+v", r.Errors)
						}
						if want.check != nil {
							want.check(t, r.Data)
						}
						return
					}
					if len(r.Errors) == 0 {
						t.Fatalf("expected %s, got %s", want.code, r.Data)
					}
					if got := r.Errors[0].Extensions["code"]; got != want.code {
						t.Fatalf("expected %s, got %+v", want.code, r.Errors)
					}
					if r.Errors[0].Message == "" {
						t.Error("no reason given")
					}
					if want.code == "UNAUTHENTICATED" && status != http.StatusUnauthorized {
						t.Errorf("HTTP %d, want 401", status)
					}
					if after := e.counts(); after != before {
						t.Errorf("a refused request changed the graph: %v -> %v", before, after)
					}
					if strings.Contains(string(r.Data), "Barton") || strings.Contains(string(r.Data), "Winton") {
						t.Errorf("a refused request sent data: %s", r.Data)
					}
				})
			}
		})
	}
}

// pseudonymousVars returns vars with every id in them as role sees it.
func pseudonymousVars(t *testing.T, role auth.Role, vars map[string]any) map[string]any {
	keys := testPseudonyms(t)
	out := make(map[string]any, len(vars))
	for k, v := range vars {
		switch v := v.(type) {
		case string:
			out[k] = keys.Encode(string(role), v)
		case []string:
			ids := make([]string, len(v))
			for i, id := range v {
				ids[i] = keys.Encode(string(role), id)
			}
			out[k] = ids
		default:
			out[k] = v
		}
	}
	return out
}

func mustBe(t *testing.T, d json.RawMessage, want string) {
	t.Helper()
	var a, b any
	_ = json.Unmarshal(d, &a)
	_ = json.Unmarshal([]byte(want), &b)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("got %s, want %s", ja, jb)
	}
}

func mustContain(t *testing.T, d json.RawMessage, s string) {
	t.Helper()
	if !strings.Contains(string(d), s) {
		t.Errorf("%s does not contain %q", d, s)
	}
}

func mustNotContain(t *testing.T, d json.RawMessage, s string) {
	t.Helper()
	if strings.Contains(string(d), s) {
		t.Errorf("%s contains %q", d, s)
	}
}

// noisyWellbeing is the access matrix's cell for an analyst's wellbeing summary at path:
// the people counted exactly, the rest with noise of the default ε (1).
func noisyWellbeing(path string, people int) func(t *testing.T, d json.RawMessage) {
	return func(t *testing.T, d json.RawMessage) {
		var v any
		_ = json.Unmarshal(d, &v)
		for _, k := range strings.Split(path, ".") {
			v = v.(map[string]any)[k]
		}
		var w struct {
			People, Scored int
			Mean           *float64
			Noise          *struct{ Epsilon float64 }
		}
		raw, _ := json.Marshal(v)
		_ = json.Unmarshal(raw, &w)
		if w.People != people || w.Scored < 0 || w.Noise == nil || w.Noise.Epsilon != 1 || (w.Mean != nil && (*w.Mean < 7 || *w.Mean > 35)) {
			t.Errorf("%s: %s, want %d people and noise of ε 1", path, raw, people)
		}
	}
}

// TestWellbeingAggregateThreshold checks that the aggregate appears once the group
// reaches k, and that k is configurable.
func TestWellbeingAggregateThreshold(t *testing.T) {
	e := setupWith(t, func(c *server.Config) { c.MinGroup = 2 })
	w := e.world()
	var d struct {
		WellbeingSummary struct {
			People, Scored, MinGroup int
			Mean                     *float64
			Suppressed               bool
			Noise                    *struct{ Epsilon float64 }
		}
	}
	// Exact for an admin: Moira 21, Ned 14, Wendy 30.
	e.ok(`{ wellbeingSummary { people scored mean suppressed minGroup noise { epsilon } } }`, nil, &d)
	if s := d.WellbeingSummary; s.Suppressed || s.Mean == nil || !near(*s.Mean, 65.0/3) || s.MinGroup != 2 || s.Noise != nil {
		t.Errorf("admin summary with k=2: %+v", s)
	}
	e.ok(`{ wellbeingSummary(where: {pseudonym: {eq: "R-000001"}}) { people scored mean suppressed minGroup } }`, nil, &d)
	if s := d.WellbeingSummary; !s.Suppressed || s.Mean != nil || s.Scored != 1 {
		t.Errorf("one person's wellbeing was shown: %+v", s)
	}
	// An analyst's summary of one person carries noise (the adversarial tests measure it).
	e.as(auth.Analyst).ok(`query($id: ID) { wellbeingSummary(where: {id: {eq: $id}}) { people scored mean suppressed minGroup noise { epsilon } } }`,
		map[string]any{"id": analystID(t, w.moira)}, &d)
	if s := d.WellbeingSummary; s.People != 1 || s.MinGroup != 2 || s.Noise == nil {
		t.Errorf("an analyst's summary of one person: %+v", s)
	}
	e.as(auth.Analyst).fails(`{ wellbeingSummary(where: {wellbeing: {gte: 20}}) { mean } }`, nil, "FORBIDDEN", "where.wellbeing")
}

// TestConsentRoundTrip records consent, reads it back, and removes one purpose.
func TestConsentRoundTrip(t *testing.T) {
	e := setup(t)
	w := e.world()
	type grant struct {
		Given bool
		At    *string
		How   *string
	}
	var d struct {
		Node struct {
			Consent struct{ Analysis, Suggestions, Contact, Wellbeing *grant }
		}
	}
	q := `query($id: ID!) { node(id: $id) { ... on Person { consent { analysis { given at how } suggestions { given at how } contact { given } wellbeing { given } } } } }`
	e.ok(q, map[string]any{"id": w.moira}, &d)
	c := d.Node.Consent
	if c.Analysis == nil || !c.Analysis.Given || *c.Analysis.How != "paper form" || *c.Analysis.At != "2025-01-10T10:00:00Z" || c.Suggestions != nil || c.Contact == nil {
		t.Fatalf("consent: %+v", c)
	}
	e.ok(`mutation($id: ID) { updatePeople(input: [{id: $id, consent: {analysis: {given: false, how: "withdrawn by phone"}, contact: null}}]) { id } }`,
		map[string]any{"id": w.moira}, nil)
	e.ok(q, map[string]any{"id": w.moira}, &d)
	c = d.Node.Consent
	if c.Analysis == nil || c.Analysis.Given || *c.Analysis.How != "withdrawn by phone" || c.Contact != nil || c.Wellbeing == nil {
		t.Fatalf("consent after update: %+v", c)
	}
	// Withdrawn: analysts no longer see her.
	var p struct{ People struct{ TotalCount int } }
	e.as(auth.Analyst).ok(`{ people { totalCount } }`, nil, &p)
	if p.People.TotalCount != 1 {
		t.Errorf("analyst sees %d people after a withdrawal, want 1", p.People.TotalCount)
	}
	e.fails(`mutation { createPeople(input: [{consent: {analysis: {given: true, how: ""}}}]) { id } }`, nil, "BAD_USER_INPUT", "input[0].consent.analysis.how")
}

// TestIntrospection: only admins, or every caller in development mode.
func TestIntrospection(t *testing.T) {
	const q = `{ __schema { queryType { name } } }`
	e := setup(t)
	e.ok(q, nil, nil)
	e.as(auth.Worker, "area_x").fails(q, nil, "FORBIDDEN", "")
	e.as(auth.Analyst).fails(q, nil, "FORBIDDEN", "")
	dev := setupWith(t, func(c *server.Config) { c.Introspection = true })
	dev.as(auth.Analyst).ok(q, nil, nil)
	if _, r := dev.as("").rawDo(q, nil); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("introspection without a token: %+v", r)
	}
}

// TestBadTokens sends every kind of bad token; each is refused with 401, UNAUTHENTICATED
// and a reason, and the log never holds the token.
func TestBadTokens(t *testing.T) {
	e := setup(t)
	now := time.Now()
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "someone", "iss": testIssuer, "aud": testAudience, "iat": now.Unix(),
			"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "roles": []string{"admin"}}
		if edit != nil {
			edit(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	none := func(c jwt.MapClaims) string {
		h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
		b, _ := json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(b) + "."
	}
	rsaServer := setupWith(t, func(c *server.Config) {
		v, err := auth.NewVerifier(auth.Config{PublicKeyPEM: rsaPEM, Issuer: testIssuer, Audience: testAudience})
		if err != nil {
			t.Fatal(err)
		}
		c.Verifier = v
	})
	cases := []struct {
		name, header string
		on           *env
		reason       string
	}{
		{"no header", "", e, "bearer token is required"},
		{"not bearer", "Basic dXNlcjpwYXNz", e, "Bearer <token>"},
		{"empty bearer", "Bearer ", e, "Bearer <token>"},
		{"expired", "Bearer " + sign(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })), e, "expired"},
		{"not yet valid", "Bearer " + sign(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() })), e, "not valid yet"},
		{"wrongly signed", "Bearer " + sign(jwt.SigningMethodHS256, []byte("not-the-secret-not-the-secret-!!"), claims(nil)), e, "signature is invalid"},
		{"wrong audience", "Bearer " + sign(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["aud"] = "another-api" })), e, "audience"},
		{"wrong issuer", "Bearer " + sign(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["iss"] = "someone-else" })), e, "issuer"},
		{"malformed", "Bearer this.is.not-a-jwt", e, "malformed"},
		{"oversized", "Bearer " + sign(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 9000) })), e, "longer than"},
		{"role claim of the wrong type", "Bearer " + sign(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["roles"] = "admin" })), e, "roles claim must be an array"},
		{"unknown role", "Bearer " + sign(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["roles"] = []string{"root"} })), e, "unknown role"},
		{"alg none", "Bearer " + none(claims(nil)), e, "algorithm"},
		{"HS256 signed with the RSA public key", "Bearer " + sign(jwt.SigningMethodHS256, rsaPEM, claims(nil)), rsaServer, "algorithm"},
		{"alg none on an RSA server", "Bearer " + none(claims(nil)), rsaServer, "algorithm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, c.on.srv.URL+"/graphql", strings.NewReader(`{"query":"{ people { totalCount } }"}`))
			req.Header.Set("Content-Type", "application/json")
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var r gqlResponse
			raw, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("body is not GraphQL-shaped JSON: %s", raw)
			}
			if resp.StatusCode != http.StatusUnauthorized || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Fatalf("HTTP %d %s", resp.StatusCode, raw)
			}
			if !strings.Contains(r.Errors[0].Message, c.reason) {
				t.Errorf("reason %q does not say %q", r.Errors[0].Message, c.reason)
			}
			if r.Data != nil && string(r.Data) != "null" {
				t.Errorf("data sent: %s", r.Data)
			}
			if tok := strings.TrimPrefix(c.header, "Bearer "); len(tok) > 16 && strings.Contains(c.on.logs.String(), tok[len(tok)-16:]) {
				t.Error("the log holds the token")
			}
		})
	}
	// A good RS256 token is accepted by the RSA server.
	rsaServer.token = sign(jwt.SigningMethodRS256, rsaKey, claims(nil))
	rsaServer.ok(`{ people { totalCount } }`, nil, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(e.srv.URL + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%s without a token: %v %v", path, resp, err)
		}
	}
}

// TestLimits: depth, cost and the per-token rate limit.
func TestLimits(t *testing.T) {
	e := setupWith(t, func(c *server.Config) { c.MaxDepth = 8 })
	deep := `{ people { nodes { memberships { group { members { person { memberships { group { members { person { id } } } } } } } } } } }`
	got := e.fails(deep, nil, "BAD_USER_INPUT", "")
	if !strings.Contains(got.Message, "deep") {
		t.Errorf("depth refusal: %s", got.Message)
	}
	e.ok(`{ people { nodes { memberships { group { name } } } } }`, nil, nil)
	costly := `{ people(first: 100) { nodes { ties(first: 500) { other { ... on Person { memberships(first: 500) { role } } } } } } }`
	got = e.fails(costly, nil, "BAD_USER_INPUT", "")
	if !strings.Contains(got.Message, "complexity") {
		t.Errorf("cost refusal: %s", got.Message)
	}
	e.ok(`{ people(first: 100) { nodes { ties(first: 5) { kind } } } }`, nil, nil)

	limited := setupWith(t, func(c *server.Config) { c.RateLimit, c.RateBurst = 0.5, 3 })
	for i := 0; i < 3; i++ {
		limited.ok(`{ people { totalCount } }`, nil, nil)
	}
	status, r := limited.rawDo(`{ people { totalCount } }`, nil)
	if status != http.StatusTooManyRequests || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAVAILABLE" {
		t.Errorf("over the rate limit: HTTP %d %+v", status, r)
	}
	// Another token has its own bucket.
	limited.as(auth.Analyst).ok(`{ people { totalCount } }`, nil, nil)
}

// auditEvents waits until at least n audit records of the kind exist and returns them.
func (e *env) auditEvents(kind string, n int) []cypher.AuditEvent {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		all, err := e.store.AuditEvents(context.Background(), 1000)
		if err != nil {
			e.t.Fatal(err)
		}
		var out []cypher.AuditEvent
		for _, ev := range all {
			if ev.Kind == kind {
				out = append(out, ev)
			}
		}
		if len(out) >= n || time.Now().After(deadline) {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAudit: writes are recorded in their transaction, sensitive reads after the
// response, and no record holds a name or a value.
func TestAudit(t *testing.T) {
	e := setup(t)
	w := e.world()
	worker := e.as(auth.Worker, w.eccles)
	var c struct {
		CreatePeople []struct{ ID string } `json:"createPeople"`
	}
	worker.ok(`mutation($a: ID) { createPeople(input: [{displayName: "Audrey Audit", contact: "audrey@example.org", areaId: $a}]) { id } }`,
		map[string]any{"a": w.barton}, &c)
	writes := e.auditEvents("write", 1)
	var mine *cypher.AuditEvent
	for i, ev := range writes {
		if ev.Subject == "test-worker" {
			mine = &writes[i]
		}
	}
	if mine == nil || mine.Operation != "mutation createPeople" || !slices.Contains(mine.IDs, c.CreatePeople[0].ID) || mine.At.IsZero() {
		t.Fatalf("write record: %+v", mine)
	}
	// A refused write leaves no record.
	before := len(e.auditEvents("write", 0))
	worker.fails(`mutation($id: ID!) { deletePeople(ids: [$id]) { count } }`, map[string]any{"id": w.wendy}, "FORBIDDEN", "ids[0]")
	if got := len(e.auditEvents("write", 0)); got != before {
		t.Errorf("a refused write was recorded: %d -> %d", before, got)
	}
	// A worker reading names and contacts is recorded; an analyst reading pseudonyms is not.
	worker.ok(`{ people { nodes { displayName contact } } }`, nil, nil)
	reads := e.auditEvents("read", 1)
	if len(reads) != 1 || reads[0].Subject != "test-worker" || reads[0].Operation != "query people" ||
		!slices.Contains(reads[0].IDs, w.moira) || slices.Contains(reads[0].IDs, w.wendy) {
		t.Fatalf("read records: %+v", reads)
	}
	e.as(auth.Analyst).ok(`{ people { nodes { displayName } } }`, nil, nil)
	e.as(auth.Worker, w.eccles).ok(`{ groups { totalCount } }`, nil, nil)
	time.Sleep(300 * time.Millisecond)
	if got := e.auditEvents("read", 1); len(got) != 1 {
		t.Errorf("reads of nothing sensitive were recorded: %+v", got)
	}
	// No record holds a name, a contact or query text.
	res, err := neo4j.ExecuteQuery(context.Background(), e.driver,
		`MATCH (a:AuditEvent)
WITH a, [k IN keys(a) | CASE WHEN a[k] IS :: LIST<ANY> THEN reduce(s = '', x IN a[k] | s + ' ' + toString(x)) ELSE toString(a[k]) END] AS values
RETURN count(a), [a IN collect(CASE WHEN any(v IN values WHERE v CONTAINS 'Audrey' OR v CONTAINS 'audrey@' OR v CONTAINS 'Moira' OR v CONTAINS 'people {') THEN a END) | a.id]`,
		nil, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Records[0].Values[0].(int64); n < 3 {
		t.Errorf("%d audit records", n)
	}
	if leaks := res.Records[0].Values[1].([]any); len(leaks) > 0 {
		t.Errorf("audit records hold personal data: %v", leaks)
	}
}

// TestErasure erases a person and then searches the whole database for anything of
// them: name, externalId, contact, id, gifts.
func TestErasure(t *testing.T) {
	e := setup(t)
	w := e.world()
	var c struct {
		CreatePeople []struct{ ID string } `json:"createPeople"`
	}
	e.ok(`mutation($a: ID) { createPeople(input: [{externalId: "zz-erase-me", displayName: "Zebedee Quillfeather", pseudonym: "R-ZZZZZZ",
	  contact: "zebedee@example.org", wellbeing: 12, areaId: $a}]) { id } }`, map[string]any{"a": w.barton}, &c)
	z := c.CreatePeople[0].ID
	var g struct {
		CreateGifts []struct{ ID string } `json:"createGifts"`
	}
	e.ok(`mutation { createGifts(input: [{kind: HANDS, description: "Zebedee fixes bicycles"}]) { id } }`, nil, &g)
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"kind": "KNOWS", "from": map[string]any{"id": z}, "to": map[string]any{"id": w.moira}},
		{"kind": "TRUSTS", "for": "HELP", "from": map[string]any{"id": w.ned}, "to": map[string]any{"id": z}},
		{"kind": "MEMBER_OF", "from": map[string]any{"id": z}, "to": map[string]any{"id": w.dementia}},
		{"kind": "OFFERS", "from": map[string]any{"id": z}, "to": map[string]any{"id": g.CreateGifts[0].ID}},
	}}, nil)
	// What a wave measured about them is theirs too.
	var wv struct{ CreateWaves []struct{ ID string } }
	e.ok(`mutation { createWaves(input: [{name: "Erasure wave"}]) { id } }`, nil, &wv)
	e.ok(`mutation($p: ID!, $w: ID!) { recordObservations(input: [{person: $p, wave: $w, method: DOORSTEP, swemwbsRaw: 12, interviewId: "zz-interview"}]) { count } }`,
		map[string]any{"p": z, "w": wv.CreateWaves[0].ID}, nil)
	// Reads and writes that name them leave audit records with their id.
	e.as(auth.Worker, w.eccles).ok(`{ people { nodes { displayName contact } } }`, nil, nil)
	e.ok(`{ search(text: "Zebedee") { node { id } } }`, nil, nil)
	// A stored analysis run lists them among its top people.
	var run struct{ RunAnalysis struct{ ID string } }
	e.ok(`mutation { runAnalysis(scope: {directed: false}, measures: [DEGREE, PAGERANK]) { id } }`, nil, &run)
	topBefore := e.runTop(run.RunAnalysis.ID)
	if !slices.ContainsFunc(topBefore["degree"], func(s string) bool { return strings.HasPrefix(s, z+" ") }) {
		t.Fatalf("the run's top list does not name them: %v", topBefore)
	}
	// Their personal calendar feed: its token stops opening it, and is gone (the search for
	// their id below reads every node).
	feed := e.issue("PERSON", z, "")
	if status, _, _ := e.getFeed(feed.Path); status != http.StatusOK {
		t.Fatalf("their feed before erasure: %d", status)
	}
	nodesBefore := e.counts()[0]

	e.as(auth.Worker, w.eccles).fails(`mutation($id: ID!) { erasePerson(id: $id) { people } }`, map[string]any{"id": z}, "FORBIDDEN", "erasePerson")
	var r struct {
		ErasePerson struct{ People, Ties, Gifts, AuditRecords, AnalysisRuns int }
	}
	e.ok(`mutation($id: ID!) { erasePerson(id: $id) { people ties gifts auditRecords analysisRuns } }`, map[string]any{"id": z}, &r)
	// Ties: LIVES_IN, KNOWS, TRUSTS, MEMBER_OF, OFFERS.
	if got := r.ErasePerson; got.People != 1 || got.Ties != 5 || got.Gifts != 1 || got.AuditRecords < 2 || got.AnalysisRuns != 1 {
		t.Errorf("erasure: %+v", got)
	}
	// The run keeps everyone else, in order, each with their own score.
	for m, ids := range topBefore {
		want := slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return strings.HasPrefix(s, z+" ") })
		if got := e.runTop(run.RunAnalysis.ID)[m]; !slices.Equal(got, want) {
			t.Errorf("top %s after erasure: %v, want %v", m, got, want)
		}
	}
	if after := e.counts()[0]; after != nodesBefore-4 {
		t.Errorf("nodes %d -> %d, want four fewer (the person, their observation, the gift and the feed token)", nodesBefore, after)
	}
	if status, _, _ := e.getFeed(feed.Path); status != http.StatusNotFound {
		t.Errorf("their feed after erasure: %d, want 404", status)
	}
	time.Sleep(200 * time.Millisecond) // let any read record of this request land
	for _, needle := range []string{"Zebedee", "Quillfeather", "zz-erase-me", "zebedee@", "R-ZZZZZZ", "zz-interview", z, g.CreateGifts[0].ID} {
		res, err := neo4j.ExecuteQuery(context.Background(), e.driver, `
CALL () { MATCH (n) WHERE any(k IN keys(n) WHERE CASE WHEN n[k] IS :: LIST<ANY> THEN any(x IN n[k] WHERE toString(x) CONTAINS $s) ELSE toString(n[k]) CONTAINS $s END) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() WHERE any(k IN keys(r) WHERE CASE WHEN r[k] IS :: LIST<ANY> THEN any(x IN r[k] WHERE toString(x) CONTAINS $s) ELSE toString(r[k]) CONTAINS $s END) RETURN count(r) AS ties }
RETURN nodes, ties`, map[string]any{"s": needle}, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		if n, r := res.Records[0].Values[0].(int64), res.Records[0].Values[1].(int64); n+r > 0 {
			t.Errorf("%q is still in %d nodes and %d ties", needle, n, r)
		}
	}
	var s struct {
		Search []struct{ Node struct{ ID string } }
	}
	e.ok(`{ search(text: "Zebedee") { node { id } } }`, nil, &s)
	if len(s.Search) != 0 {
		t.Errorf("search still finds them: %+v", s.Search)
	}
	var n struct{ Node *struct{ ID string } }
	e.ok(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": z}, &n)
	if n.Node != nil {
		t.Error("node(id:) still finds them")
	}
	erasures := e.auditEvents("erasure", 1)
	if len(erasures) != 1 || erasures[0].Subject != "test-admin" || len(erasures[0].IDs) != 0 || erasures[0].Detail["ties"] != int64(5) {
		t.Errorf("erasure record: %+v", erasures)
	}
	e.fails(`mutation($id: ID!) { erasePerson(id: $id) { people } }`, map[string]any{"id": z}, "NOT_FOUND", "id")
	e.fails(`mutation { erasePerson(id: "grp_00000000000000000000") { people } }`, nil, "BAD_USER_INPUT", "id")
}

// runTop returns the top lists stored on an analysis run, by measure, as "id score"
// entries, and checks that each list has one score per id.
func (e *env) runTop(id string) map[string][]string {
	e.t.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), e.driver, `MATCH (r:AnalysisRun {id: $id})
UNWIND r.measures AS m
RETURN m, r['top_' + m + '_ids'], r['top_' + m + '_scores']`, map[string]any{"id": id}, neo4j.EagerResultTransformer)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range res.Records {
		ids, scores := r.Values[1].([]any), r.Values[2].([]any)
		if len(ids) != len(scores) {
			e.t.Errorf("run %s, %s: %d ids and %d scores", id, r.Values[0], len(ids), len(scores))
		}
		var entries []string
		for i := range min(len(ids), len(scores)) {
			entries = append(entries, fmt.Sprintf("%s %v", ids[i], scores[i]))
		}
		out[r.Values[0].(string)] = entries
	}
	return out
}

// cypherDo posts to the read-only Cypher endpoint.
func (e *env) cypherDo(query string, params map[string]any) (int, map[string]any) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "params": params})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/cypher", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("not JSON (%d): %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// TestCypherEndpoint: admins read the live graph raw with Cypher; anything that writes,
// runs an administration command, calls a procedure off the allow-list or loads files is
// refused by its plan, whoever asks. Researchers and analysts read the research copy
// instead (adversarial_cypher_test.go); without one configured they are told so.
func TestCypherEndpoint(t *testing.T) {
	e := setupWith(t, func(c *server.Config) { c.Cypher.MaxRows = 100 })
	w := e.world()
	status, out := e.cypherDo(`MATCH (p:Person) RETURN p.pseudonym AS pseudonym ORDER BY pseudonym`, nil)
	if status != 200 || fmt.Sprint(out["rows"]) != "[[R-000001] [R-000002] [R-000003]]" || out["source"] != "live" {
		t.Fatalf("read: %d %v", status, out)
	}
	status, out = e.cypherDo(`MATCH (p:Person {pseudonym: $p})-[:MEMBER_OF]->(g) RETURN p, g.name ORDER BY g.name`, map[string]any{"p": "R-000001"})
	raw, _ := json.Marshal(out)
	if status != 200 || !strings.Contains(string(raw), "Moira") || !strings.Contains(string(raw), "Dementia Café") {
		t.Errorf("an admin reads the live graph raw: %s", raw)
	}
	if status, out := e.cypherDo(`MATCH (p:Person {pseudonym: 'R-000001'}) RETURN p.displayName`, nil); status != 200 || fmt.Sprint(out["rows"]) != "[[Moira Barton]]" {
		t.Errorf("admin: %d %v", status, out)
	}
	if status, out := e.cypherDo(`MATCH (p:Person) RETURN count(DISTINCT p)`, nil); status != 200 || fmt.Sprint(out["rows"]) != "[[3]]" {
		t.Errorf("count(DISTINCT p): %d %v", status, out)
	}
	status, out = e.cypherDo(`UNWIND range(1, 1000) AS i RETURN i`, nil)
	if rows, _ := out["rows"].([]any); status != 200 || len(rows) != 100 || out["truncated"] != true || out["truncatedBy"] != "rows" {
		t.Errorf("row cap: %d rows, truncated %v by %v", len(rows), out["truncated"], out["truncatedBy"])
	}

	refused := []struct{ name, query, code string }{
		{"detach delete", `MATCH (n) DETACH DELETE n`, "FORBIDDEN"},
		{"write in a subquery", `CALL { CREATE (x:Person {displayName: 'x'}) }`, "FORBIDDEN"},
		{"write after a read", `MATCH (p:Person) WITH p LIMIT 1 SET p.pseudonym = 'x' RETURN p.pseudonym`, "FORBIDDEN"},
		{"merge", `MERGE (a:Area {name: 'Nowhere'}) RETURN a.name`, "FORBIDDEN"},
		{"write hidden by a comment and case", "match (n) // read only, honest\n detach\tDELETE n", "FORBIDDEN"},
		{"schema change", `CREATE INDEX evil IF NOT EXISTS FOR (n:Person) ON (n.pseudonym)`, "FORBIDDEN"},
		{"load csv", `LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row`, "FORBIDDEN"},
		{"dbms procedure", `CALL dbms.components()`, "FORBIDDEN"},
		{"dbms procedure with yield", `CALL dbms.listConfig() YIELD name RETURN name`, "FORBIDDEN"},
		{"procedure off the allow-list", `CALL db.index.fulltext.queryNodes('kith_names', 'moira') YIELD node RETURN node.pseudonym`, "FORBIDDEN"},
		{"show transactions", `SHOW TRANSACTIONS YIELD currentQuery, parameters`, "FORBIDDEN"},
		{"terminate transactions", `TERMINATE TRANSACTIONS 'neo4j-transaction-1'`, "FORBIDDEN"},
		{"show settings", `SHOW SETTINGS`, "FORBIDDEN"},
		{"show users", `SHOW USERS`, "FORBIDDEN"},
		{"show indexes after a comment", "// schema\nSHOW INDEXES", "FORBIDDEN"},
		{"call in transactions", `MATCH (n) CALL (n) { RETURN 1 AS x } IN TRANSACTIONS RETURN x`, "FORBIDDEN"},
		{"syntax error", `MATCH (n RETURN n`, "BAD_USER_INPUT"},
		{"empty", `  `, "BAD_USER_INPUT"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			before := e.counts()
			status, out := e.cypherDo(c.query, nil)
			errs, _ := out["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("accepted (%d): %v", status, out)
			}
			e0 := errs[0].(map[string]any)
			if code := e0["extensions"].(map[string]any)["code"]; code != c.code || e0["message"] == "" {
				t.Errorf("got %v, want %s", e0, c.code)
			}
			if strings.Contains(fmt.Sprint(e0["message"]), "Moira") {
				t.Errorf("the refusal leaks data: %v", e0["message"])
			}
			if after := e.counts(); after != before {
				t.Errorf("the graph changed: %v -> %v", before, after)
			}
		})
	}
	// Who may use it: researchers and analysts only on a research copy, which this server
	// has none of; workers and partners never.
	for _, c := range []struct {
		role   auth.Role
		status int
		code   string
	}{
		{auth.Researcher, http.StatusServiceUnavailable, "UNAVAILABLE"},
		{auth.Analyst, http.StatusServiceUnavailable, "UNAVAILABLE"},
		{auth.Worker, http.StatusForbidden, "FORBIDDEN"},
		{auth.Partner, http.StatusForbidden, "FORBIDDEN"},
		{"", http.StatusUnauthorized, "UNAUTHENTICATED"},
	} {
		status, out := e.as(c.role, w.eccles).cypherDo(`MATCH (p:Person) RETURN p.displayName`, nil)
		errs, _ := out["errors"].([]any)
		if status != c.status || len(errs) != 1 || errs[0].(map[string]any)["extensions"].(map[string]any)["code"] != c.code ||
			strings.Contains(fmt.Sprint(out), "Moira") {
			t.Errorf("%q: %d %v", c.role, status, out)
		}
	}
	// Every query is audited, by fingerprint and parameter names, never text or values.
	want := 5 + len(refused) + 2 // workers, partners and tokenless callers are refused before
	events := e.auditEvents("cypher", want)
	if len(events) != want {
		t.Fatalf("%d cypher audit records, want %d", len(events), want)
	}
	for _, ev := range events {
		raw := fmt.Sprint(ev)
		if strings.Contains(raw, "MATCH") || strings.Contains(raw, "R-000001") || ev.Detail["fingerprint"] == "" {
			t.Errorf("audit record: %v", raw)
		}
	}
}
