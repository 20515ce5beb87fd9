package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"kith/auth"
	"kith/server"
)

// scheduleEvents records, on the directory's fixture, events of every kind a schedule is
// made from, and events the directory must leave out. It returns their ids by name.
func scheduleEvents(t *testing.T, e *env, f directoryFixture) map[string]string {
	t.Helper()
	in := []map[string]any{
		// Weekly, in winter (19:00 in London is 19:00 UTC), with a week off.
		{"externalId": "weekly", "title": "Knit night", "start": "2099-01-06T19:00:00Z", "end": "2099-01-06T21:00:00Z",
			"recurrence": "FREQ=WEEKLY;BYDAY=TU", "exceptions": []string{"2099-01-13T19:00:00Z"}, "groupId": f.knit, "placeId": f.hall,
			"cost": "free", "accessibility": "step-free"},
		// The first Saturday of six months, in summer (10:00 in London is 09:00 UTC).
		{"externalId": "monthly", "title": "Knit online", "start": "2099-07-04T09:00:00Z", "end": "2099-07-04T10:00:00Z",
			"recurrence": "FREQ=MONTHLY;BYDAY=1SA;COUNT=6", "groupId": f.knit, "placeId": f.online},
		{"externalId": "once", "title": "Knit fair", "start": "2099-03-14T10:00:00Z", "end": "2099-03-14T12:00:00Z", "groupId": f.knit, "placeId": f.hall},
		// Every other day: HSDS has no way to say it.
		{"externalId": "odd", "title": "Knit practice", "start": "2099-01-01T10:00:00Z", "recurrence": "FREQ=DAILY;INTERVAL=2",
			"groupId": f.knit, "placeId": f.hall},
		// Daily through January: every day of the week, weekly.
		{"externalId": "daily", "title": "Memory cafe drop-in", "start": "2099-01-02T14:00:00Z", "end": "2099-01-02T15:30:00Z",
			"recurrence": "FREQ=DAILY;UNTIL=20990131T235959Z", "groupId": f.support},
		// Yearly, of a place with no group: monthly, every twelve months.
		{"externalId": "yearly", "title": "Library open day", "start": "2099-02-02T09:00:00Z", "recurrence": "FREQ=YEARLY", "placeId": f.hall},
		// Left out: over; at a place not listed; run by a group not listed.
		{"externalId": "past", "title": "Knit jumble", "start": "2020-05-01T10:00:00Z", "groupId": f.knit, "placeId": f.hall},
		{"externalId": "backroom", "title": "Knit committee", "start": "2099-01-07T18:00:00Z", "recurrence": "FREQ=WEEKLY",
			"groupId": f.knit, "placeId": f.hiddenPlace},
		{"externalId": "darts", "title": "Darts league", "start": "2099-01-08T20:00:00Z", "recurrence": "FREQ=WEEKLY",
			"groupId": f.hiddenA, "placeId": f.hall},
	}
	var created struct {
		CreateEvents []struct{ ID, ExternalID string }
	}
	e.ok(`mutation($in: [EventInput!]!) { createEvents(input: $in) { id externalId } }`, map[string]any{"in": in}, &created)
	ids := map[string]string{}
	for _, ev := range created.CreateEvents {
		ids[ev.ExternalID] = ev.ID
	}
	// Someone went: nothing of them may reach the directory.
	e.ok(`mutation($t: [TieInput!]!) { createTies(input: $t) { id } }`, map[string]any{"t": []map[string]any{
		{"kind": "ATTENDED", "from": map[string]any{"id": f.person}, "to": map[string]any{"id": ids["weekly"]}},
	}}, nil)
	return ids
}

// wantSchedules are the schedules the events of scheduleEvents give, by name: the fields
// HSDS spells the recurrence and times in, worked out by hand from the events above.
var wantSchedules = map[string]map[string]any{
	"weekly": {"freq": "WEEKLY", "interval": 1.0, "byday": "TU", "dtstart": "2099-01-06", "valid_from": "2099-01-06",
		"timezone": 0.0, "opens_at": "19:00+00:00", "closes_at": "21:00+00:00"},
	"monthly": {"freq": "MONTHLY", "interval": 1.0, "byday": "1SA", "count": 6.0, "dtstart": "2099-07-04", "valid_from": "2099-07-04",
		"valid_to": "2099-12-05", "timezone": 1.0, "opens_at": "10:00+01:00", "closes_at": "11:00+01:00"},
	"once": {"dtstart": "2099-03-14", "valid_from": "2099-03-14", "valid_to": "2099-03-14", "timezone": 0.0,
		"opens_at": "10:00+00:00", "closes_at": "12:00+00:00"},
	"odd": {"dtstart": "2099-01-01", "valid_from": "2099-01-01", "timezone": 0.0, "opens_at": "10:00+00:00"},
	"daily": {"freq": "WEEKLY", "interval": 1.0, "byday": "MO,TU,WE,TH,FR,SA,SU", "dtstart": "2099-01-02", "valid_from": "2099-01-02",
		"valid_to": "2099-01-31", "until": "2099-01-31", "timezone": 0.0, "opens_at": "14:00+00:00", "closes_at": "15:30+00:00"},
	"yearly": {"freq": "MONTHLY", "interval": 12.0, "bymonthday": "2", "dtstart": "2099-02-02", "valid_from": "2099-02-02",
		"timezone": 0.0, "opens_at": "09:00+00:00"},
}

