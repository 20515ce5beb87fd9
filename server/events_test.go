package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"kith/auth"
)

// eventsFixture records, beside fixture(3) (Eccles > Barton with the Hub and Knit and
// Natter, p000-p002 its members), Winton apart with Winton Hall and the Walkers (interested
// in walking, which p002 likes), the Memory Café (sensitive, Barton) and these events:
//
//	knitnight weekly on Tuesdays 7-9 pm London time from 3 March 2026, not on 17 March; Knit and Natter at the Hub
//	walk   once, 12 March 2026 10 am; the Walkers at Winton Hall
//	lunch  the first Saturday of the month at noon, five times, from 7 March 2026; at the Hub, in Europe/Paris time
//	cafeweekly weekly on Thursdays 2 pm from 5 March 2026; the Memory Café at the Hub; p001 went
//
// It returns the ids by external id (and area name).
func eventsFixture(e *env) map[string]string {
	e.t.Helper()
	people := e.fixture(3)
	e.ok(`mutation { createAreas(input: [{externalId: "winton", name: "Winton"}]) { id } }`, nil, nil)
	ids := e.areaIDs()
	ids["p000"], ids["p001"], ids["p002"] = people[0], people[1], people[2]
	e.ok(`mutation($w: ID, $b: ID) {
	  createPlaces(input: [{externalId: "hall", name: "Winton Hall", areaId: $w}]) { id }
	  createGroups(input: [{externalId: "walkers", name: "Walkers", areaId: $w}, {externalId: "cafe", name: "Memory Café", sensitive: true, areaId: $b}]) { id }
	  createInterests(input: [{externalId: "walking", name: "Walking"}]) { id }
	}`, map[string]any{"w": ids["Winton"], "b": ids["Barton"]}, nil)
	var r struct {
		Places, Groups, Interests struct {
			Nodes []struct{ ID, ExternalID string }
		}
	}
	e.ok(`{ places { nodes { id externalId } } groups { nodes { id externalId } } interests { nodes { id externalId } } }`, nil, &r)
	for _, l := range [][]struct{ ID, ExternalID string }{r.Places.Nodes, r.Groups.Nodes, r.Interests.Nodes} {
		for _, n := range l {
			ids[n.ExternalID] = n.ID
		}
	}
	var created struct {
		CreateEvents []struct{ ID, ExternalID string }
	}
	e.ok(`mutation($in: [EventInput!]!) { createEvents(input: $in) { id externalId } }`, map[string]any{"in": []map[string]any{
		{"externalId": "knitnight", "title": "Knit and natter", "start": "2026-03-03T19:00:00Z", "end": "2026-03-03T21:00:00Z",
			"recurrence": "FREQ=WEEKLY;BYDAY=TU", "exceptions": []string{"2026-03-17T19:00:00Z"}, "groupId": ids["knit"], "placeId": ids["hub"],
			"cost": "free", "accessibility": "step-free"},
		{"externalId": "walk", "title": "Spring walk", "start": "2026-03-12T10:00:00Z", "groupId": ids["walkers"], "placeId": ids["hall"]},
		{"externalId": "lunch", "title": "Lunch club", "start": "2026-03-07T11:00:00Z", "timeZone": "Europe/Paris",
			"recurrence": "RRULE:FREQ=MONTHLY;BYDAY=1SA;COUNT=5", "placeId": ids["hub"]},
		{"externalId": "cafeweekly", "title": "Memory café", "start": "2026-03-05T14:00:00Z", "recurrence": "FREQ=WEEKLY", "groupId": ids["cafe"], "placeId": ids["hub"]},
	}}, &created)
	for _, ev := range created.CreateEvents {
		ids[ev.ExternalID] = ev.ID
	}
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"kind": "INTERESTED_IN", "from": ref("GROUP", "walkers"), "to": ref("INTEREST", "walking")},
		{"kind": "INTERESTED_IN", "from": ref("PERSON", "p002"), "to": ref("INTEREST", "walking")},
		{"kind": "ATTENDED", "from": ref("PERSON", "p001"), "to": ref("EVENT", "cafeweekly")},
	}}, nil)
	return ids
}

type occurrence struct {
	EventID string
	Start   string
	End     *string
	Event   struct{ ID, Title, TimeZone string }
}

type occurrencePage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	Edges []struct {
		Cursor string
		Node   occurrence
	}
}

