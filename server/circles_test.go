package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"kith/auth"
)

// circlesFixture records, beside fixture(3) (Eccles > Barton, p000-p002 in Barton, in Knit
// and Natter, p000 KNOWS p001 KNOWS p002), Patricroft inside Eccles and Winton apart, and
// people with gifts and needs:
//
//	sam (Barton) needs TRANSPORT and DIGITAL, likes gardening, KNOWS ann and p000
//	ann (Barton) offers TRANSPORT, likes gardening, KNOWS p000
//	bob (Patricroft) offers TRANSPORT and DIGITAL
//	cat (Winton) offers DIGITAL; p000 KNOWS cat
//	dan (Barton) offers TRANSPORT and needs TRANSPORT, without consent to suggestions
//	eve (Barton) offers GARDENING
//	fay (Barton) offers COOKING, likes gardening
//
// The Lunch Club (Barton; p000 and sam members) needs COOKING and likes gardening; the
// Memory Café (sensitive) needs COOKING; the Food Bank (an organisation in Winton) needs
// COOKING. It returns the ids by external id.
func circlesFixture(e *env) map[string]string {
	e.t.Helper()
	e.fixture(3)
	area := e.areaIDs()
	e.ok(`mutation($e: ID) { createAreas(input: [{externalId: "patricroft", name: "Patricroft", parentId: $e},
	  {externalId: "winton", name: "Winton"}]) { id } }`, map[string]any{"e": area["Eccles"]}, nil)
	area = e.areaIDs()
	consent := map[string]any{"suggestions": map[string]any{"given": true, "how": "circle conversation"}}
	person := func(x, a string, consents bool) map[string]any {
		p := map[string]any{"externalId": x, "displayName": strings.ToUpper(x[:1]) + x[1:], "areaId": area[a]}
		if consents {
			p["consent"] = consent
		}
		return p
	}
	people := []map[string]any{person("sam", "Barton", true), person("ann", "Barton", true), person("bob", "Patricroft", true),
		person("cat", "Winton", true), person("dan", "Barton", false), person("eve", "Barton", true), person("fay", "Barton", true)}
	e.ok(`mutation($p: [PersonInput!]!, $b: ID, $w: ID) {
	  createPeople(input: $p) { id }
	  createInterests(input: [{externalId: "gardening", name: "Gardening"}]) { id }
	  createGroups(input: [{externalId: "lunch", name: "Lunch Club", areaId: $b}, {externalId: "cafe", name: "Memory Café", sensitive: true, areaId: $b}]) { id }
	  createOrganisations(input: [{externalId: "foodbank", name: "Food Bank", sector: VOLUNTARY, areaId: $w}]) { id }
	  createGifts(input: [
	    {externalId: "ann-lift", kind: HANDS, topic: TRANSPORT, description: "can drive"},
	    {externalId: "bob-lift", kind: HANDS, topic: TRANSPORT},
	    {externalId: "bob-it", kind: HEAD, topic: DIGITAL, description: "sorts out phones"},
	    {externalId: "cat-it", kind: HEAD, topic: DIGITAL},
	    {externalId: "dan-lift", kind: HANDS, topic: TRANSPORT},
	    {externalId: "eve-garden", kind: HANDS, topic: GARDENING},
	    {externalId: "fay-cook", kind: HANDS, topic: COOKING, description: "bakes"}]) { id topic }
	  createNeeds(input: [
	    {externalId: "sam-lift", topic: TRANSPORT, description: "a lift to the surgery on Tuesdays"},
	    {externalId: "sam-it", topic: DIGITAL},
	    {externalId: "dan-lift", topic: TRANSPORT},
	    {externalId: "lunch-cook", topic: COOKING, description: "two cooks for Friday"},
	    {externalId: "cafe-cook", topic: COOKING},
	    {externalId: "foodbank-cook", topic: COOKING}]) { id topic label }
	}`, map[string]any{"p": people, "b": area["Barton"], "w": area["Winton"]}, nil)
	p := func(x string) map[string]any { return ref("PERSON", x) }
	ties := []map[string]any{
		{"kind": "KNOWS", "from": p("sam"), "to": p("ann")},
		{"kind": "KNOWS", "from": p("sam"), "to": p("p000")},
		{"kind": "KNOWS", "from": p("ann"), "to": p("p000")},
		{"kind": "KNOWS", "from": p("p000"), "to": p("cat")},
		{"kind": "INTERESTED_IN", "from": p("sam"), "to": ref("INTEREST", "gardening")},
		{"kind": "INTERESTED_IN", "from": p("ann"), "to": ref("INTEREST", "gardening")},
		{"kind": "INTERESTED_IN", "from": p("fay"), "to": ref("INTEREST", "gardening")},
		{"kind": "INTERESTED_IN", "from": ref("GROUP", "lunch"), "to": ref("INTEREST", "gardening")},
		{"kind": "MEMBER_OF", "from": p("p000"), "to": ref("GROUP", "lunch")},
		{"kind": "MEMBER_OF", "from": p("sam"), "to": ref("GROUP", "lunch")},
	}
	for _, g := range [][2]string{{"ann", "ann-lift"}, {"bob", "bob-lift"}, {"bob", "bob-it"}, {"cat", "cat-it"}, {"dan", "dan-lift"},
		{"eve", "eve-garden"}, {"fay", "fay-cook"}} {
		ties = append(ties, map[string]any{"kind": "OFFERS", "from": p(g[0]), "to": ref("GIFT", g[1])})
	}
	for _, n := range [][3]string{{"PERSON", "sam", "sam-lift"}, {"PERSON", "sam", "sam-it"}, {"PERSON", "dan", "dan-lift"},
		{"GROUP", "lunch", "lunch-cook"}, {"GROUP", "cafe", "cafe-cook"}, {"ORGANISATION", "foodbank", "foodbank-cook"}} {
		ties = append(ties, map[string]any{"kind": "NEEDS", "from": ref(n[0], n[1]), "to": ref("NEED", n[2])})
	}
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": ties}, nil)
	ids := map[string]string{}
	var r struct {
		People struct {
			Nodes []struct{ ID, ExternalID string }
		}
		Groups struct {
			Nodes []struct{ ID, ExternalID string }
		}
		Organisations struct {
			Nodes []struct{ ID, ExternalID string }
		}
	}
	e.ok(`{ people(first: 50) { nodes { id externalId } } groups { nodes { id externalId } } organisations { nodes { id externalId } } }`, nil, &r)
	for _, l := range [][]struct{ ID, ExternalID string }{r.People.Nodes, r.Groups.Nodes, r.Organisations.Nodes} {
		for _, n := range l {
			ids[n.ExternalID] = n.ID
		}
	}
	for k, v := range area {
		ids[k] = v
	}
	return ids
}