// scheduleFields are the fields wantSchedules compares: any of them sent where it is not
// expected is wrong too.
var scheduleFields = []string{"freq", "interval", "byday", "bymonthday", "count", "until", "wkst", "dtstart", "valid_from", "valid_to",
	"timezone", "opens_at", "closes_at"}

// TestOpenReferralSchedules: services, locations and services at locations carry the
// schedules of their events, as HSDS spells them, and only of events whose group and place
// are all listed and that are not over; every answer and every schedule is valid to the
// official schemas.
func TestOpenReferralSchedules(t *testing.T) {
	e, f := setupDirectory(t)
	ids := scheduleEvents(t, e, f)
	byPage := map[string]string{}
	for name, id := range ids {
		byPage[e.srv.URL+"/openreferral/events/"+server.DirectoryID(id)] = name
	}
	checks := &directoryChecks{t: t}
	anon := e.as("")
	get := func(c *env, path string) map[string]any {
		t.Helper()
		status, body := c.directoryGet(path)
		if status != 200 {
			t.Fatalf("GET %s: %d %v", path, status, body)
		}
		checks.add(path, body)
		return body
	}
	seen := map[string]string{} // schedule id → whose and of which event
	// check compares the schedules of one entry with the events named, in order of start,
	// and says whose they are.
	check := func(what string, v any, owner map[string]string, names ...string) {
		t.Helper()
		list, _ := v.([]any)
		var got []string
		for _, s := range list {
			m := s.(map[string]any)
			name := byPage[m["schedule_link"].(string)]
			got = append(got, name)
			if m["url"] != m["schedule_link"] {
				t.Errorf("%s: url %v, schedule_link %v", what, m["url"], m["schedule_link"])
			}
			whose := fmt.Sprint(owner, name)
			if id := m["id"].(string); seen[id] != "" && seen[id] != whose {
				t.Errorf("%s: schedule id %s is %s's and %s's", what, id, seen[id], whose)
			} else {
				seen[id] = whose
			}
			want := wantSchedules[name]
			for _, k := range scheduleFields {
				if m[k] != want[k] {
					t.Errorf("%s: schedule of %s: %s = %v, want %v", what, name, k, m[k], want[k])
				}
			}
			for _, k := range []string{"service_id", "location_id", "service_at_location_id"} {
				if m[k] != nil && m[k] != owner[k] || m[k] == nil && owner[k] != "" {
					t.Errorf("%s: schedule of %s: %s = %v, want %q", what, name, k, m[k], owner[k])
				}
			}
			if desc, _ := m["description"].(string); !strings.Contains(desc, "Europe/London") {
				t.Errorf("%s: description names no zone: %q", what, desc)
			}
		}
		if !slices.Equal(got, names) {
			t.Errorf("%s: schedules of %v, want %v", what, got, names)
		}
	}
	id := server.DirectoryID
	svc := func(g string) map[string]string { return map[string]string{"service_id": id(g)} }
	loc := func(p string) map[string]string { return map[string]string{"location_id": id(p)} }
	sal := func(body map[string]any, g, p string) (any, map[string]string) {
		t.Helper()
		for _, c := range body["contents"].([]any) {
			m := c.(map[string]any)
			if m["service_id"] == id(g) && m["location_id"] == id(p) {
				return m["schedules"], map[string]string{"service_at_location_id": m["id"].(string)}
			}
		}
		t.Fatalf("no service_at_location of %s at %s", g, p)
		return nil, nil
	}

	knit := get(anon, "/openreferral/services/"+id(f.knit))
	check("knit", knit["schedules"], svc(f.knit), "odd", "weekly", "once", "monthly")
	services := get(anon, "/openreferral/services")
	for _, c := range services["contents"].([]any) {
		m := c.(map[string]any)
		switch m["id"] {
		case id(f.knit):
			check("knit in the list", m["schedules"], svc(f.knit), "odd", "weekly", "once", "monthly")
		case id(f.support):
			check("memory cafe in the list", m["schedules"], svc(f.support), "daily")
		}
	}
	for _, s := range knit["service_at_locations"].([]any) {
		m := s.(map[string]any)
		owner := map[string]string{"service_at_location_id": m["id"].(string)}
		switch m["location_id"] {
		case id(f.hall):
			check("knit at the hall, nested", m["schedules"], owner, "odd", "weekly", "once")
		case id(f.online):
			check("knit online, nested", m["schedules"], owner, "monthly")
		}
		if l := m["location"].(map[string]any); l["schedules"] != nil {
			t.Errorf("a nested location carries schedules: %v", l)
		}
	}
	check("hall", get(anon, "/openreferral/locations/"+id(f.hall))["schedules"], loc(f.hall), "odd", "weekly", "yearly", "once")
	check("online", get(anon, "/openreferral/locations/"+id(f.online))["schedules"], loc(f.online), "monthly")
	locations := get(anon, "/openreferral/locations")
	for _, c := range locations["contents"].([]any) {
		if m := c.(map[string]any); m["id"] == id(f.hall) {
			check("hall in the list", m["schedules"], loc(f.hall), "odd", "weekly", "yearly", "once")
		}
	}
	meetings := get(anon, "/openreferral/service_at_locations")
	s, owner := sal(meetings, f.knit, f.hall)
	check("knit at the hall", s, owner, "odd", "weekly", "once")
	s, owner = sal(meetings, f.knit, f.online)
	check("knit online", s, owner, "monthly")
	s, owner = sal(meetings, f.support, f.hall)
	check("memory cafe at the hall", s, owner)

	// The weekly event's description says the pattern and the week off in words.
	for _, c := range knit["schedules"].([]any) {
		m := c.(map[string]any)
		if byPage[m["schedule_link"].(string)] == "weekly" {
			if want := "Knit night: every Tuesday, 19:00+00:00 to 21:00+00:00, Europe/London time; not on 13 January 2099."; m["description"] != want {
				t.Errorf("description %q, want %q", m["description"], want)
			}
		}
		if byPage[m["schedule_link"].(string)] == "odd" && !strings.Contains(m["description"].(string), "FREQ=DAILY;INTERVAL=2") {
			t.Errorf("a rule HSDS cannot say is not quoted: %v", m["description"])
		}
	}

	// Hidden ends show to those who may see them: an admin asking for unpublished entries
	// sees the events at the back room and of the darts club.
	admin := e.as(auth.Admin)
	names := func(v any) []string {
		var out []string
		for _, s := range v.([]any) {
			out = append(out, byPage[s.(map[string]any)["schedule_link"].(string)])
		}
		slices.Sort(out)
		return out
	}
	if got := names(get(admin, "/openreferral/services/"+id(f.knit)+"?unpublished=true")["schedules"]); !slices.Contains(got, "backroom") {
		t.Errorf("admin's unpublished knit: %v", got)
	}
	if got := names(get(admin, "/openreferral/locations/"+id(f.hall)+"?unpublished=true")["schedules"]); !slices.Contains(got, "darts") {
		t.Errorf("admin's unpublished hall: %v", got)
	}
	// A worker elsewhere sees only what is public, even asking for more.
	if got := names(get(e.as(auth.Worker, f.areaB), "/openreferral/locations/"+id(f.hall)+"?unpublished=true")["schedules"]); slices.Contains(got, "darts") {
		t.Errorf("a worker of another area sees the darts club's event: %v", got)
	}
	// Making the darts club public brings its event in; making the hall private takes the
	// knit night out of knit's schedules too.
	e.ok(`mutation($id: ID!) { updateGroups(input: [{id: $id, public: true}]) { id } }`, map[string]any{"id": f.hiddenA}, nil)
	if got := names(get(anon, "/openreferral/locations/"+id(f.hall))["schedules"]); !slices.Contains(got, "darts") {
		t.Errorf("after publishing the darts club: %v", got)
	}
	e.ok(`mutation($id: ID!) { updatePlaces(input: [{id: $id, public: false}]) { id } }`, map[string]any{"id": f.hall}, nil)
	if got := names(get(anon, "/openreferral/services/"+id(f.knit))["schedules"]); !slices.Equal(got, []string{"monthly"}) {
		t.Errorf("after taking the hall out: %v", got)
	}
	if len(seen) != 14 { // knit 4, memory cafe 1, hall 4, online 1, knit at the hall 3, knit online 1
		t.Errorf("%d schedules, want 14", len(seen))
	}
	checks.validate()
}
