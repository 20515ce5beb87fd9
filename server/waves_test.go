package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/cypher"
	"kith/nodeid"
	"kith/seed"
)

// waveRound is a small neighbourhood recorded in two waves through the API, the way a worker
// records door-step interviews: the same ties are recorded again in wave 2.
type waveRound struct {
	area, other, w1, w2, w3, knit string
	ann, bob, cat, dan, out       string
}

func (e *env) waveRound() waveRound {
	e.t.Helper()
	var s waveRound
	var areas struct{ CreateAreas []struct{ ID string } }
	e.ok(`mutation { createAreas(input: [{name: "Brook"}, {name: "Elsewhere"}]) { id } }`, nil, &areas)
	s.area, s.other = areas.CreateAreas[0].ID, areas.CreateAreas[1].ID
	var waves struct{ CreateWaves []struct{ ID string } }
	e.ok(`mutation { createWaves(input: [{name: "Wave 1", collectedOn: "2024-03-01"}, {name: "Wave 2", collectedOn: "2025-03-01"},
	  {name: "Wave 3", collectedOn: "2026-03-01"}]) { id } }`, nil, &waves)
	s.w1, s.w2, s.w3 = waves.CreateWaves[0].ID, waves.CreateWaves[1].ID, waves.CreateWaves[2].ID
	var people struct{ CreatePeople []struct{ ID string } }
	e.ok(`mutation($a: ID!, $o: ID!) { createPeople(input: [
	  {displayName: "Ann", areaId: $a, consent: {analysis: {given: true, how: "form"}, wellbeing: {given: true, how: "form"}}},
	  {displayName: "Bob", areaId: $a, consent: {analysis: {given: true, how: "form"}}},
	  {displayName: "Cat", areaId: $a, consent: {analysis: {given: true, how: "form"}}},
	  {displayName: "Dan", areaId: $a, consent: {analysis: {given: true, how: "form"}}},
	  {displayName: "Out", areaId: $o}]) { id } }`, map[string]any{"a": s.area, "o": s.other}, &people)
	p := people.CreatePeople
	s.ann, s.bob, s.cat, s.dan, s.out = p[0].ID, p[1].ID, p[2].ID, p[3].ID, p[4].ID
	var groups struct{ CreateGroups []struct{ ID string } }
	e.ok(`mutation($a: ID!) { createGroups(input: [{name: "Knit and Natter", activity: "knit and natter", areaId: $a}]) { id } }`,
		map[string]any{"a": s.area}, &groups)
	s.knit = groups.CreateGroups[0].ID
	for _, w := range []string{s.w1, s.w2} {
		e.ok(`mutation($ann: ID!, $bob: ID!, $cat: ID!, $knit: ID!, $w: ID!) { createTies(input: [
		  {kind: TRUSTS, for: HELP, from: {id: $ann}, to: {id: $bob}, wave: $w},
		  {kind: KNOWS, strength: STRONG, from: {id: $bob}, to: {id: $cat}, wave: $w},
		  {kind: MEMBER_OF, role: MEMBER, from: {id: $ann}, to: {id: $knit}, wave: $w},
		  {kind: MEMBER_OF, role: MEMBER, from: {id: $cat}, to: {id: $knit}, wave: $w}]) { id } }`,
			map[string]any{"ann": s.ann, "bob": s.bob, "cat": s.cat, "knit": s.knit, "w": w}, nil)
	}
	// Dan joined in wave 2 only.
	e.ok(`mutation($dan: ID!, $knit: ID!, $w: ID!) { createTies(input: [{kind: MEMBER_OF, from: {id: $dan}, to: {id: $knit}, wave: $w}]) { id } }`,
		map[string]any{"dan": s.dan, "knit": s.knit, "w": s.w2}, nil)
	return s
}

