package server_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kith/server"
)

// hostileTitle would run a script if the page wrote it as it is.
const hostileTitle = `</script><script>alert(1)</script><!--`

// TestOpenReferralEventPage: a listed event has a page whose schema.org Event JSON-LD, as
// extruct (a reader Kith did not write) takes it from the HTML, says what the event is,
// when, where and who runs it; a hostile title neither closes the script element nor
// reaches the page as markup; a hidden event's page is the same 404 as an unknown one's.
func TestOpenReferralEventPage(t *testing.T) {
	python := os.Getenv("KITH_PYTHON")
	if python == "" {
		t.Skip("KITH_PYTHON is not set: run make pyenv and point it at .kith/venv/bin/python")
	}
	e, f := setupDirectory(t)
	ids := scheduleEvents(t, e, f)
	var created struct {
		CreateEvents []struct{ ID string }
	}
	e.ok(`mutation($in: [EventInput!]!) { createEvents(input: $in) { id } }`, map[string]any{"in": []map[string]any{{
		"title": hostileTitle, "description": `Bring <b>wool</b> & "needles"`, "start": "2099-01-06T19:00:00Z", "end": "2099-01-06T21:00:00Z",
		"recurrence": "FREQ=WEEKLY;BYDAY=TU", "groupId": f.knit, "placeId": f.hall, "cost": "£2 with tea", "accessibility": "step-free, hearing loop",
	}}}, &created)
	hostile := created.CreateEvents[0].ID
	anon := e.as("")
	page := func(id string) (int, string, string) {
		t.Helper()
		status, h, body := anon.get("/openreferral/events/" + server.DirectoryID(id))
		return status, h.Get("Content-Type"), string(body)
	}
	status, ctype, body := page(hostile)
	if status != 200 || !strings.HasPrefix(ctype, "text/html") {
		t.Fatalf("page: %d %s: %s", status, ctype, body)
	}
	if strings.Contains(body, "</script><script>") || strings.Count(body, "<script") != 1 || strings.Contains(body, "<b>") {
		t.Fatalf("the title or description reached the page as markup:\n%s", body)
	}
	// The next occurrences, the first ones here, in London time.
	if !strings.Contains(body, `>Tuesday 6 January 2099, 19:00</time> to 21:00`) ||
		strings.Count(body, "<time ") != 10 {
		t.Errorf("the page does not list the next ten occurrences:\n%s", body)
	}
	if personID.MatchString(body) || strings.Contains(body, directorySecretName) {
		t.Fatalf("the page holds personal data:\n%s", body)
	}
	got := extractPage(t, python, body, e.srv.URL)
	if got.Title != hostileTitle || got.H1 != hostileTitle || got.Scripts != 1 {
		t.Errorf("as parsed: title %q, h1 %q, %d scripts", got.Title, got.H1, got.Scripts)
	}
	if len(got.JSONLD) != 1 {
		t.Fatalf("JSON-LD items: %v", got.JSONLD)
	}
	ev := got.JSONLD[0]
	id := server.DirectoryID
	pageURL := e.srv.URL + "/openreferral/events/" + id(hostile)
	for path, want := range map[string]any{
		"@context": "https://schema.org", "@type": "Event", "@id": pageURL, "name": hostileTitle,
		"description": `Bring <b>wool</b> & "needles"`, "startDate": "2099-01-06T19:00:00Z", "endDate": "2099-01-06T21:00:00Z",
		"eventAttendanceMode":            "https://schema.org/OfflineEventAttendanceMode",
		"eventSchedule.@type":            "Schedule",
		"eventSchedule.repeatFrequency":  "P1W",
		"eventSchedule.byDay.0":          "https://schema.org/Tuesday",
		"eventSchedule.startTime":        "19:00:00",
		"eventSchedule.endTime":          "21:00:00",
		"eventSchedule.scheduleTimezone": "Europe/London",
		"eventSchedule.startDate":        "2099-01-06",
		"location.@type":                 "Place",
		"location.name":                  "Barton Library",
		"location.geo.latitude":          53.47,
		"location.amenityFeature.value":  "step-free, hearing loop",
		"location.url":                   e.srv.URL + "/openreferral/locations/" + id(f.hall),
		"organizer.@type":                "Organization",
		"organizer.name":                 "Knit and Natter",
		"organizer.url":                  e.srv.URL + "/openreferral/services/" + id(f.knit),
		"isAccessibleForFree":            false,
		"offers.description":             "£2 with tea",
	} {
		if v := lookup(ev, path); v != want {
			t.Errorf("JSON-LD %s = %v, want %v", path, v, want)
		}
	}

	// A free, monthly event online; a one-off: no schedule.
	monthly := extractPage(t, python, mustPage(t, page, ids["monthly"]), e.srv.URL).JSONLD[0]
	for path, want := range map[string]any{
		"eventSchedule.repeatFrequency": "P1M", "eventSchedule.byDay.0": "1SA", "eventSchedule.repeatCount": 6.0,
		"eventSchedule.endDate": "2099-12-05", "eventSchedule.startTime": "10:00:00", "startDate": "2099-07-04T10:00:00+01:00",
		"location.@type": "VirtualLocation", "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
	} {
		if v := lookup(monthly, path); v != want {
			t.Errorf("monthly JSON-LD %s = %v, want %v", path, v, want)
		}
	}
	weeklyPage := mustPage(t, page, ids["weekly"])
	if !strings.Contains(weeklyPage, ">Tuesday 20 January 2099, 19:00<") || strings.Contains(weeklyPage, ">Tuesday 13 January 2099, 19:00<") {
		t.Errorf("the week off is listed, or the weeks after it are not:\n%s", weeklyPage)
	}
	weekly := extractPage(t, python, weeklyPage, e.srv.URL).JSONLD[0]
	if weekly["isAccessibleForFree"] != true || weekly["offers"] != nil || lookup(weekly, "eventSchedule.exceptDate.0") != "2099-01-13T19:00:00Z" {
		t.Errorf("free weekly event: %v", weekly)
	}
	if once := extractPage(t, python, mustPage(t, page, ids["once"]), e.srv.URL).JSONLD[0]; once["eventSchedule"] != nil {
		t.Errorf("a one-off event has a schedule: %v", once)
	}

	// Hidden (at a place not listed, run by a group not listed) and unknown events: one 404.
	_, _, unknown := page("evt_00000000000000000000")
	for _, name := range []string{"backroom", "darts"} {
		status, _, body := page(ids[name])
		if status != 404 || body != unknown {
			t.Errorf("%s: %d %s, want the 404 of an unknown event %s", name, status, body, unknown)
		}
	}
	if status, _, _ := page(f.knit); status != 404 { // a group's id is not an event's
		t.Errorf("a group's UUID as an event: %d", status)
	}
}

func mustPage(t *testing.T, page func(string) (int, string, string), id string) string {
	t.Helper()
	status, _, body := page(id)
	if status != 200 {
		t.Fatalf("page of %s: %d %s", id, status, body)
	}
	return body
}

// extractedPage is what extract_event_page.py reads from a page.
type extractedPage struct {
	JSONLD  []map[string]any `json:"jsonld"`
	Title   string           `json:"title"`
	H1      string           `json:"h1"`
	Scripts int              `json:"scripts"`
}

func extractPage(t *testing.T, python, html, base string) extractedPage {
	t.Helper()
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, []byte(html), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "testdata/extract_event_page.py", path, base).Output()
	if err != nil {
		t.Fatalf("extract_event_page.py: %v %s", err, out)
	}
	var p extractedPage
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("extract_event_page.py: %v: %s", err, out)
	}
	return p
}

// lookup follows a dotted path of keys and list indexes through decoded JSON.
func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			for _, c := range k {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