const eventsQuery = `query($from: DateTime!, $to: DateTime!, $area: ID, $interests: [ID!], $first: Int, $after: String, $last: Int, $before: String) {
  events(from: $from, to: $to, area: $area, interests: $interests, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { eventId start end event { id title timeZone } } } } }`

// occurrencesOf reads every page of events(...) with the env's token, pageSize at a time.
func occurrencesOf(e *env, vars map[string]any, pageSize int) []occurrence {
	e.t.Helper()
	var out []occurrence
	var after any
	for {
		v := map[string]any{"first": pageSize, "after": after}
		for k, x := range vars {
			v[k] = x
		}
		var r struct{ Events occurrencePage }
		e.ok(eventsQuery, v, &r)
		for _, edge := range r.Events.Edges {
			out = append(out, edge.Node)
		}
		if !r.Events.PageInfo.HasNextPage {
			return out
		}
		after = *r.Events.PageInfo.EndCursor
	}
}

// referenceStarts expands the events with python-dateutil (testdata/expand_rrule.py) and
// returns "start id" lines for the starts in [from, to).
func referenceStarts(t *testing.T, from, to string, events []map[string]any) []string {
	t.Helper()
	python := os.Getenv("KITH_PYTHON")
	if python == "" {
		t.Skip("KITH_PYTHON is not set: run make pyenv and point it at .kith/venv/bin/python")
	}
	in, _ := json.Marshal(map[string]any{"from": from, "to": to, "events": events})
	cmd := exec.Command(python, "testdata/expand_rrule.py")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("expand_rrule.py: %v %s", err, out)
	}
	var pairs [][2]string
	if err := json.Unmarshal(out, &pairs); err != nil {
		t.Fatalf("expand_rrule.py: %v: %s", err, out)
	}
	lines := make([]string, len(pairs))
	for i, p := range pairs {
		lines[i] = p[0] + " " + p[1]
	}
	return lines
}

// storedEvents reads every event as stored, in the shape expand_rrule.py reads.
func storedEvents(e *env) []map[string]any {
	e.t.Helper()
	var r struct {
		EventList struct {
			Nodes []struct {
				ID, Start, TimeZone string
				Recurrence          *string
				Exceptions          []string
			}
		}
	}
	e.ok(`{ eventList(first: 100) { nodes { id start timeZone recurrence exceptions } } }`, nil, &r)
	var out []map[string]any
	for _, n := range r.EventList.Nodes {
		out = append(out, map[string]any{"id": n.ID, "start": n.Start, "timeZone": n.TimeZone, "recurrence": n.Recurrence, "exceptions": n.Exceptions})
	}
	return out
}

func startLines(os []occurrence) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Start + " " + o.EventID
	}
	return out
}