// TestOneTiePerMeaning holds the answers that repeated a tie once per wave that recorded
// it: memberships, Group.members, trustedRoutes(ALL_SHORTEST), routeCount, egoNetwork.
func TestOneTiePerMeaning(t *testing.T) {
	e := setup(t)
	s := e.waveRound()
	vars := map[string]any{"ann": s.ann, "bob": s.bob, "knit": s.knit, "w1": s.w1, "w2": s.w2}

	type membership struct {
		Group  struct{ Name string }
		Person struct{ DisplayName string }
		Waves  []struct{ ID string }
	}
	var got struct {
		Ann struct {
			Memberships []membership
			W1          []membership
			Ties        []struct {
				Kind  string
				Waves []struct{ Name string }
			}
		}
		Knit struct {
			Members []membership
			W1      []membership
		}
	}
	e.ok(`query($ann: ID!, $knit: ID!, $w1: ID!) {
	  ann: node(id: $ann) { ... on Person { memberships { group { name } waves { id } } w1: memberships(wave: $w1) { group { name } }
	    ties(kinds: [TRUSTS]) { kind waves { name } } } }
	  knit: node(id: $knit) { ... on Group { members { person { displayName } waves { id } } w1: members(wave: $w1) { person { displayName } } } } }`, vars, &got)
	if n := len(got.Ann.Memberships); n != 1 {
		t.Errorf("Ann's memberships list Knit and Natter %d times, want once: %+v", n, got.Ann.Memberships)
	} else if w := got.Ann.Memberships[0].Waves; len(w) != 2 || w[0].ID != s.w1 || w[1].ID != s.w2 {
		t.Errorf("Ann's membership has waves %+v, want wave 1 and wave 2", w)
	}
	if len(got.Ann.Ties) != 1 || len(got.Ann.Ties[0].Waves) != 2 || got.Ann.Ties[0].Waves[0].Name != "Wave 1" {
		t.Errorf("Ann's TRUSTS ties: %+v, want one with waves 1 and 2", got.Ann.Ties)
	}
	var members []string
	for _, m := range got.Knit.Members {
		members = append(members, m.Person.DisplayName)
	}
	if !slices.Equal(members, []string{"Ann", "Cat", "Dan"}) {
		t.Errorf("Group.members = %v, want one entry per person: Ann, Cat, Dan", members)
	}
	var w1 []string
	for _, m := range got.Knit.W1 {
		w1 = append(w1, m.Person.DisplayName)
	}
	if !slices.Equal(w1, []string{"Ann", "Cat"}) || len(got.Ann.W1) != 1 {
		t.Errorf("members(wave: wave 1) = %v, Ann's memberships(wave 1) = %d; want Ann, Cat and 1", w1, len(got.Ann.W1))
	}

	var routes struct {
		TrustedRoutes []struct{ Length int }
	}
	e.ok(`query($ann: ID!, $knit: ID!) { trustedRoutes(from: $ann, to: {groupId: $knit}, mode: ALL_SHORTEST, k: 10) { length } }`, vars, &routes)
	if len(routes.TrustedRoutes) != 1 || routes.TrustedRoutes[0].Length != 1 {
		t.Errorf("trustedRoutes(ALL_SHORTEST) from Ann to Knit: %+v, want the one route of one tie", routes.TrustedRoutes)
	}
	e.ok(`query($bob: ID!, $knit: ID!) { trustedRoutes(from: $bob, to: {groupId: $knit}, mode: ALL_SHORTEST, k: 10) { length } }`, vars, &routes)
	if len(routes.TrustedRoutes) != 1 || routes.TrustedRoutes[0].Length != 2 {
		t.Errorf("trustedRoutes(ALL_SHORTEST) from Bob to Knit: %+v, want one route (Bob > Cat > Knit) though two waves recorded each tie", routes.TrustedRoutes)
	}

	var ego struct {
		EgoNetwork struct {
			Ties []struct{ Kind string }
		}
	}
	e.ok(`query($ann: ID!) { egoNetwork(id: $ann, kinds: [TRUSTS, MEMBER_OF, KNOWS]) { ties { kind } } }`, vars, &ego)
	// Ann TRUSTS Bob, Ann and Cat are members of Knit, Bob KNOWS Cat: each once.
	if n := len(ego.EgoNetwork.Ties); n != 2 {
		t.Errorf("egoNetwork(Ann) has %d ties, want 2 (TRUSTS Bob, MEMBER_OF Knit): %+v", n, ego.EgoNetwork.Ties)
	}

	// Bob is Ann's one link to Cat (authority): one route, counted once.
	e.ok(`mutation($id: ID!) { updatePeople(input: [{id: $id, isAuthority: true}]) { id } }`, map[string]any{"id": s.dan}, nil)
	e.ok(`mutation($bob: ID!, $dan: ID!, $w1: ID!, $w2: ID!) { createTies(input: [
	  {kind: KNOWS, strength: STRONG, from: {id: $bob}, to: {id: $dan}, wave: $w1},
	  {kind: KNOWS, strength: STRONG, from: {id: $bob}, to: {id: $dan}, wave: $w2}]) { id } }`,
		map[string]any{"bob": s.bob, "dan": s.dan, "w1": s.w1, "w2": s.w2}, nil)
	var links struct {
		LinksToAuthority struct {
			Links []struct {
				Node       struct{ ID string }
				RouteCount int
			}
		}
	}
	e.ok(`query($ann: ID!) { linksToAuthority(person: $ann, options: {kinds: [TRUSTS, KNOWS]}) { links { node { id } routeCount } } }`, vars, &links)
	if len(links.LinksToAuthority.Links) != 1 || links.LinksToAuthority.Links[0].RouteCount != 1 {
		t.Errorf("linksToAuthority(Ann) links = %+v, want Bob on 1 route", links.LinksToAuthority.Links)
	}
}

