package server_test

import (
	"slices"
	"strings"
	"testing"

	"kith/auth"
	"kith/nodeid"
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
	area := e.areaIDs()
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
	// p001 and p002 consented to suggestions, and so may be named to go along with; p000 did
	// not, and counts among the known members without being named.
	e.ok(`mutation { updatePeople(input: [
	  {externalId: "p001", consent: {suggestions: {given: true, how: "asked at the door"}}},
	  {externalId: "p002", consent: {suggestions: {given: true, how: "asked at the door"}}}]) { id } }`, nil, nil)

	q := `query($p: ID!, $n: Int) { suggestions(person: $p, first: $n) {
	  groupId name activity openness meetsAt sharedInterests knownMembers nearby score
	  goAlongWith { personId externalId label ties } } }`
	var got struct{ Suggestions []suggestion }
	// Knit: 3 known members (p000 KNOWS, p001 TRUSTS, p002 ENCOURAGES), in Barton: 3 + 1;
	// p001 (trusted) and p002 (encouraging) to go along with.
	// Choir: singing, p002, in Eccles (which holds Barton): 2 + 1 + 1.
	// Darts: darts, p001, meets in Winton: 2 + 1. Allotment: gardening, in Barton: 2 + 1.
	want := "Knit and Natter//near/kkk/****/p001:TRUSTS+p002:ENCOURAGES Community Choir/Singing/near/k/****/p002:ENCOURAGES " +
		"Darts Team/Darts/far/k/***/p001:TRUSTS Allotment Society/Gardening/near//***/"
	for _, who := range []struct {
		name, label string
		env         *env
	}{{"admin", "Resident 001", e}, {"partner", "", e.as(auth.Partner)}, {"worker in Eccles", "Resident 001", e.as(auth.Worker, area["Eccles"])}} {
		t.Run(who.name, func(t *testing.T) {
			env := who.env.with(t)
			env.ok(q, map[string]any{"p": sam}, &got)
			if r := renderSuggestions(got.Suggestions); r != want {
				t.Errorf("suggestions:\n got %s\nwant %s", r, want)
			}
			// A partner app gets the people to go along with by id and its own externalId,
			// never by name.
			if c := got.Suggestions[0].GoAlongWith[0]; c.Label != who.label || c.PersonID == "" {
				t.Errorf("the first to go along with: %+v, want the label %q", c, who.label)
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

// suggestion is a Suggestion as the tests read it.
type suggestion struct {
	GroupID, Name, Openness string
	Activity                *string
	MeetsAt                 []string
	SharedInterests         []string
	KnownMembers            int
	Nearby                  bool
	Score                   int
	GoAlongWith             []companion
}

// companion is a Companion as the tests read it.
type companion struct {
	PersonID, Label string
	ExternalID      *string
	Ties            []string
}

// renderCompanions writes people to go along with as externalId:TIES, joined by +.
func renderCompanions(cs []companion) string {
	var out []string
	for _, c := range cs {
		x := "?"
		if c.ExternalID != nil {
			x = *c.ExternalID
		}
		out = append(out, x+":"+strings.Join(c.Ties, ","))
	}
	return strings.Join(out, "+")
}

// renderSuggestions writes suggestions as name/interests/near or far/a k per known
// member/a * per point/people to go along with.
func renderSuggestions(ss []suggestion) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name+"/"+strings.Join(s.SharedInterests, "+")+"/"+
			map[bool]string{true: "near", false: "far"}[s.Nearby]+"/"+strings.Repeat("k", s.KnownMembers)+"/"+
			strings.Repeat("*", s.Score)+"/"+renderCompanions(s.GoAlongWith))
	}
	return strings.Join(out, " ")
}

// TestEventSuggestions ranks the events a consenting person might go to in a window, with
// each reason and the people to go along with as each role may see them, and leaves out
// events of sensitive, closed and own groups, events the person has been to and events
// with no occurrence in the window.
func TestEventSuggestions(t *testing.T) {
	e := setup(t)
	e.fixture(3) // Eccles > Barton; p000-p002 in Barton, in Knit and Natter (meets at the hub), p000 KNOWS p001 KNOWS p002
	var a struct {
		CreateAreas []struct{ ID string } `json:"createAreas"`
	}
	e.ok(`mutation { createAreas(input: [{externalId: "winton", name: "Winton"}]) { id } }`, nil, &a)
	winton := a.CreateAreas[0].ID
	area := e.areaIDs()
	consent := map[string]any{"suggestions": map[string]any{"given": true, "how": "social prescribing referral"}}
	var ids struct {
		People []struct{ ID string } `json:"createPeople"`
	}
	e.ok(`mutation($b: ID, $e: ID, $w: ID, $c: ConsentInput) {
	  createInterests(input: [{externalId: "singing", name: "Singing"}]) { id }
	  createPlaces(input: [{externalId: "pub", name: "The Winton Arms", kind: INDOOR, areaId: $w}]) { id }
	  createGroups(input: [
	    {externalId: "choir", name: "Community Choir", activity: "singing", areaId: $e},
	    {externalId: "cafe", name: "Memory Café", sensitive: true, areaId: $b},
	    {externalId: "closed", name: "Closed Club", openness: CLOSED, areaId: $b},
	    {externalId: "walkers", name: "Barton Walkers", areaId: $b}]) { id }
	  createPeople(input: [
	    {externalId: "sam", displayName: "Sam", areaId: $b, consent: $c},
	    {externalId: "wyn", displayName: "Wyn", areaId: $w, consent: $c}]) { id }
	  updatePeople(input: [{externalId: "p001", consent: $c}, {externalId: "p002", consent: $c}]) { id }
	}`, map[string]any{"b": area["Barton"], "e": area["Eccles"], "w": winton, "c": consent}, &ids)
	sam := ids.People[0].ID
	e.ok(`mutation($in: [EventInput!]!) { createEvents(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		// The window is 4 January to 1 February 2027.
		{"externalId": "practice", "title": "Choir practice", "start": "2026-09-01T18:00:00Z", "end": "2026-09-01T20:00:00Z",
			"recurrence": "FREQ=WEEKLY;BYDAY=TU", "cost": "free", "accessibility": "step-free"},
		{"externalId": "social", "title": "Choir social", "start": "2026-09-12T12:00:00Z", "recurrence": "FREQ=MONTHLY;BYDAY=2SA"},
		{"externalId": "natter", "title": "Natter night", "start": "2026-10-01T18:00:00Z", "recurrence": "FREQ=MONTHLY;BYDAY=1TH"},
		{"externalId": "party", "title": "Street party", "start": "2027-01-16T13:00:00Z"},
		{"externalId": "fair", "title": "Summer fair", "start": "2027-07-03T11:00:00Z"},
		{"externalId": "carols", "title": "Carol concert", "start": "2027-01-10T18:00:00Z"},
		{"externalId": "autumn", "title": "Autumn sing", "start": "2026-10-06T18:00:00Z", "recurrence": "FREQ=WEEKLY;COUNT=4"},
		{"externalId": "cafeweekly", "title": "Memory café", "start": "2026-09-03T13:00:00Z", "recurrence": "FREQ=WEEKLY"},
		{"externalId": "closedmeet", "title": "Closed meeting", "start": "2027-01-12T18:00:00Z"},
		{"externalId": "walk", "title": "New year walk", "start": "2027-01-09T10:00:00Z"},
	}}, nil)
	person := func(x string) map[string]any { return ref("PERSON", x) }
	group := func(x string) map[string]any { return ref("GROUP", x) }
	event := func(x string) map[string]any { return ref("EVENT", x) }
	ties := []map[string]any{
		{"kind": "INTERESTED_IN", "from": person("sam"), "to": ref("INTEREST", "singing")},
		{"kind": "KNOWS", "from": person("sam"), "to": person("p000")},
		{"kind": "TRUSTS", "from": person("sam"), "to": person("p001"), "for": "HELP"},
		{"kind": "ENCOURAGES", "from": person("p002"), "to": person("sam")},
		{"kind": "KNOWS", "from": person("wyn"), "to": person("sam")},
		{"kind": "MEMBER_OF", "from": person("p002"), "to": group("choir")},
		{"kind": "MEMBER_OF", "from": person("wyn"), "to": group("choir")},
		{"kind": "MEMBER_OF", "from": person("sam"), "to": group("walkers")},
		{"kind": "MEMBER_OF", "from": person("p001"), "to": group("cafe")},
		{"kind": "MEMBER_OF", "from": person("p001"), "to": group("closed")},
		{"kind": "ATTENDED", "from": person("p001"), "to": event("party")},
		{"kind": "ATTENDED", "from": person("p002"), "to": event("party")},
		{"kind": "ATTENDED", "from": person("sam"), "to": event("carols")},
		{"kind": "HELD_AT", "from": event("practice"), "to": ref("PLACE", "hub")},
		{"kind": "HELD_AT", "from": event("social"), "to": ref("PLACE", "hub")},
		{"kind": "HELD_AT", "from": event("party"), "to": ref("PLACE", "pub")},
	}
	for g, evs := range map[string][]string{"choir": {"practice", "social", "fair", "carols", "autumn"}, "knit": {"natter"},
		"cafe": {"cafeweekly"}, "closed": {"closedmeet"}, "walkers": {"walk"}} {
		for _, ev := range evs {
			ties = append(ties, map[string]any{"kind": "RUNS", "from": group(g), "to": event(ev)})
		}
	}
	for _, g := range []string{"choir", "cafe", "closed", "walkers"} {
		ties = append(ties, map[string]any{"kind": "INTERESTED_IN", "from": group(g), "to": ref("INTEREST", "singing")})
	}
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": ties}, nil)

	q := `query($p: ID, $x: String, $from: DateTime, $to: DateTime, $n: Int) {
	  eventSuggestions(person: $p, externalId: $x, from: $from, to: $to, first: $n) {
	    eventId title start end recurrence place groupId group cost accessibility sharedInterests knownGoing nearby score reasons
	    goAlongWith { personId externalId label ties } } }`
	type eventSuggestion struct {
		EventID, Title, Start    string
		End, Recurrence, Place   *string
		GroupID, Group           *string
		Cost, Accessibility      *string
		SharedInterests, Reasons []string
		KnownGoing, Score        int
		Nearby                   bool
		GoAlongWith              []companion
	}
	render := func(ss []eventSuggestion) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Title+"@"+s.Start+"/"+strings.Join(s.SharedInterests, "+")+"/"+
				map[bool]string{true: "near", false: "far"}[s.Nearby]+"/"+strings.Repeat("k", s.KnownGoing)+"/"+
				strings.Repeat("*", s.Score)+"/"+renderCompanions(s.GoAlongWith))
		}
		return strings.Join(out, " ")
	}
	window := map[string]any{"from": "2027-01-04T00:00:00Z", "to": "2027-02-01T00:00:00Z"}
	vars := func(extra map[string]any) map[string]any {
		v := map[string]any{"p": sam}
		for k, x := range window {
			v[k] = x
		}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	// Practice and social: singing (2), p002 and wyn in the choir (2), held at the hub in
	// Barton (1); practice first, on Tuesday 5 January. Each stays at its local time: 7 pm
	// in summer time (18:00Z) is 19:00Z in January. Natter: p000, p001 and p002 in Knit
	// and Natter (3), which meets at the hub (1). Party: p001 and p002 went (2), in Winton.
	// A worker in Eccles may not see Wyn, who lives in Winton: counted, not named.
	all := "Choir practice@2027-01-05T19:00:00Z/Singing/near/kk/*****/p002:ENCOURAGES+wyn:KNOWS " +
		"Choir social@2027-01-09T13:00:00Z/Singing/near/kk/*****/p002:ENCOURAGES+wyn:KNOWS " +
		"Natter night@2027-01-07T19:00:00Z//near/kkk/****/p001:TRUSTS+p002:ENCOURAGES " +
		"Street party@2027-01-16T13:00:00Z//far/kk/**/p001:TRUSTS+p002:ENCOURAGES"
	inEccles := strings.ReplaceAll(all, "+wyn:KNOWS", "")
	for _, who := range []struct {
		name, want, label string
		env               *env
		vars              map[string]any
	}{
		{"admin", all, "Resident 002", e, vars(nil)},
		{"partner by externalId", all, "", e.as(auth.Partner), vars(map[string]any{"p": nil, "x": "sam"})},
		{"worker in Eccles", inEccles, "Resident 002", e.as(auth.Worker, area["Eccles"]), vars(nil)},
	} {
		t.Run(who.name, func(t *testing.T) {
			var got struct{ EventSuggestions []eventSuggestion }
			who.env.with(t).ok(q, who.vars, &got)
			if r := render(got.EventSuggestions); r != who.want {
				t.Fatalf("event suggestions:\n got %s\nwant %s", r, who.want)
			}
			p := got.EventSuggestions[0]
			if p.End == nil || *p.End != "2027-01-05T21:00:00Z" || p.Recurrence == nil || *p.Recurrence != "FREQ=WEEKLY;BYDAY=TU" ||
				p.Place == nil || *p.Place != "Barton Community Hub" || p.Group == nil || *p.Group != "Community Choir" ||
				p.Cost == nil || *p.Cost != "free" || p.Accessibility == nil || *p.Accessibility != "step-free" {
				t.Errorf("choir practice: %+v", p)
			}
			if want := []string{"shared interests: Singing", "knows 2 regulars", "near where the person lives"}; !slices.Equal(p.Reasons, want) {
				t.Errorf("reasons %q, want %q", p.Reasons, want)
			}
			if c := p.GoAlongWith[0]; c.Label != who.label {
				t.Errorf("the first to go along with is labelled %q, want %q", c.Label, who.label)
			}
		})
	}
	var got struct{ EventSuggestions []eventSuggestion }
	e.ok(q, vars(map[string]any{"n": 1}), &got)
	if len(got.EventSuggestions) != 1 || got.EventSuggestions[0].Title != "Choir practice" {
		t.Errorf("first: 1 gave %+v", got.EventSuggestions)
	}
	// Out of the window's reach: in July the summer fair, and no longer the autumn sing.
	e.ok(q, vars(map[string]any{"from": "2027-06-28T00:00:00Z", "to": "2027-07-05T00:00:00Z", "n": 50}), &got)
	if r := render(got.EventSuggestions); !strings.Contains(r, "Summer fair@2027-07-03T11:00:00Z") || strings.Contains(r, "Autumn") {
		t.Errorf("a week in July: %s", r)
	}

	t.Run("bad input and nobody else", func(t *testing.T) {
		for _, c := range []struct {
			name        string
			vars        map[string]any
			as          *env
			code, field string
		}{
			{"to before from", vars(map[string]any{"to": "2027-01-01T00:00:00Z"}), e, "BAD_USER_INPUT", "to"},
			{"a window over 366 days", vars(map[string]any{"to": "2028-02-01T00:00:00Z"}), e, "BAD_USER_INPUT", "to"},
			{"first 0", vars(map[string]any{"n": 0}), e, "BAD_USER_INPUT", "first"},
			{"first too big", vars(map[string]any{"n": 51}), e, "BAD_USER_INPUT", "first"},
			{"person and externalId", vars(map[string]any{"x": "sam"}), e, "BAD_USER_INPUT", "externalId"},
			{"neither", vars(map[string]any{"p": nil}), e, "BAD_USER_INPUT", "person"},
			{"the id of a group", vars(map[string]any{"p": nodeid.New("Group")}), e, "BAD_USER_INPUT", "person"},
			{"no consent to suggestions", vars(map[string]any{"p": nil, "x": "p000"}), e.as(auth.Partner), "NOT_FOUND", "externalId"},
			{"an externalId that names nobody", vars(map[string]any{"p": nil, "x": "nobody"}), e.as(auth.Partner), "NOT_FOUND", "externalId"},
			{"outside a worker's areas", vars(nil), e.as(auth.Worker, winton), "NOT_FOUND", "person"},
			{"analyst", vars(map[string]any{"p": analystID(t, sam)}), e.as(auth.Analyst), "FORBIDDEN", ""},
			{"researcher", vars(map[string]any{"p": nil, "x": "sam"}), e.as(auth.Researcher), "FORBIDDEN", ""},
			{"no token", vars(nil), e.as(""), "UNAUTHENTICATED", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.as.with(t).fails(q, c.vars, c.code, c.field)
			})
		}
	})
}