// TestEvents records events and reads their occurrences back: recurrences expanded as
// python-dateutil expands them (through summer time, exceptions left out, another zone),
// paged forwards and backwards by keyset cursors, narrowed by area and interests, bounded,
// and shown to each role as the Access table says.
func TestEvents(t *testing.T) {
	e := setup(t)
	ids := eventsFixture(e)
	from, to := "2026-03-01T00:00:00Z", "2026-06-01T00:00:00Z"
	window := map[string]any{"from": from, "to": to}

	t.Run("recurrences as dateutil expands them", func(t *testing.T) {
		e := e.with(t)
		got := occurrencesOf(e, window, 7)
		want := referenceStarts(t, from, to, storedEvents(e))
		if !slices.Equal(startLines(got), want) {
			t.Fatalf("events:\n got %v\nwant %v", startLines(got), want)
		}
		// Tuesdays at 7 pm London: 19:00Z in winter, 18:00Z from 29 March; not on 17 March.
		var knit []string
		for _, o := range got {
			if o.EventID == ids["knitnight"] {
				knit = append(knit, o.Start)
				if o.End == nil {
					t.Errorf("knit at %s has no end", o.Start)
				} else if s, _ := time.Parse(time.RFC3339, o.Start); true {
					if en, _ := time.Parse(time.RFC3339, *o.End); en.Sub(s) != 2*time.Hour {
						t.Errorf("knit at %s ends at %s", o.Start, *o.End)
					}
				}
			}
		}
		if knit[0] != "2026-03-03T19:00:00Z" || knit[1] != "2026-03-10T19:00:00Z" || knit[2] != "2026-03-24T19:00:00Z" || knit[3] != "2026-03-31T18:00:00Z" {
			t.Errorf("knit: %v", knit)
		}
		// The first Saturday at noon in Paris: 11:00Z in winter, 10:00Z in summer, five times
		// (the fifth, in July, outside the window).
		var lunch []string
		for _, o := range got {
			if o.EventID == ids["lunch"] {
				lunch = append(lunch, o.Start)
				if o.Event.TimeZone != "Europe/Paris" {
					t.Errorf("lunch's time zone: %s", o.Event.TimeZone)
				}
			}
		}
		if strings.Join(lunch, " ") != "2026-03-07T11:00:00Z 2026-04-04T10:00:00Z 2026-05-02T10:00:00Z" {
			t.Errorf("lunch: %v", lunch)
		}
	})

	t.Run("a long window against dateutil", func(t *testing.T) {
		e := e.with(t)
		from, to := "2026-02-01T00:00:00Z", "2027-02-01T00:00:00Z"
		got := occurrencesOf(e, map[string]any{"from": from, "to": to}, 100)
		if want := referenceStarts(t, from, to, storedEvents(e)); !slices.Equal(startLines(got), want) {
			t.Fatalf("events:\n got %v\nwant %v", startLines(got), want)
		}
	})

	t.Run("paging by keyset cursors", func(t *testing.T) {
		e := e.with(t)
		all := startLines(occurrencesOf(e, window, 100))
		for _, size := range []int{1, 2, 5} {
			if got := startLines(occurrencesOf(e, window, size)); !slices.Equal(got, all) {
				t.Errorf("pages of %d: %v, want %v", size, got, all)
			}
		}
		var r struct{ Events occurrencePage }
		e.ok(eventsQuery, map[string]any{"from": from, "to": to, "first": 3}, &r)
		if r.Events.TotalCount != len(all) || !r.Events.PageInfo.HasNextPage || r.Events.PageInfo.HasPreviousPage {
			t.Errorf("first page: %+v", r.Events)
		}
		// Backwards from the fourth: the three before it.
		var back struct{ Events occurrencePage }
		e.ok(eventsQuery, map[string]any{"from": from, "to": to, "last": 2, "before": r.Events.Edges[2].Cursor}, &back)
		if len(back.Events.Edges) != 2 || back.Events.Edges[0].Cursor != r.Events.Edges[0].Cursor || back.Events.Edges[1].Cursor != r.Events.Edges[1].Cursor {
			t.Errorf("backward page: %+v", back.Events)
		}
		// The end of the list.
		e.ok(eventsQuery, map[string]any{"from": from, "to": to, "last": 1}, &back)
		if n := back.Events.Edges[0].Node; n.Start+" "+n.EventID != all[len(all)-1] {
			t.Errorf("last: %+v, want %s", n, all[len(all)-1])
		}
		e.fails(eventsQuery, map[string]any{"from": from, "to": to, "after": "forged"}, "BAD_USER_INPUT", "after")
	})

	t.Run("by area and interests", func(t *testing.T) {
		e := e.with(t)
		winton := occurrencesOf(e, map[string]any{"from": from, "to": to, "area": ids["Winton"]}, 50)
		if len(winton) != 1 || winton[0].EventID != ids["walk"] || winton[0].Event.Title != "Spring walk" {
			t.Errorf("Winton: %+v", winton)
		}
		// Eccles holds Barton: everything but the walk.
		for _, o := range occurrencesOf(e, map[string]any{"from": from, "to": to, "area": ids["Eccles"]}, 50) {
			if o.EventID == ids["walk"] {
				t.Errorf("the walk is not in Eccles")
			}
		}
		walking := occurrencesOf(e, map[string]any{"from": from, "to": to, "interests": []string{ids["walking"]}}, 50)
		if len(walking) != 1 || walking[0].EventID != ids["walk"] {
			t.Errorf("walking: %+v", walking)
		}
		e.fails(eventsQuery, map[string]any{"from": from, "to": to, "area": ids["walk"]}, "BAD_USER_INPUT", "area")
	})

	t.Run("bounds", func(t *testing.T) {
		e := e.with(t)
		e.fails(eventsQuery, map[string]any{"from": to, "to": from}, "BAD_USER_INPUT", "to")
		e.fails(eventsQuery, map[string]any{"from": "2026-01-01T00:00:00Z", "to": "2027-01-03T00:00:00Z"}, "BAD_USER_INPUT", "to")
		// Two events of 24 a day each: 17,520 in a year, more than one window may hold. Each
		// alone is within the 10,000 an event may have in a year.
		e.ok(`mutation($p: ID) { createEvents(input: [
		  {externalId: "h1", title: "Hourly one", start: "2026-01-01T00:00:00Z", placeId: $p, recurrence: "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23"},
		  {externalId: "h2", title: "Hourly two", start: "2026-01-01T00:30:00Z", placeId: $p, recurrence: "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23"}]) { id } }`,
			map[string]any{"p": ids["hall"]}, nil)
		start := time.Now()
		e.fails(eventsQuery, map[string]any{"from": "2026-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}, "BAD_USER_INPUT", "to")
		t.Logf("refused a window of 17,520 occurrences in %v", time.Since(start))
		var r struct{ Events occurrencePage }
		e.ok(eventsQuery, map[string]any{"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z", "first": 1}, &r)
		if r.Events.TotalCount != 2*24*31 {
			t.Errorf("January holds %d occurrences, want %d", r.Events.TotalCount, 2*24*31)
		}
	})
}

const createEventsMutation = `mutation($in: [EventInput!]!) { createEvents(input: $in) { id title place { id } group { id } } }`

// TestEventWrites tries the bad input the calendar refuses (each a coded error naming the
// field, with nothing written) and the areas a worker may write events in.
func TestEventWrites(t *testing.T) {
	e := setup(t)
	ids := eventsFixture(e)
	ev := func(extra map[string]any) map[string]any {
		in := map[string]any{"title": "Coffee morning", "start": "2026-04-01T10:00:00Z", "placeId": ids["hub"]}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	t.Run("bad input", func(t *testing.T) {
		cases := []struct {
			name  string
			in    map[string]any
			code  string
			field string
		}{
			{"invalid RRULE", ev(map[string]any{"recurrence": "FREQ=FORTNIGHTLY"}), "BAD_USER_INPUT", "input[1].recurrence"},
			{"RRULE with its own DTSTART", ev(map[string]any{"recurrence": "DTSTART:20260101T100000Z\nRRULE:FREQ=DAILY"}), "BAD_USER_INPUT", "input[1].recurrence"},
			{"every minute", ev(map[string]any{"recurrence": "FREQ=MINUTELY"}), "BAD_USER_INPUT", "input[1].recurrence"},
			{"end before start", ev(map[string]any{"end": "2026-04-01T09:00:00Z"}), "BAD_USER_INPUT", "input[1].end"},
			{"unknown time zone", ev(map[string]any{"timeZone": "Europe/Narnia"}), "BAD_USER_INPUT", "input[1].timeZone"},
			{"the server's own zone", ev(map[string]any{"timeZone": "Local"}), "BAD_USER_INPUT", "input[1].timeZone"},
			{"10,001 occurrences", ev(map[string]any{"recurrence": "FREQ=DAILY;COUNT=10001"}), "BAD_USER_INPUT", "input[1].recurrence"},
			{"more than 10,000 in its first year", ev(map[string]any{"recurrence": "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,30"}), "BAD_USER_INPUT", "input[1].recurrence"},
			{"an exception that is no date", ev(map[string]any{"exceptions": []string{"Tuesday"}}), "BAD_USER_INPUT", ""},
			{"no start", map[string]any{"title": "When?"}, "BAD_USER_INPUT", "input[1].start"},
			{"a place that is not there", ev(map[string]any{"placeId": "plc_00000000000000000000"}), "NOT_FOUND", "input[1].placeId"},
			{"a group id for the place", ev(map[string]any{"placeId": ids["knit"]}), "BAD_USER_INPUT", "input[1].placeId"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := e.with(t)
				before := e.counts()
				e.fails(createEventsMutation, map[string]any{"in": []map[string]any{ev(nil), c.in}}, c.code, c.field)
				if after := e.counts(); after != before {
					t.Errorf("wrote %v, had %v", after, before)
				}
			})
		}
		// 10,000 occurrences exactly are accepted.
		e.with(t).ok(createEventsMutation, map[string]any{"in": []map[string]any{ev(map[string]any{"externalId": "many", "recurrence": "FREQ=DAILY;COUNT=10000"})}}, nil)
		// An update is checked as the event it leaves: an end before the stored start.
		e.with(t).fails(`mutation($id: ID) { updateEvents(input: [{id: $id, end: "2026-03-01T00:00:00Z"}]) { id } }`,
			map[string]any{"id": ids["knitnight"]}, "BAD_USER_INPUT", "input[0].end")
	})

	t.Run("idempotent on externalId", func(t *testing.T) {
		e := e.with(t)
		in := map[string]any{"in": []map[string]any{ev(map[string]any{"externalId": "coffee"})}}
		e.ok(createEventsMutation, in, nil)
		before := e.counts()
		var r struct{ CreateEvents []struct{ ID string } }
		e.ok(createEventsMutation, in, &r)
		if after := e.counts(); after != before {
			t.Errorf("a repeated create wrote %v, had %v", after, before)
		}
		// Attendance is a tie: recorded twice, it is one.
		att := map[string]any{"in": []map[string]any{{"kind": "ATTENDED", "from": ref("PERSON", "p000"), "to": ref("EVENT", "coffee")}}}
		e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, att, nil)
		before = e.counts()
		e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, att, nil)
		if after := e.counts(); after != before {
			t.Errorf("attendance recorded again wrote %v, had %v", after, before)
		}
		var n struct {
			Node struct{ Attendees []struct{ ID string } }
		}
		e.ok(`query($id: ID!) { node(id: $id) { ... on Event { attendees { id } } } }`, map[string]any{"id": r.CreateEvents[0].ID}, &n)
		if len(n.Node.Attendees) != 1 || n.Node.Attendees[0].ID != ids["p000"] {
			t.Errorf("attendees: %+v", n.Node.Attendees)
		}
		// A placeId of null takes the event away from its place.
		var u struct {
			UpdateEvents []struct{ Place *struct{ ID string } }
		}
		e.ok(`mutation($id: ID) { updateEvents(input: [{id: $id, placeId: null, groupId: null}]) { place { id } } }`, map[string]any{"id": r.CreateEvents[0].ID}, &u)
		if u.UpdateEvents[0].Place != nil {
			t.Errorf("place after null: %+v", u.UpdateEvents[0].Place)
		}
	})

	t.Run("a worker writes events of their areas only", func(t *testing.T) {
		w := e.as(auth.Worker, ids["Barton"]).with(t)
		type try struct {
			name, query string
			vars        map[string]any
			code, field string
		}
		tries := []try{
			{"at a place in Winton", createEventsMutation, map[string]any{"in": []map[string]any{ev(map[string]any{"placeId": ids["hall"]})}}, "FORBIDDEN", "input[0].placeId"},
			{"for a group in Winton", createEventsMutation, map[string]any{"in": []map[string]any{ev(map[string]any{"groupId": ids["walkers"]})}}, "FORBIDDEN", "input[0].groupId"},
			{"nowhere and nobody's", createEventsMutation, map[string]any{"in": []map[string]any{{"title": "Somewhere", "start": "2026-04-01T10:00:00Z"}}}, "FORBIDDEN", "input[0]"},
			{"moving Winton's walk to the Hub", `mutation($id: ID, $p: ID) { updateEvents(input: [{id: $id, placeId: $p}]) { id } }`,
				map[string]any{"id": ids["walk"], "p": ids["hub"]}, "FORBIDDEN", "input[0]"},
			{"taking Winton's walk by externalId", createEventsMutation, map[string]any{"in": []map[string]any{ev(map[string]any{"externalId": "walk"})}}, "FORBIDDEN", "input[0]"},
			{"deleting Winton's walk", `mutation($id: ID!) { deleteEvents(ids: [$id]) { count } }`, map[string]any{"id": ids["walk"]}, "FORBIDDEN", "ids[0]"},
			{"a HELD_AT tie to Winton Hall", `mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`,
				map[string]any{"in": []map[string]any{{"kind": "HELD_AT", "from": ref("EVENT", "knitnight"), "to": ref("PLACE", "hall")}}}, "FORBIDDEN", "input[0].to"},
			{"taking the walk's place away", `mutation($in: [TieRemoveInput!]!) { removeTies(input: $in) { count } }`,
				map[string]any{"in": []map[string]any{{"kind": "HELD_AT", "from": ref("EVENT", "walk"), "to": ref("PLACE", "hall")}}}, "FORBIDDEN", "input[0]"},
		}
		for _, c := range tries {
			before := e.counts()
			w.fails(c.query, c.vars, c.code, c.field)
			if after := e.counts(); after != before {
				t.Errorf("%s: wrote %v, had %v", c.name, after, before)
			}
		}
		var r struct {
			CreateEvents []struct{ ID string }
		}
		w.ok(createEventsMutation, map[string]any{"in": []map[string]any{ev(map[string]any{"externalId": "w-coffee", "groupId": ids["knit"]})}}, &r)
		w.ok(`mutation($id: ID) { updateEvents(input: [{id: $id, title: "Coffee and cake", cost: "£2"}]) { id } }`, map[string]any{"id": r.CreateEvents[0].ID}, nil)
		w.ok(`mutation($id: ID!) { deleteEvents(ids: [$id]) { count } }`, map[string]any{"id": r.CreateEvents[0].ID}, nil)
		for _, role := range []auth.Role{auth.Analyst, auth.Partner, auth.Researcher} {
			e.as(role).with(t).fails(createEventsMutation, map[string]any{"in": []map[string]any{{"title": "Somewhere", "start": "2026-04-01T10:00:00Z"}}}, "FORBIDDEN", "")
		}
		e.as("").with(t).fails(createEventsMutation, map[string]any{"in": []map[string]any{ev(nil)}}, "UNAUTHENTICATED", "")
	})
}