// TestRemoveTieFromAWave checks that removeTies with a wave takes only that wave off the
// tie, and the tie itself once no wave is left; and that recording again is idempotent.
func TestRemoveTieFromAWave(t *testing.T) {
	e := setup(t)
	s := e.waveRound()
	before := e.counts()
	e.survey2Again(s)
	if after := e.counts(); after != before {
		t.Fatalf("recording the same ties again changed the graph: %v, then %v", before, after)
	}
	remove := `mutation($ann: ID!, $knit: ID!, $w: ID) { removeTies(input: [{kind: MEMBER_OF, from: {id: $ann}, to: {id: $knit}, wave: $w}]) { count } }`
	read := func() []string {
		var got struct {
			Node struct {
				Memberships []struct{ Waves []struct{ ID string } }
			}
		}
		e.ok(`query($ann: ID!) { node(id: $ann) { ... on Person { memberships { waves { id } } } } }`, map[string]any{"ann": s.ann}, &got)
		if len(got.Node.Memberships) == 0 {
			return nil
		}
		var out []string
		for _, w := range got.Node.Memberships[0].Waves {
			out = append(out, w.ID)
		}
		return out
	}
	e.ok(remove, map[string]any{"ann": s.ann, "knit": s.knit, "w": s.w1}, nil)
	if got := read(); !slices.Equal(got, []string{s.w2}) {
		t.Errorf("after removing wave 1, the membership has waves %v, want [wave 2]", got)
	}
	e.fails(remove, map[string]any{"ann": s.ann, "knit": s.knit, "w": s.w1}, "NOT_FOUND", "input[0]")
	e.ok(remove, map[string]any{"ann": s.ann, "knit": s.knit, "w": s.w2}, nil)
	if got := read(); got != nil {
		t.Errorf("after removing its last wave, the membership is still there: %v", got)
	}

	// Deleting a wave takes it off the ties it recorded, which stay, and removes what it
	// measured.
	e.ok(`mutation($in: [ObservationInput!]!) { recordObservations(input: $in) { count } }`, map[string]any{"in": []any{
		map[string]any{"person": s.ann, "wave": s.w2, "method": "PHONE", "onsHappy": 7}}}, nil)
	e.ok(`mutation($w: ID!) { deleteWaves(ids: [$w]) { count } }`, map[string]any{"w": s.w2}, nil)
	var after struct {
		Ann struct {
			Ties         []struct{ Waves []struct{ ID string } }
			Observations []struct{ Method string }
		}
		Dan struct {
			Memberships []struct{ Waves []struct{ ID string } }
		}
	}
	e.ok(`query($ann: ID!, $dan: ID!) { ann: node(id: $ann) { ... on Person { ties(kinds: [TRUSTS]) { waves { id } } observations { method } } }
	  dan: node(id: $dan) { ... on Person { memberships { waves { id } } } } }`, map[string]any{"ann": s.ann, "dan": s.dan}, &after)
	if len(after.Ann.Ties) != 1 || len(after.Ann.Ties[0].Waves) != 1 || after.Ann.Ties[0].Waves[0].ID != s.w1 || len(after.Ann.Observations) != 0 {
		t.Errorf("after deleting wave 2, Ann's TRUSTS %+v and observations %+v; want the tie in wave 1 only, no observation", after.Ann.Ties, after.Ann.Observations)
	}
	if len(after.Dan.Memberships) != 1 || len(after.Dan.Memberships[0].Waves) != 0 {
		t.Errorf("after deleting wave 2, Dan's membership (recorded only then): %+v; want it kept with no wave", after.Dan.Memberships)
	}
}

// survey2Again records wave 2's ties a second time.
func (e *env) survey2Again(s waveRound) {
	e.t.Helper()
	e.ok(`mutation($ann: ID!, $bob: ID!, $cat: ID!, $knit: ID!, $w: ID!) { createTies(input: [
	  {kind: TRUSTS, for: HELP, from: {id: $ann}, to: {id: $bob}, wave: $w},
	  {kind: KNOWS, strength: STRONG, from: {id: $bob}, to: {id: $cat}, wave: $w},
	  {kind: MEMBER_OF, role: MEMBER, from: {id: $ann}, to: {id: $knit}, wave: $w}]) { id } }`,
		map[string]any{"ann": s.ann, "bob": s.bob, "cat": s.cat, "knit": s.knit, "w": s.w2}, nil)
}

