package server_test

import (
	"slices"
	"strings"
	"testing"

	"kith/auth"
)

// TestSuggestions ranks the groups a consenting person might join and gives each reason,
// leaves out sensitive, closed and own groups, and answers nobody else.
func TestSuggestions(t *testing.T) {
	e := setup(t)
	e.fixture(3) // Eccles > Barton; p000-p002 in Barton, all in Knit and Natter (Barton, meets at the hub)
	var a struct {
		CreateAreas []struct{ ID string } `json:"createAreas"`
	}
	e.ok(`mutation { createAreas(input: [{externalId: "winton", name: "Winton"}]) { id } }`, nil, &a)
	winton := a.CreateAreas[0].ID
	var ids struct {
		People []struct{ ID string } `json:"createPeople"`
	}
	e.ok(`mutation($w: ID) {
	  createInterests(input: [{externalId: "gardening", name: "Gardening"}, {externalId: "darts", name: "Darts"}, {externalId: "singing", name: "Singing"}]) { id }
	  createPlaces(input: [{externalId: "pub", name: "The Winton Arms", kind: INDOOR, areaId: $w}]) { id }
	  createGroups(input: [
	    {externalId: "allot", name: "Allotment Society", activity: "gardening", openness: OPEN},
	    {externalId: "darts", name: "Darts Team", activity: "darts", openness: BY_INVITATION},
	    {externalId: "choir", name: "Community Choir", activity: "singing"},
	    {externalId: "cafe", name: "Memory Café", sensitive: true},
	    {externalId: "closed", name: "Closed Club", openness: CLOSED}]) { id }
	}`, map[string]any{"w": winton}, nil)
	var areas struct {
		Areas struct{ Nodes []struct{ ID, Name string } }
	}
	e.ok(`{ areas { nodes { id name } } }`, nil, &areas)
	area := map[string]string{}
	for _, n := range areas.Areas.Nodes {
		area[n.Name] = n.ID
	}
	e.ok(`mutation($b: ID, $e: ID) {
	  a: updateGroups(input: [{externalId: "allot", areaId: $b}, {externalId: "choir", areaId: $e}]) { id }
	  createPeople(input: [{externalId: "sam", displayName: "Sam", areaId: $b,
	    consent: {suggestions: {given: true, how: "social prescribing referral"}}}]) { id }
	}`, map[string]any{"b": area["Barton"], "e": area["Eccles"]}, &ids)
	sam := ids.People[0].ID
	person := func(x string) map[string]any { return ref("PERSON", x) }
	group := func(x string) map[string]any { return ref("GROUP", x) }
	interest := func(x string) map[string]any { return ref("INTEREST", x) }
	ties := []map[string]any{
		{"kind": "MEETS_AT", "from": group("darts"), "to": ref("PLACE", "pub")},
		{"kind": "KNOWS", "from": person("sam"), "to": person("p000")},
		{"kind": "TRUSTS", "from": person("sam"), "to": person("p001"), "for": "HELP"},
		{"kind": "ENCOURAGES", "from": person("p002"), "to": person("sam")},
		{"kind": "MEMBER_OF", "from": person("p001"), "to": group("darts")},
		{"kind": "MEMBER_OF", "from": person("p002"), "to": group("choir")},
		{"kind": "MEMBER_OF", "from": person("p000"), "to": group("cafe")},
		{"kind": "MEMBER_OF", "from": person("p000"), "to": group("closed")},
	}
	for _, x := range []string{"gardening", "darts", "singing"} {
		ties = append(ties, map[string]any{"kind": "INTERESTED_IN", "from": person("sam"), "to": interest(x)})
	}
	for g, x := range map[string]string{"allot": "gardening", "darts": "darts", "choir": "singing", "cafe": "gardening", "closed": "gardening"} {
		ties = append(ties, map[string]any{"kind": "INTERESTED_IN", "from": group(g), "to": interest(x)})
	}
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": ties}, nil)

	q := `query($p: ID!, $n: Int) { suggestions(person: $p, first: $n) {
	  groupId name activity openness meetsAt sharedInterests knownMembers nearby score } }`
	type suggestion struct {
		GroupID, Name, Openness string
		Activity                *string
		MeetsAt                 []string
		SharedInterests         []string
		KnownMembers            int
		Nearby                  bool
		Score                   int
	}
	var got struct{ Suggestions []suggestion }
	render := func(ss []suggestion) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name+"/"+strings.Join(s.SharedInterests, "+")+"/"+
				map[bool]string{true: "near", false: "far"}[s.Nearby]+"/"+strings.Repeat("k", s.KnownMembers)+"/"+
				strings.Repeat("*", s.Score))
		}
		return strings.Join(out, " ")
	}
	// Knit: 3 known members (p000 KNOWS, p001 TRUSTS, p002 ENCOURAGES), in Barton: 3 + 1.
	// Choir: singing, p002, in Eccles (which holds Barton): 2 + 1 + 1.
	// Darts: darts, p001, meets in Winton: 2 + 1. Allotment: gardening, in Barton: 2 + 1.
	want := "Knit and Natter//near/kkk/**** Community Choir/Singing/near/k/**** Darts Team/Darts/far/k/*** Allotment Society/Gardening/near//***"
	for _, who := range []struct {
		name string
		env  *env
	}{{"admin", e}, {"partner", e.as(auth.Partner)}, {"worker in Eccles", e.as(auth.Worker, area["Eccles"])}} {
		t.Run(who.name, func(t *testing.T) {
			env := who.env.with(t)
			env.ok(q, map[string]any{"p": sam}, &got)
			if r := render(got.Suggestions); r != want {
				t.Errorf("suggestions:\n got %s\nwant %s", r, want)
			}
		})
	}
	darts := got.Suggestions[2]
	if darts.Openness != "BY_INVITATION" || darts.Activity == nil || *darts.Activity != "darts" || !slices.Equal(darts.MeetsAt, []string{"The Winton Arms"}) {
		t.Errorf("darts: %+v", darts)
	}
	e.ok(q, map[string]any{"p": sam, "n": 1}, &got)
	if len(got.Suggestions) != 1 || got.Suggestions[0].Name != "Knit and Natter" {
		t.Errorf("first: 1 gave %+v", got.Suggestions)
	}

	t.Run("nobody else", func(t *testing.T) {
		for _, c := range []struct {
			name, person string
			first        any
			as           *env
			code, field  string
		}{
			{"no consent to suggestions", "p000", nil, e.as(auth.Partner), "NOT_FOUND", "person"},
			{"an id that names nobody", "per_00000000000000000000", nil, e.as(auth.Partner), "NOT_FOUND", "person"},
			{"outside a worker's areas", "sam", nil, e.as(auth.Worker, winton), "NOT_FOUND", "person"},
			{"the id of a group", "group", nil, e, "BAD_USER_INPUT", "person"},
			{"injection text", "per_x' OR 1=1 //", nil, e.as(auth.Partner), "BAD_USER_INPUT", "person"},
			{"first 0", "sam", 0, e, "BAD_USER_INPUT", "first"},
			{"first too big", "sam", 51, e, "BAD_USER_INPUT", "first"},
			{"first of the wrong type", "sam", "ten", e, "BAD_USER_INPUT", ""},
			{"analyst", "sam", nil, e.as(auth.Analyst), "FORBIDDEN", ""},
			{"no token", "sam", nil, e.as(""), "UNAUTHENTICATED", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				id := c.person
				switch id {
				case "sam":
					id = sam
				case "p000":
					var r struct {
						People struct{ Nodes []struct{ ID string } }
					}
					e.ok(`{ people(where: {externalId: {eq: "p000"}}) { nodes { id } } }`, nil, &r)
					id = r.People.Nodes[0].ID
				case "group":
					var r struct {
						Groups struct{ Nodes []struct{ ID string } }
					}
					e.ok(`{ groups(first: 1) { nodes { id } } }`, nil, &r)
					id = r.Groups.Nodes[0].ID
				}
				if c.name == "analyst" {
					id = analystID(t, id) // the only ids an analyst holds
				}
				vars := map[string]any{"p": id}
				if c.first != nil {
					vars["n"] = c.first
				}
				got := c.as.with(t).fails(q, vars, c.code, c.field)
				if c.code == "NOT_FOUND" && !strings.Contains(got.Message, "consented to suggestions") {
					t.Errorf("message %q does not say whose suggestions may be asked for", got.Message)
				}
			})
		}
	})

	t.Run("a partner's answer is in the audit trail", func(t *testing.T) {
		before := len(e.auditEvents("read", 0))
		e.as(auth.Partner).ok(q, map[string]any{"p": sam}, nil)
		evs := e.with(t).auditEvents("read", before+1)
		if len(evs) <= before {
			t.Fatal("no read record")
		}
		found := false
		for _, ev := range evs {
			if slices.Contains(ev.IDs, sam) && strings.Contains(ev.Operation, "query suggestions") && slices.Contains(ev.Roles, "partner") {
				found = true
			}
		}
		if !found {
			t.Errorf("no record of the partner's suggestions for %s: %+v", sam, evs)
		}
	})
}