type helpMatch struct {
	PersonID, Label string
	Topics          []string
	SharedInterests []string
	TrustedSteps    *int
	Reach           *string
	Score           int
	Reasons         []string
}

const helpQuery = `query($p: ID!, $n: Int, $after: String) { %s(person: $p, first: $n, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { personId label topics sharedInterests trustedSteps reach score reasons } } } }`

// renderHelp writes matches as name/topics/interests/steps/reach/score, names by id.
func renderHelp(ms []helpMatch, name map[string]string) string {
	var out []string
	for _, m := range ms {
		steps, reach := "-", "-"
		if m.TrustedSteps != nil {
			steps = fmt.Sprint(*m.TrustedSteps)
		}
		if m.Reach != nil {
			reach = *m.Reach
		}
		out = append(out, fmt.Sprintf("%s/%s/%s/%s/%s/%d", name[m.PersonID], strings.Join(m.Topics, "+"),
			strings.Join(m.SharedInterests, "+"), steps, reach, m.Score))
	}
	return strings.Join(out, " ")
}

// TestGiveAndReceive matches gifts to needs both ways, ranks by trusted steps and reach,
// keeps to people who consented to suggestions and to a worker's areas, pages through the
// one paging owner, and answers each role as suggestions does.
func TestGiveAndReceive(t *testing.T) {
	e := setup(t)
	ids := circlesFixture(e)
	name := map[string]string{}
	for k, v := range ids {
		name[v] = k
	}
	type conn struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Edges []struct {
			Cursor string
			Node   helpMatch
		}
	}
	read := func(env *env, field, person string, vars map[string]any) conn {
		env.t.Helper()
		v := map[string]any{"p": person}
		for k, x := range vars {
			v[k] = x
		}
		var got map[string]conn
		env.ok(fmt.Sprintf(helpQuery, field), v, &got)
		return got[field]
	}
	nodes := func(c conn) []helpMatch {
		out := make([]helpMatch, len(c.Edges))
		for i, ed := range c.Edges {
			out[i] = ed.Node
		}
		return out
	}
	// ann: TRANSPORT 3 + gardening 1 + one step 3 + same area 2; bob: 6 + Patricroft beside
	// Barton 1; cat: 3 + two steps (sam-p000-cat) 2. dan has no consent; eve's gift meets
	// no need.
	wantHelp := "ann/TRANSPORT/Gardening/1/SAME_AREA/9 bob/DIGITAL+TRANSPORT//-/NEIGHBOURING/7 cat/DIGITAL//2/-/5"
	for _, who := range []struct {
		name string
		env  *env
		want string
	}{
		{"admin", e, wantHelp},
		{"partner", e.as(auth.Partner), wantHelp},
		// Winton is not the worker's: cat is left out.
		{"worker in Eccles", e.as(auth.Worker, ids["Eccles"]), "ann/TRANSPORT/Gardening/1/SAME_AREA/9 bob/DIGITAL+TRANSPORT//-/NEIGHBOURING/7"},
	} {
		t.Run("whoCouldHelp/"+who.name, func(t *testing.T) {
			c := read(who.env.with(t), "whoCouldHelp", ids["sam"], nil)
			if r := renderHelp(nodes(c), name); r != who.want {
				t.Errorf("whoCouldHelp(sam):\n got %s\nwant %s", r, who.want)
			}
			if c.TotalCount != len(c.Edges) {
				t.Errorf("totalCount %d for %d edges", c.TotalCount, len(c.Edges))
			}
			first := c.Edges[0].Node
			wantLabel := "Ann"
			if who.name == "partner" {
				wantLabel = "" // a partner never gets a name
			}
			if first.Label != wantLabel {
				t.Errorf("label %q, want %q", first.Label, wantLabel)
			}
			if strings.Join(first.Reasons, "; ") != "a gift meets a need: transport; shared interests: Gardening; they already know each other; they live in the same area" {
				t.Errorf("reasons %q", first.Reasons)
			}
		})
	}
	t.Run("whoCouldBeHelpedBy", func(t *testing.T) {
		// bob's lift and phones meet sam's needs (dan has no consent); eve's gardening
		// meets nobody's.
		if r := renderHelp(nodes(read(e.with(t), "whoCouldBeHelpedBy", ids["bob"], nil)), name); r != "sam/DIGITAL+TRANSPORT//-/NEIGHBOURING/7" {
			t.Errorf("whoCouldBeHelpedBy(bob): %s", r)
		}
		if r := renderHelp(nodes(read(e.with(t), "whoCouldBeHelpedBy", ids["eve"], nil)), name); r != "" {
			t.Errorf("whoCouldBeHelpedBy(eve): %s", r)
		}
	})
	t.Run("paging", func(t *testing.T) {
		env := e.with(t)
		var seen []helpMatch
		after := any(nil)
		for range 4 {
			c := read(env, "whoCouldHelp", ids["sam"], map[string]any{"n": 1, "after": after})
			seen = append(seen, nodes(c)...)
			if !c.PageInfo.HasNextPage {
				break
			}
			after = c.PageInfo.EndCursor
		}
		if r := renderHelp(seen, name); r != wantHelp {
			t.Errorf("one by one:\n got %s\nwant %s", r, wantHelp)
		}
		env.fails(fmt.Sprintf(helpQuery, "whoCouldHelp"), map[string]any{"p": ids["sam"], "n": 501}, "BAD_USER_INPUT", "first")
		env.fails(fmt.Sprintf(helpQuery, "whoCouldHelp"), map[string]any{"p": ids["sam"], "after": "not-a-cursor"}, "BAD_USER_INPUT", "after")
	})

	vmQuery := `query($g: ID!) { volunteerMatches(group: $g) { totalCount edges { node {
	  personId label topics sharedInterests knownMembers nearby score reasons } } } }`
	t.Run("volunteerMatches", func(t *testing.T) {
		var got struct {
			VolunteerMatches struct {
				Edges []struct {
					Node struct {
						PersonID, Label string
						Topics          []string
						SharedInterests []string
						KnownMembers    int
						Nearby          bool
						Score           int
						Reasons         []string
					}
				}
			}
		}
		// fay: COOKING 3 + gardening 1 + Barton 1; ann: gardening 1 + knows p000 and sam 2
		// + Barton 1; sam is a member already; bob, cat, eve meet no need and share no
		// interest.
		for _, env := range []*env{e, e.as(auth.Partner), e.as(auth.Worker, ids["Barton"])} {
			env.with(t).ok(vmQuery, map[string]any{"g": ids["lunch"]}, &got)
			var out []string
			for _, ed := range got.VolunteerMatches.Edges {
				n := ed.Node
				out = append(out, fmt.Sprintf("%s/%s/%s/%d/%v/%d", name[n.PersonID], strings.Join(n.Topics, "+"),
					strings.Join(n.SharedInterests, "+"), n.KnownMembers, n.Nearby, n.Score))
			}
			if r := strings.Join(out, " "); r != "fay/COOKING/Gardening/0/true/5 ann//Gardening/2/true/4" {
				t.Errorf("volunteerMatches(lunch) as %s: %s", env.role, r)
			}
		}
		if r := got.VolunteerMatches.Edges[1].Node.Reasons; strings.Join(r, "; ") != "shared interests: Gardening; knows 2 members; lives near where the group meets" {
			t.Errorf("reasons %q", r)
		}
		e.with(t).fails(vmQuery, map[string]any{"g": ids["cafe"]}, "NOT_FOUND", "group")
		e.as(auth.Worker, ids["Winton"]).with(t).fails(vmQuery, map[string]any{"g": ids["lunch"]}, "NOT_FOUND", "group")
		e.with(t).fails(vmQuery, map[string]any{"g": ids["sam"]}, "BAD_USER_INPUT", "group")
	})

	vfQuery := `query($p: ID!) { volunteeringFor(person: $p) { totalCount edges { node {
	  id kind name topics sharedInterests knownPeople nearby score reasons } } } }`
	t.Run("volunteeringFor", func(t *testing.T) {
		var got struct {
			VolunteeringFor struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ID, Kind, Name string
						Topics         []string
						KnownPeople    int
						Nearby         bool
						Score          int
					}
				}
			}
		}
		// The Lunch Club: COOKING 3 + gardening 1 + Barton 1; the Food Bank: COOKING 3 (Winton); the
		// Memory Café is sensitive.
		e.with(t).ok(vfQuery, map[string]any{"p": ids["fay"]}, &got)
		var out []string
		for _, ed := range got.VolunteeringFor.Edges {
			n := ed.Node
			out = append(out, fmt.Sprintf("%s/%s/%s/%d/%v/%d", n.Name, n.Kind, strings.Join(n.Topics, "+"), n.KnownPeople, n.Nearby, n.Score))
		}
		if r := strings.Join(out, " "); r != "Lunch Club/GROUP/COOKING/0/true/5 Food Bank/ORGANISATION/COOKING/0/false/3" || got.VolunteeringFor.TotalCount != 2 {
			t.Errorf("volunteeringFor(fay): %s (total %d)", r, got.VolunteeringFor.TotalCount)
		}
	})

	t.Run("every role", func(t *testing.T) {
		queries := map[string]struct {
			q   string
			arg string
		}{
			"whoCouldHelp":       {fmt.Sprintf(helpQuery, "whoCouldHelp"), "p"},
			"whoCouldBeHelpedBy": {fmt.Sprintf(helpQuery, "whoCouldBeHelpedBy"), "p"},
			"volunteerMatches":   {vmQuery, "g"},
			"volunteeringFor":    {vfQuery, "p"},
		}
		subject := map[string]string{"whoCouldHelp": "sam", "whoCouldBeHelpedBy": "sam", "volunteerMatches": "lunch", "volunteeringFor": "fay"}
		for field, q := range queries {
			for _, c := range []struct {
				name        string
				as          *env
				who         string
				code, field string
			}{
				{"admin", e, "", "", ""},
				{"worker in the area", e.as(auth.Worker, ids["Eccles"]), "", "", ""},
				{"partner", e.as(auth.Partner), "", "", ""},
				{"worker elsewhere", e.as(auth.Worker, ids["Winton"]), "", "NOT_FOUND", ""},
				{"analyst", e.as(auth.Analyst), "", "FORBIDDEN", ""},
				{"researcher", e.as(auth.Researcher), "", "FORBIDDEN", ""},
				{"no token", e.as(""), "", "UNAUTHENTICATED", ""},
				{"no consent", e.as(auth.Partner), "dan", "BAD_USER_INPUT", ""},
				{"an id that names nobody", e.as(auth.Partner), "per_00000000000000000000", "", ""},
			} {
				t.Run(field+"/"+c.name, func(t *testing.T) {
					id := ids[subject[field]]
					code := c.code
					switch {
					case c.who == "dan" && field != "volunteerMatches":
						id, code = ids["dan"], "NOT_FOUND"
					case c.who == "dan":
						id = ids["dan"] // a person's id where a group's is asked for
					case c.who != "":
						id, code = c.who, "NOT_FOUND"
						if field == "volunteerMatches" {
							code = "BAD_USER_INPUT"
						}
					}
					if c.name == "analyst" || c.name == "researcher" {
						// The only ids they hold: refused by role all the same.
						id = testPseudonyms(t).Encode(string(c.as.role), id)
					}
					if code == "" {
						c.as.with(t).ok(q.q, map[string]any{q.arg: id}, nil)
						return
					}
					c.as.with(t).fails(q.q, map[string]any{q.arg: id}, code, "")
				})
			}
		}
	})

	t.Run("suggestions by the partner's externalId", func(t *testing.T) {
		q := `query($p: ID, $x: String) { suggestions(person: $p, externalId: $x) { groupId score } }`
		var byID, byExternal struct{ Suggestions []struct{ GroupID string } }
		partner := e.as(auth.Partner).with(t)
		partner.ok(q, map[string]any{"p": ids["ann"]}, &byID)
		partner.ok(q, map[string]any{"x": "ann"}, &byExternal)
		if len(byID.Suggestions) == 0 || fmt.Sprint(byID) != fmt.Sprint(byExternal) {
			t.Errorf("by id %+v, by externalId %+v", byID, byExternal)
		}
		partner.fails(q, map[string]any{"x": "dan"}, "NOT_FOUND", "externalId") // no consent
		partner.fails(q, map[string]any{"x": "nobody"}, "NOT_FOUND", "externalId")
		partner.fails(q, map[string]any{"p": ids["ann"], "x": "ann"}, "BAD_USER_INPUT", "externalId")
		partner.fails(q, nil, "BAD_USER_INPUT", "person")
		e.as(auth.Worker, ids["Winton"]).with(t).fails(q, map[string]any{"x": "ann"}, "NOT_FOUND", "externalId")
		e.as(auth.Analyst).with(t).fails(q, map[string]any{"x": "ann"}, "FORBIDDEN", "")
		e.as(auth.Researcher).with(t).fails(q, map[string]any{"x": "ann"}, "FORBIDDEN", "")
		e.as("").with(t).fails(q, map[string]any{"x": "ann"}, "UNAUTHENTICATED", "")
		e.as(auth.Worker, ids["Barton"]).with(t).ok(q, map[string]any{"x": "ann"}, nil)
		e.with(t).ok(q, map[string]any{"x": "ann"}, nil)
		// A partner's answer by externalId is recorded against the person's id.
		before := len(e.with(t).auditEvents("read", 0))
		partner.ok(q, map[string]any{"x": "ann"}, nil)
		found := false
		for _, ev := range e.with(t).auditEvents("read", before+1) {
			if slices.Contains(ev.IDs, ids["ann"]) && strings.Contains(ev.Operation, "query suggestions") && slices.Contains(ev.Roles, "partner") {
				found = true
			}
		}
		if !found {
			t.Error("no audit record of the partner's suggestions by externalId")
		}
	})

	t.Run("needs are read, and erased with the person", func(t *testing.T) {
		var got struct {
			People struct {
				Nodes []struct {
					Needs []struct{ Topic, Label string }
				}
			}
		}
		e.with(t).ok(`query($id: ID!) { people(where: {id: {eq: $id}}) { nodes { needs { topic label } } } }`, map[string]any{"id": ids["sam"]}, &got)
		if n := got.People.Nodes[0].Needs; len(n) != 2 || n[0].Topic != "DIGITAL" || n[0].Label != "digital" || n[1].Label != "a lift to the surgery on Tuesdays" {
			t.Errorf("sam's needs: %+v", n)
		}
		var erased struct {
			ErasePerson struct{ Needs, Gifts int }
		}
		e.with(t).ok(`mutation($id: ID!) { erasePerson(id: $id) { needs gifts } }`, map[string]any{"id": ids["sam"]}, &erased)
		if erased.ErasePerson.Needs != 2 || erased.ErasePerson.Gifts != 0 {
			t.Errorf("erased %+v", erased.ErasePerson)
		}
		var left struct {
			Needs struct{ TotalCount int }
		}
		e.with(t).ok(`{ needs { totalCount } }`, nil, &left)
		if left.Needs.TotalCount != 4 {
			t.Errorf("%d needs left, want 4", left.Needs.TotalCount)
		}
	})
}