const myWeekQuery = `query($p: ID!, $from: DateTime) { myWeek(person: $p, from: $from) { totalCount edges { node { eventId start event { title } } } } }`

// TestEventAccess reads the calendar as every role: events and myWeek, attendance of an
// event of a sensitive group, and attendance counting against isolation.
func TestEventAccess(t *testing.T) {
	e := setup(t)
	ids := eventsFixture(e)
	window := map[string]any{"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"}
	t.Run("events", func(t *testing.T) {
		for _, c := range []struct {
			name string
			as   *env
			code string
		}{
			{"admin", e, ""},
			{"worker", e.as(auth.Worker, ids["Winton"]), ""},
			{"analyst", e.as(auth.Analyst), ""},
			{"partner", e.as(auth.Partner), "FORBIDDEN"},
			{"researcher", e.as(auth.Researcher), "FORBIDDEN"},
			{"no token", e.as(""), "UNAUTHENTICATED"},
		} {
			w := c.as.with(t)
			if c.code != "" {
				w.fails(eventsQuery, window, c.code, "")
				continue
			}
			if got := occurrencesOf(w, window, 100); len(got) == 0 {
				t.Errorf("%s sees no events", c.name)
			} else if c.name == "analyst" && got[0].EventID != analystID(t, occurrencesOf(e.with(t), window, 100)[0].EventID) {
				t.Errorf("analyst ids: %s", got[0].EventID)
			}
		}
	})

	t.Run("myWeek", func(t *testing.T) {
		from := "2026-03-09T00:00:00Z"
		week := func(w *env, person string) []string {
			var r struct {
				MyWeek struct {
					Edges []struct {
						Node struct {
							Start string
							Event struct{ Title string }
						}
					}
				}
			}
			w.ok(myWeekQuery, map[string]any{"p": person, "from": from}, &r)
			var out []string
			for _, e := range r.MyWeek.Edges {
				out = append(out, e.Node.Event.Title)
			}
			return out
		}
		// p000 is in Knit and Natter; p002 too, and likes walking, as the Walkers do.
		if got := week(e.with(t), ids["p000"]); strings.Join(got, ",") != "Knit and natter" {
			t.Errorf("p000's week: %v", got)
		}
		if got := week(e.with(t), ids["p002"]); strings.Join(got, ",") != "Knit and natter,Spring walk" {
			t.Errorf("p002's week: %v", got)
		}
		if got := week(e.as(auth.Worker, ids["Barton"]).with(t), ids["p002"]); len(got) != 2 {
			t.Errorf("p002's week for a Barton worker: %v", got)
		}
		// Without from, the week starts now: the weekly knit night falls in it once.
		var now struct {
			MyWeek struct{ TotalCount int }
		}
		e.with(t).ok(myWeekQuery, map[string]any{"p": ids["p000"]}, &now)
		if now.MyWeek.TotalCount != 1 {
			t.Errorf("p000's week from now holds %d occurrences, want the knit night once", now.MyWeek.TotalCount)
		}
		e.as(auth.Worker, ids["Winton"]).with(t).fails(myWeekQuery, map[string]any{"p": ids["p002"]}, "NOT_FOUND", "person")
		e.with(t).fails(myWeekQuery, map[string]any{"p": "per_00000000000000000000"}, "NOT_FOUND", "person")
		e.with(t).fails(myWeekQuery, map[string]any{"p": ids["knit"]}, "BAD_USER_INPUT", "person")
		for _, role := range []auth.Role{auth.Analyst, auth.Partner, auth.Researcher} {
			id := ids["p000"]
			if role != auth.Partner {
				// The only ids they hold: refused by role all the same.
				id = testPseudonyms(t).Encode(string(role), id)
			}
			e.as(role).with(t).fails(myWeekQuery, map[string]any{"p": id}, "FORBIDDEN", "")
		}
		e.as("").with(t).fails(myWeekQuery, map[string]any{"p": ids["p000"]}, "UNAUTHENTICATED", "")
	})

	t.Run("attendance of a sensitive group's event", func(t *testing.T) {
		q := `query($id: ID!) { node(id: $id) { ... on Event { attendees { id } ties(kinds: [ATTENDED]) { id } } } }`
		for _, c := range []struct {
			name string
			as   *env
			want int
		}{
			{"admin", e, 1},
			{"worker in Barton", e.as(auth.Worker, ids["Barton"]), 1},
			{"worker in Winton", e.as(auth.Worker, ids["Winton"]), 0},
			{"analyst", e.as(auth.Analyst), 0},
		} {
			w := c.as.with(t)
			var r struct {
				Node struct {
					Attendees []struct{ ID string }
					Ties      []struct{ ID string }
				}
			}
			w.ok(q, map[string]any{"id": w.idFor(ids["cafeweekly"])}, &r)
			if len(r.Node.Attendees) != c.want || len(r.Node.Ties) != c.want {
				t.Errorf("%s: %+v, want %d", c.name, r.Node, c.want)
			}
		}
	})

	t.Run("attendance counts against isolation", func(t *testing.T) {
		e := e.with(t)
		e.ok(`mutation($a: ID) { createPeople(input: [{externalId: "lone", displayName: "Lone", areaId: $a}, {externalId: "goer", displayName: "Goer", areaId: $a}]) { id } }`,
			map[string]any{"a": ids["Barton"]}, nil)
		e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": []map[string]any{
			{"kind": "ATTENDED", "from": ref("PERSON", "goer"), "to": ref("EVENT", "walk")}}}, nil)
		var r struct {
			Isolates struct {
				Edges []struct{ Node struct{ DisplayName string } }
			}
		}
		e.ok(`{ isolates(first: 50) { edges { node { displayName } } } }`, nil, &r)
		var names []string
		for _, edge := range r.Isolates.Edges {
			names = append(names, edge.Node.DisplayName)
		}
		if !slices.Contains(names, "Lone") || slices.Contains(names, "Goer") {
			t.Errorf("isolates: %v", names)
		}
		var c struct {
			Centrality struct {
				Edges []struct {
					Node  struct{ ID string }
					Score float64
				}
			}
		}
		e.ok(`{ centrality(measure: DEGREE, scope: {labels: [PERSON, EVENT], kinds: [ATTENDED]}, first: 100) { edges { node { id } score } } }`, nil, &c)
		found := false
		for _, edge := range c.Centrality.Edges {
			if edge.Node.ID == ids["walk"] {
				found = edge.Score > 0
			}
		}
		if !found {
			t.Errorf("the walk has no ATTENDED tie in the analysis: %s", fmt.Sprint(c.Centrality.Edges))
		}
		// An event is in the area of its place and group.
		e.ok(`query($a: ID) { centrality(measure: DEGREE, scope: {labels: [PERSON, EVENT], kinds: [ATTENDED], areaId: $a}, first: 100) { edges { node { id } score } } }`,
			map[string]any{"a": ids["Winton"]}, &c)
		if len(c.Centrality.Edges) != 1 || c.Centrality.Edges[0].Node.ID != ids["walk"] {
			t.Errorf("Winton's analysis: %s", fmt.Sprint(c.Centrality.Edges))
		}
	})
}