// TestObservations records measurements per wave and reads them back as every role.
func TestObservations(t *testing.T) {
	e := setup(t)
	s := e.waveRound()
	record := `mutation($in: [ObservationInput!]!) { recordObservations(input: $in) { count } }`
	items := func(v, n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	obs := []map[string]any{
		{"person": s.ann, "wave": s.w1, "method": "DOORSTEP", "interviewId": "int-1", "recordedAt": "2024-03-02T10:00:00Z",
			"swemwbsItems": []int{3, 3, 3, 3, 3, 3, 2}, "onsLifeSatisfaction": 6, "onsWorthwhile": 7, "onsHappy": 5, "onsAnxious": 3,
			"employment": "UNEMPLOYED", "household": "single", "ageBand": "45-64"},
		{"person": s.ann, "wave": s.w2, "method": "PHONE", "wemwbsItems": items(4, 14), "swemwbsRaw": 28, "employment": "EMPLOYED"},
		{"person": s.bob, "wave": s.w1, "method": "PAPER", "swemwbsRaw": 20},
	}
	var res struct{ RecordObservations struct{ Count int } }
	e.ok(record, map[string]any{"in": obs}, &res)
	before := e.counts()
	e.ok(record, map[string]any{"in": obs}, &res) // idempotent
	if after := e.counts(); after != before || res.RecordObservations.Count != 3 {
		t.Errorf("recording again: %d recorded, graph %v then %v", res.RecordObservations.Count, before, after)
	}

	t.Run("bad input", func(t *testing.T) {
		cases := []struct {
			name  string
			in    map[string]any
			field string
		}{
			{"WEMWBS item out of range", map[string]any{"wemwbsItems": append(items(3, 13), 6)}, "input[0].wemwbsItems[13]"},
			{"WEMWBS with too few items", map[string]any{"wemwbsItems": items(3, 7)}, "input[0].wemwbsItems"},
			{"WEMWBS total out of range", map[string]any{"wemwbs": 71}, "input[0].wemwbs"},
			{"SWEMWBS raw out of range", map[string]any{"swemwbsRaw": 6}, "input[0].swemwbsRaw"},
			{"SWEMWBS items and total", map[string]any{"swemwbsRaw": 20, "swemwbsItems": items(3, 7)}, "input[0].swemwbsRaw"},
			{"ONS item out of range", map[string]any{"onsAnxious": 11}, "input[0].onsAnxious"},
			{"ONS item negative", map[string]any{"onsHappy": -1}, "input[0].onsHappy"},
			{"household outside the list", map[string]any{"household": "castle"}, "input[0].household"},
			{"age band outside the list", map[string]any{"ageBand": "30-40"}, "input[0].ageBand"},
			{"MIGRATED is not an input method", map[string]any{"method": "MIGRATED"}, "input[0].method"},
			{"not a wave id", map[string]any{"wave": s.ann}, "input[0].wave"},
		}
		for _, c := range cases {
			in := map[string]any{"person": s.cat, "wave": s.w1, "method": "DOORSTEP"}
			for k, v := range c.in {
				in[k] = v
			}
			before := e.counts()
			e.with(t).fails(record, map[string]any{"in": []any{in}}, "BAD_USER_INPUT", c.field)
			if after := e.counts(); after != before {
				t.Errorf("%s: the graph changed: %v, then %v", c.name, before, after)
			}
		}
		e.with(t).fails(record, map[string]any{"in": []any{map[string]any{"person": s.cat, "wave": "wave_00000000000000000000", "method": "PHONE"}}}, "NOT_FOUND", "input[0].wave")
	})

	query := `query($ann: ID!, $w2: ID!) { node(id: $ann) { ... on Person { wellbeing householdType
	  observations { wave { name } method interviewId wemwbs swemwbsRaw swemwbsMetric onsLifeSatisfaction onsWorthwhile onsHappy onsAnxious employment household ageBand }
	  w2: observations(wave: $w2) { method } } } }`
	type observation struct {
		Wave                                                                         struct{ Name string }
		Method                                                                       string
		InterviewID                                                                  *string
		Wemwbs, SwemwbsRaw, OnsLifeSatisfaction, OnsWorthwhile, OnsHappy, OnsAnxious *int
		SwemwbsMetric                                                                *float64
		Employment, Household, AgeBand                                               *string
	}
	var got struct {
		Node struct {
			Wellbeing     *int
			HouseholdType *string
			Observations  []observation
			W2            []struct{ Method string }
		}
	}
	read := func(as *env, id, w2 string) {
		got.Node.Observations, got.Node.W2 = nil, nil
		as.ok(query, map[string]any{"ann": id, "w2": w2}, &got)
	}
	t.Run("admin", func(t *testing.T) {
		read(e.with(t), s.ann, s.w2)
		o := got.Node.Observations
		if len(o) != 2 || o[0].Wave.Name != "Wave 1" || o[1].Wave.Name != "Wave 2" || len(got.Node.W2) != 1 || got.Node.W2[0].Method != "PHONE" {
			t.Fatalf("observations: %+v, wave 2: %+v", o, got.Node.W2)
		}
		// 3*6+2 = 20 raw, 18.59 metric; ONS4 apart; WEMWBS 14 items of 4 = 56.
		if *o[0].SwemwbsRaw != 20 || *o[0].SwemwbsMetric != 18.59 || o[0].Wemwbs != nil || *o[0].OnsAnxious != 3 ||
			*o[0].OnsLifeSatisfaction != 6 || *o[0].Employment != "UNEMPLOYED" || *o[0].InterviewID != "int-1" {
			t.Errorf("wave 1: %+v", o[0])
		}
		if *o[1].Wemwbs != 56 || *o[1].SwemwbsRaw != 28 || *o[1].SwemwbsMetric != 25.03 || o[1].OnsHappy != nil || o[1].Household != nil {
			t.Errorf("wave 2: %+v", o[1])
		}
		// The person reads as last observed: wave 2's score, wave 1's household (wave 2 did not ask).
		if got.Node.Wellbeing == nil || *got.Node.Wellbeing != 28 || got.Node.HouseholdType == nil || *got.Node.HouseholdType != "single" {
			t.Errorf("Ann's latest values: wellbeing %v, household %v", got.Node.Wellbeing, got.Node.HouseholdType)
		}
	})
	t.Run("worker: wellbeing with consent only", func(t *testing.T) {
		w := e.as(auth.Worker, s.area).with(t)
		read(w, s.ann, s.w2)
		if o := got.Node.Observations; len(o) != 2 || o[0].SwemwbsRaw == nil || *o[0].SwemwbsRaw != 20 {
			t.Errorf("Ann consented to wellbeing; worker read %+v", o)
		}
		read(w, s.bob, s.w2)
		if o := got.Node.Observations; len(o) != 1 || o[0].SwemwbsRaw != nil || o[0].SwemwbsMetric != nil || o[0].Method != "PAPER" {
			t.Errorf("Bob did not consent to wellbeing; worker read %+v", o)
		}
		w.fails(record, map[string]any{"in": []any{map[string]any{"person": s.out, "wave": s.w1, "method": "DOORSTEP"}}}, "FORBIDDEN", "input[0].person")
		var res struct{ RecordObservations struct{ Count int } }
		w.ok(record, map[string]any{"in": []any{map[string]any{"person": s.cat, "wave": s.w2, "method": "DOORSTEP", "onsHappy": 8}}}, &res)
	})
	t.Run("analyst: never an individual's wellbeing", func(t *testing.T) {
		a := e.as(auth.Analyst).with(t)
		read(a, analystID(t, s.ann), analystID(t, s.w2))
		o := got.Node.Observations
		if len(o) != 2 || len(got.Node.W2) != 1 {
			t.Fatalf("analyst read %+v", o)
		}
		for _, x := range o {
			if x.SwemwbsRaw != nil || x.SwemwbsMetric != nil || x.Wemwbs != nil || x.OnsAnxious != nil || x.OnsHappy != nil ||
				x.OnsLifeSatisfaction != nil || x.OnsWorthwhile != nil || x.InterviewID != nil {
				t.Errorf("analyst read an individual's wellbeing or interview: %+v", x)
			}
		}
		if o[0].Employment == nil || *o[0].Employment != "UNEMPLOYED" {
			t.Errorf("analyst should read the employment status of a consenting person: %+v", o[0])
		}
		a.fails(record, map[string]any{"in": []any{map[string]any{"person": analystID(t, s.ann), "wave": analystID(t, s.w1), "method": "PHONE"}}}, "FORBIDDEN", "")
	})
	t.Run("partner and anonymous", func(t *testing.T) {
		e.as(auth.Partner).with(t).fails(query, map[string]any{"ann": s.ann, "w2": s.w2}, "FORBIDDEN", "")
		e.as(auth.Partner).with(t).fails(record, map[string]any{"in": obs[:1]}, "FORBIDDEN", "")
		e.as("").with(t).fails(query, map[string]any{"ann": s.ann, "w2": s.w2}, "UNAUTHENTICATED", "")
	})
	t.Run("respondents", func(t *testing.T) {
		var waves struct {
			Waves struct {
				Nodes []struct {
					Name        string
					Respondents int
				}
			}
		}
		e.with(t).ok(`{ waves(orderBy: [{field: COLLECTED_ON}]) { nodes { name respondents } } }`, nil, &waves)
		got := fmt.Sprint(waves.Waves.Nodes)
		if got != "[{Wave 1 2} {Wave 2 2} {Wave 3 0}]" {
			t.Errorf("respondents per wave: %s", got)
		}
	})
}

// TestWavesMigration loads ties as they were stored before migration 0007 (one
// relationship per wave, the wave in its key) and a person's wellbeing on the person,
// runs the migration twice, and checks the copies became one tie and the wellbeing an
// observation.
func TestWavesMigration(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	s := e.waveRound()
	run := func(q string, params map[string]any) {
		t.Helper()
		if _, err := neo4j.ExecuteQuery(ctx, e.driver, q, params, neo4j.EagerResultTransformer); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Back to the old shape: every tie one relationship per wave, keyed wave|purpose.
	run(`MATCH ()-[r]->() WHERE r.waves IS NOT NULL
	  WITH r, CASE WHEN size(r.waves) = 0 THEN [null] ELSE r.waves END AS ws
	  UNWIND range(0, size(ws) - 1) AS i
	  WITH r, ws[i] AS w, i
	  CALL (r, w, i) {
	    WITH r, w, i WHERE i > 0
	    MATCH (a)-[r]->(z)
	    CREATE (a)-[c:$(type(r))]->(z) SET c = properties(r), c.id = r.id + '-' + toString(i), c.wave = w,
	      c.key = coalesce(w, '') + '|' + coalesce(r.`+"`for`"+`, ''), c.recordedAt = r.recordedAt + duration({days: i})
	    REMOVE c.waves
	  }
	  WITH DISTINCT r
	  WITH r, CASE WHEN size(r.waves) = 0 THEN [null] ELSE r.waves END AS ws
	  SET r.wave = ws[0], r.key = coalesce(ws[0], '') + '|' + coalesce(r.`+"`for`"+`, '')
	  REMOVE r.waves`, nil)
	run(`MATCH (o:Observation) DETACH DELETE o`, nil)
	run(`MATCH (p:Person {id: $ann}) SET p.wellbeing = 24, p.householdType = 'couple'`, map[string]any{"ann": s.ann})
	run(`MATCH (p:Person {id: $out}) SET p.ageBand = '75+'`, map[string]any{"out": s.out})
	var dup struct {
		Node struct{ Memberships []struct{ ID string } }
	}
	e.ok(`query($ann: ID!) { node(id: $ann) { ... on Person { memberships { id } } } }`, map[string]any{"ann": s.ann}, &dup)
	if len(dup.Node.Memberships) != 2 {
		t.Fatalf("the old shape should repeat Ann's membership, once per wave: %+v", dup.Node.Memberships)
	}

	migrate := func() [2]int64 {
		t.Helper()
		run(`MATCH (m:KithMigration {version: 7}) DELETE m`, nil)
		applied, err := e.store.Migrate(ctx)
		if err != nil || !slices.Equal(applied, []int{7}) {
			t.Fatalf("migrate: applied %v, %v", applied, err)
		}
		return e.counts()
	}
	first := migrate()
	if second := migrate(); second != first {
		t.Errorf("running 0007 again changed the graph: %v, then %v", first, second)
	}

	var got struct {
		Ann struct {
			Memberships []struct{ Waves []struct{ ID string } }
			Ties        []struct {
				Kind  string
				For   *string
				Waves []struct{ ID string }
			}
			Observations []struct {
				Wave       struct{ ID string }
				Method     string
				SwemwbsRaw *int
				Household  *string
			}
		}
		Out struct {
			Observations []struct {
				Wave    struct{ ID string }
				AgeBand *string
			}
		}
	}
	e.ok(`query($ann: ID!, $out: ID!) {
	  ann: node(id: $ann) { ... on Person { memberships { waves { id } } ties(kinds: [TRUSTS]) { kind for waves { id } }
	    observations { wave { id } method swemwbsRaw household } } }
	  out: node(id: $out) { ... on Person { observations { wave { id } ageBand } } } }`, map[string]any{"ann": s.ann, "out": s.out}, &got)
	if m := got.Ann.Memberships; len(m) != 1 || len(m[0].Waves) != 2 {
		t.Errorf("after 0007, Ann's memberships: %+v, want one with two waves", m)
	}
	if ties := got.Ann.Ties; len(ties) != 1 || ties[0].For == nil || *ties[0].For != "HELP" || len(ties[0].Waves) != 2 {
		t.Errorf("after 0007, Ann's TRUSTS: %+v", ties)
	}
	// Ann named people in waves 1 and 2: her values go to wave 2, the latest she named
	// someone in. Out named nobody: the latest wave (3).
	if o := got.Ann.Observations; len(o) != 1 || o[0].Wave.ID != s.w2 || o[0].Method != "MIGRATED" || o[0].SwemwbsRaw == nil ||
		*o[0].SwemwbsRaw != 24 || o[0].Household == nil || *o[0].Household != "couple" {
		t.Errorf("Ann's migrated observation: %+v", o)
	}
	if o := got.Out.Observations; len(o) != 1 || o[0].Wave.ID != s.w3 || o[0].AgeBand == nil || *o[0].AgeBand != "75+" {
		t.Errorf("Out's migrated observation: %+v", o)
	}
	res, err := neo4j.ExecuteQuery(ctx, e.driver, `MATCH ()-[r]->() WHERE r.key IS NOT NULL RETURN count(r.wave) AS old, count(*) - count(r.waves) AS listless`, nil, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Records[0].Values; v[0].(int64) != 0 || v[1].(int64) != 0 {
		raw, _ := json.Marshal(v)
		t.Errorf("after 0007, ties with a wave property, ties without waves: %s", raw)
	}
}

// TestDemoHoldsOneTiePerMeaning loads the demo neighbourhood, whose survey recorded many
// ties in both waves, and checks that no pair, kind and meaning is two relationships, that
// every group lists each member once, and that every surveyed resident has an observation
// in each wave.
func TestDemoHoldsOneTiePerMeaning(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	g := seed.Demo()
	if err := g.Load(ctx, e.store, nil); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int64 {
		t.Helper()
		res, err := neo4j.ExecuteQuery(ctx, e.driver, q, nil, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return res.Records[0].Values[0].(int64)
	}
	if n := count(`MATCH (a)-[r]->(z) WHERE r.key IS NOT NULL WITH a, z, type(r) AS t, r.key AS k, count(*) AS n WHERE n > 1 RETURN count(*)`); n != 0 {
		t.Errorf("%d pairs, kinds and meanings are more than one relationship", n)
	}
	if n := count(`MATCH ()-[r]->() WHERE size(r.waves) > 1 RETURN count(r)`); n == 0 {
		t.Errorf("no tie remembers two waves: the demo's second wave should record many ties again")
	}
	if n := count(`MATCH (w:Wave) RETURN count(w)`); n < 2 {
		t.Fatalf("the demo has %d waves", n)
	}
	respondents := int64(len(g.Observations))
	if n := count(`MATCH (:Person)-[:OBSERVED]->(o:Observation)-[:IN_WAVE]->(:Wave) RETURN count(o)`); n != respondents || n == 0 {
		t.Errorf("%d observations stored, the demo made %d", n, respondents)
	}
	var groups struct {
		Groups struct {
			Nodes []struct {
				Name    string
				Members []struct{ Person struct{ ID string } }
			}
		}
	}
	e.ok(`{ groups(first: 100) { nodes { name members(first: 500) { person { id } } } } }`, nil, &groups)
	checked := 0
	for _, gr := range groups.Groups.Nodes {
		seen := map[string]bool{}
		for _, m := range gr.Members {
			if seen[m.Person.ID] {
				t.Errorf("%s lists %s twice", gr.Name, m.Person.ID)
			}
			seen[m.Person.ID] = true
		}
		checked += len(gr.Members)
	}
	if checked == 0 {
		t.Fatal("no group has members: nothing was checked")
	}
}

// TestWaveAnalysis asks the seeds' two questions as single requests: did wellbeing rise
// among those who gained ties between wave 1 and wave 3, and what share of people are
// isolated, by employment status, in a wave.
func TestWaveAnalysis(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	var nodes []cypher.LoadNode
	id := func(label, key string) string { return nodeid.FromKey(label, "wave-analysis-"+key) }
	w1, w3 := id("Wave", "w1"), id("Wave", "w3")
	nodes = append(nodes, cypher.LoadNode{Label: "Wave", ID: w1, Props: map[string]any{"name": "Wave 1", "collectedOn": "2024-03-01"}},
		cypher.LoadNode{Label: "Wave", ID: w3, Props: map[string]any{"name": "Wave 3", "collectedOn": "2026-03-01"}})
	var ties []cypher.LoadTie
	var obs []cypher.ObservationInput
	person := func(key string) string {
		p := id("Person", key)
		nodes = append(nodes, cypher.LoadNode{Label: "Person", ID: p, Props: map[string]any{"displayName": key,
			"consentAnalysis": true, "consentWellbeing": true}})
		return p
	}
	observe := func(p, w string, raw int, employment string) {
		obs = append(obs, cypher.ObservationInput{PersonID: p, WaveID: w, Method: "DOORSTEP", SWEMWBSRaw: &raw, Employment: employment})
	}
	// Six people who gained a tie in wave 3 (they know one another in pairs), from 15 to 22;
	// five who stayed alone, from 20 to 19; one who gained a tie but was not surveyed in
	// wave 3.
	var gainers []string
	for i := range 6 {
		p := person(fmt.Sprint("gainer", i))
		gainers = append(gainers, p)
		observe(p, w1, 15, "UNEMPLOYED")
		observe(p, w3, 22, "EMPLOYED")
	}
	for i := 0; i < 6; i += 2 {
		ties = append(ties, cypher.LoadTie{Kind: "KNOWS", From: gainers[i], To: gainers[i+1], Props: map[string]any{"strength": "WEAK", "wave": w3}})
	}
	for i := range 5 {
		p := person(fmt.Sprint("stayer", i))
		observe(p, w1, 20, "UNEMPLOYED")
		observe(p, w3, 19, "UNEMPLOYED")
	}
	absent := person("absent")
	observe(absent, w1, 10, "UNEMPLOYED")
	ties = append(ties, cypher.LoadTie{Kind: "KNOWS", From: absent, To: gainers[0], Props: map[string]any{"strength": "WEAK", "wave": w3}})
	if err := e.store.Load(ctx, nodes, ties, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RecordObservations(ctx, cypher.Scope{}, obs); err != nil {
		t.Fatal(err)
	}

	rise := `query($w1: ID!, $w3: ID!) {
	  before: wellbeingSummary(wave: $w1, tieChange: {from: $w1, to: $w3, change: GAINED}) { people scored mean noise { epsilon } }
	  after: wellbeingSummary(wave: $w3, tieChange: {from: $w1, to: $w3, change: GAINED}) { people scored mean noise { epsilon } }
	  stayed: wellbeingSummary(wave: $w3, tieChange: {from: $w1, to: $w3, change: SAME}) { people scored mean } }`
	type summary struct {
		People, Scored int
		Mean           *float64
		Noise          *struct{ Epsilon float64 }
	}
	var got struct{ Before, After, Stayed summary }
	e.ok(rise, map[string]any{"w1": w1, "w3": w3}, &got)
	if got.Before.People != 6 || got.Before.Mean == nil || *got.Before.Mean != 15 || got.After.Mean == nil || *got.After.Mean != 22 {
		t.Errorf("those who gained ties: before %+v, after %+v; want 6 people, 15 then 22", got.Before, got.After)
	}
	if got.Stayed.People != 5 || got.Stayed.Mean == nil || *got.Stayed.Mean != 19 {
		t.Errorf("those whose ties stayed the same, in wave 3: %+v; want 5 people at 19", got.Stayed)
	}
	// Analysts get the same question with noise, spending their budget.
	got = struct{ Before, After, Stayed summary }{}
	e.analyst("wave-analyst").ok(rise, map[string]any{"w1": analystID(t, w1), "w3": analystID(t, w3)}, &got)
	if got.Before.Noise == nil || got.After.Noise == nil || got.Before.People != 6 {
		t.Errorf("an analyst's summaries must carry noise: %+v, %+v", got.Before, got.After)
	}
	e.fails(`query($p: ID!) { wellbeingSummary(wave: $p) { people } }`, map[string]any{"p": gainers[0]}, "BAD_USER_INPUT", "wave")
	e.fails(`query($w: ID!) { wellbeingSummary(tieChange: {from: $w, to: "wave_00000000000000000000", change: LOST}) { people } }`,
		map[string]any{"w": w1}, "NOT_FOUND", "tieChange.to")

	var byEmployment struct {
		NetworkSummary struct {
			Groups []struct {
				Value        *string
				People       int
				Isolates     int
				IsolateShare float64
			}
		}
	}
	e.ok(`query($w3: ID!) { networkSummary(scope: {waveId: $w3, labels: [PERSON]}, by: EMPLOYMENT) { groups { value people isolates isolateShare } } }`,
		map[string]any{"w3": w3}, &byEmployment)
	shares := map[string]string{}
	for _, g := range byEmployment.NetworkSummary.Groups {
		v := "not surveyed"
		if g.Value != nil {
			v = *g.Value
		}
		shares[v] = fmt.Sprintf("%d/%d", g.Isolates, g.People)
	}
	if shares["EMPLOYED"] != "0/6" || shares["UNEMPLOYED"] != "5/5" {
		t.Errorf("isolates by employment status in wave 3: %v; want EMPLOYED 0/6, UNEMPLOYED 5/5", shares)
	}
}

// TestRoutesInAWave: RouteOptions.wave keeps a route to the ties, memberships and
// interests that wave recorded; without it a route follows each tie once, whatever waves
// recorded it.
func TestRoutesInAWave(t *testing.T) {
	e := setup(t)
	s := e.waveRound()
	// Bob also knows Dan well, as wave 1 recorded; Dan joined Knit and Natter in wave 2 only.
	e.ok(`mutation($bob: ID!, $dan: ID!, $w: ID!) { createTies(input: [{kind: KNOWS, strength: STRONG, from: {id: $bob}, to: {id: $dan}, wave: $w}]) { id } }`,
		map[string]any{"bob": s.bob, "dan": s.dan, "w": s.w1}, nil)
	type route struct {
		Length int
		Steps  []struct{ Node struct{ ID string } }
	}
	routes := func(wave any) []route {
		t.Helper()
		var got struct{ TrustedRoutes []route }
		e.ok(`query($bob: ID!, $knit: ID!, $w: ID) { trustedRoutes(from: $bob, to: {groupId: $knit}, mode: ALL_SHORTEST, k: 10, options: {wave: $w}) {
		  length steps { node { id } } } }`, map[string]any{"bob": s.bob, "knit": s.knit, "w": wave}, &got)
		return got.TrustedRoutes
	}
	if got := routes(nil); len(got) != 2 {
		t.Errorf("routes from Bob to Knit in any wave: %+v, want two (through Cat and through Dan)", got)
	}
	for _, w := range []string{s.w1, s.w2} {
		got := routes(w)
		if len(got) != 1 || got[0].Length != 2 || len(got[0].Steps) != 3 || got[0].Steps[1].Node.ID != s.cat {
			t.Errorf("routes from Bob to Knit in wave %s: %+v, want the one through Cat", w, got)
		}
	}
	if got := routes(s.w3); len(got) != 0 {
		t.Errorf("routes in wave 3, which recorded no tie: %+v", got)
	}
	e.fails(`query($bob: ID!, $knit: ID!) { shortestTrustedPath(from: $bob, to: {groupId: $knit}, options: {wave: "person_x"}) { length } }`,
		map[string]any{"bob": s.bob, "knit": s.knit}, "BAD_USER_INPUT", "options.wave")
}
