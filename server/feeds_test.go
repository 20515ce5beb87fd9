package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/server"
)

// icsRead is what testdata/read_ics.py (Python's icalendar and recurring-ical-events)
// reads of a feed.
type icsRead struct {
	Name, ProdID, Version string
	Timezones             []string
	Events                []struct {
		UID, Summary, Location, Description, TZID, RRule, Organizer string
		Exdates, Attendees                                          int
	}
	Occurrences [][2]string
}

// readICS reads a feed back with readers Kith did not write.
func readICS(t *testing.T, body []byte, from, to string) icsRead {
	t.Helper()
	python := os.Getenv("KITH_PYTHON")
	if python == "" {
		t.Skip("KITH_PYTHON is not set: run make pyenv and point it at .kith/venv/bin/python")
	}
	path := filepath.Join(t.TempDir(), "feed.ics")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "testdata/read_ics.py", path, from, to).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("read_ics.py: %v\n%s\nfeed:\n%.3000s", err, ee.Stderr, body)
		}
		t.Fatalf("read_ics.py: %v", err)
	}
	var r icsRead
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("read_ics.py output: %v: %s", err, out)
	}
	return r
}

const issueFeed = `mutation($k: FeedKind!, $t: ID!, $a: ID) { issueFeedToken(kind: $k, target: $t, area: $a) { token path feed { id kind target area createdAt } } }`

type issued struct {
	Token, Path string
	Feed        struct{ ID, Kind, Target string }
}

func (e *env) issue(kind, target, area string) issued {
	e.t.Helper()
	vars := map[string]any{"k": kind, "t": target}
	if area != "" {
		vars["a"] = area
	}
	var r struct{ IssueFeedToken issued }
	e.ok(issueFeed, vars, &r)
	return r.IssueFeedToken
}

// getFeed fetches a feed's path with no token at all, as a calendar app does.
func (e *env) getFeed(path string) (int, http.Header, []byte) {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatalf("get %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

// TestFeeds issues a feed per group, place, area, interest and person, subscribes to each
// as a calendar app would and reads it with Python's icalendar, expanding recurrences with
// recurring-ical-events: the same occurrences as events(...) gives, RRULE and EXDATE with
// TZID and a VTIMEZONE for Europe/London, no one's name. Tokens open their one feed only,
// are stored as hashes, never logged, and revoked at once.
func TestFeeds(t *testing.T) {
	e := setup(t)
	ids := eventsFixture(e)
	from, to := "2026-03-01T00:00:00Z", "2026-09-01T00:00:00Z"
	expected := func(vars map[string]any, only ...string) []string {
		v := map[string]any{"from": from, "to": to}
		for k, x := range vars {
			v[k] = x
		}
		var out []string
		for _, o := range occurrencesOf(e.with(t), v, 100) {
			if len(only) == 0 || slices.Contains(only, o.EventID) {
				out = append(out, o.Start+" "+o.EventID+"@kith")
			}
		}
		return out
	}
	feeds := []struct {
		name, kind, target, area string
		want                     []string
	}{
		{"group", "GROUP", ids["knit"], "", expected(nil, ids["knitnight"])},
		{"place", "PLACE", ids["hub"], "", expected(nil, ids["knitnight"], ids["lunch"], ids["cafeweekly"])},
		{"area", "AREA", ids["Winton"], "", expected(map[string]any{"area": ids["Winton"]})},
		{"area with the areas inside it", "AREA", ids["Eccles"], "", expected(map[string]any{"area": ids["Eccles"]})},
		{"interest", "INTEREST", ids["walking"], "", expected(map[string]any{"interests": []string{ids["walking"]}})},
		{"interest in an area", "INTEREST", ids["walking"], ids["Barton"], nil},
		{"person", "PERSON", ids["p002"], "", expected(nil, ids["knitnight"], ids["walk"])},
	}
	tokens := map[string]issued{}
	for _, f := range feeds {
		t.Run(f.name, func(t *testing.T) {
			e := e.with(t)
			got := e.issue(f.kind, f.target, f.area)
			tokens[f.name] = got
			if !strings.HasPrefix(got.Path, "/feeds/") || !strings.HasSuffix(got.Path, ".ics") || !strings.Contains(got.Path, got.Token) {
				t.Fatalf("path %q for token %q", got.Path, got.Token)
			}
			status, h, body := e.getFeed(got.Path)
			if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/calendar") {
				t.Fatalf("GET %s: %d %s\n%s", f.name, status, h.Get("Content-Type"), body)
			}
			if !strings.Contains(h.Get("Cache-Control"), "private") {
				t.Errorf("Cache-Control: %q", h.Get("Cache-Control"))
			}
			r := readICS(t, body, from, to)
			var occ []string
			for _, o := range r.Occurrences {
				occ = append(occ, o[0]+" "+o[1])
			}
			if !slices.Equal(occ, f.want) {
				t.Errorf("occurrences:\n got %v\nwant %v", occ, f.want)
			}
			if r.Version != "2.0" || r.ProdID == "" || !slices.Contains(r.Timezones, "Europe/London") {
				t.Errorf("calendar: version %q, prodid %q, time zones %v", r.Version, r.ProdID, r.Timezones)
			}
			for _, ev := range r.Events {
				if ev.TZID == "" || !slices.Contains(r.Timezones, ev.TZID) || ev.Attendees != 0 || ev.Organizer != "" {
					t.Errorf("event %+v", ev)
				}
			}
			for _, name := range []string{"Resident", "p00"} {
				if strings.Contains(string(body), name) {
					t.Errorf("the feed names someone (%q):\n%s", name, body)
				}
			}
		})
	}

	t.Run("what a VEVENT carries", func(t *testing.T) {
		_, _, body := e.with(t).getFeed(tokens["group"].Path)
		r := readICS(t, body, from, to)
		if len(r.Events) != 1 {
			t.Fatalf("events: %+v", r.Events)
		}
		ev := r.Events[0]
		if ev.Summary != "Knit and natter" || ev.Location != "Barton Community Hub" || ev.RRule != "FREQ=WEEKLY;BYDAY=TU" || ev.Exdates != 1 ||
			ev.TZID != "Europe/London" || !strings.Contains(ev.Description, "Cost: free") || !strings.Contains(ev.Description, "Run by: Knit and Natter") {
			t.Errorf("knit: %+v", ev)
		}
		for _, line := range []string{"DTSTART;TZID=Europe/London:20260303T190000", "EXDATE;TZID=Europe/London:20260317T190000", "BEGIN:VTIMEZONE", "BEGIN:DAYLIGHT", "TZNAME:BST"} {
			if !strings.Contains(string(body), line) {
				t.Errorf("the feed has no %s:\n%s", line, body)
			}
		}
		_, _, body = e.with(t).getFeed(tokens["place"].Path)
		if r := readICS(t, body, from, to); !slices.Contains(r.Timezones, "Europe/Paris") {
			t.Errorf("the lunch club's zone is not described: %v", r.Timezones)
		}
	})

	t.Run("a sensitive group's feed holds no attendee", func(t *testing.T) {
		e := e.with(t)
		got := e.issue("GROUP", ids["cafe"], "")
		_, _, body := e.getFeed(got.Path)
		r := readICS(t, body, from, to)
		if len(r.Events) != 1 || r.Events[0].Attendees != 0 || strings.Contains(string(body), "Resident 001") {
			t.Errorf("café feed: %+v\n%s", r.Events, body)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		e := e.with(t)
		status, _, notFound := e.getFeed("/feeds/kf_forgedforgedforgedforgedforgedforgedforgedforged.ics")
		if status != http.StatusNotFound {
			t.Fatalf("a forged token: %d", status)
		}
		for _, p := range []string{"/feeds/" + tokens["group"].Token, "/feeds/" + tokens["group"].Token + "x.ics", "/feeds/x.ics",
			"/feeds/" + strings.ToUpper(tokens["group"].Token) + ".ics"} {
			if s, _, b := e.getFeed(p); s != http.StatusNotFound || string(b) != string(notFound) {
				t.Errorf("%s: %d %s", p, s, b)
			}
		}
		// Stored as a hash only.
		res, err := neo4j.ExecuteQuery(context.Background(), e.driver, "MATCH (f:FeedToken) RETURN properties(f) AS p", nil, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range res.Records {
			p, _ := rec.Get("p")
			for k, v := range p.(map[string]any) {
				for _, tok := range tokens {
					if s, ok := v.(string); ok && strings.Contains(s, tok.Token[3:]) {
						t.Errorf("FeedToken.%s holds a token", k)
					}
				}
			}
		}
		for _, tok := range tokens {
			if strings.Contains(e.logs.String(), tok.Token[3:]) {
				t.Errorf("the log holds a token")
			}
		}
		// Revoked: 404 as a forged one, at once; the other feeds still open.
		e.ok(`mutation($id: ID!) { revokeFeedToken(id: $id) }`, map[string]any{"id": tokens["group"].Feed.ID}, nil)
		if s, _, b := e.getFeed(tokens["group"].Path); s != http.StatusNotFound || string(b) != string(notFound) {
			t.Errorf("revoked: %d %s", s, b)
		}
		if s, _, _ := e.getFeed(tokens["place"].Path); s != http.StatusOK {
			t.Errorf("another feed after a revocation: %d", s)
		}
		e.fails(`mutation($id: ID!) { revokeFeedToken(id: $id) }`, map[string]any{"id": tokens["group"].Feed.ID}, "NOT_FOUND", "id")
	})

	t.Run("who may issue and revoke", func(t *testing.T) {
		barton := e.as(auth.Worker, ids["Barton"]).with(t)
		barton.issue("GROUP", ids["knit"], "")
		barton.issue("PERSON", ids["p000"], "")
		barton.issue("INTEREST", ids["walking"], ids["Barton"])
		barton.issue("AREA", ids["Barton"], "")
		for _, c := range []struct {
			kind, target, area, code, field string
		}{
			{"GROUP", ids["walkers"], "", "FORBIDDEN", "target"},
			{"PLACE", ids["hall"], "", "FORBIDDEN", "target"},
			{"AREA", ids["Eccles"], "", "FORBIDDEN", "target"},
			{"INTEREST", ids["walking"], "", "FORBIDDEN", "area"},
			{"INTEREST", ids["walking"], ids["Winton"], "FORBIDDEN", "target"},
			{"GROUP", ids["hub"], "", "BAD_USER_INPUT", "target"},
			{"GROUP", "grp_00000000000000000000", "", "NOT_FOUND", "target"},
		} {
			vars := map[string]any{"k": c.kind, "t": c.target}
			if c.area != "" {
				vars["a"] = c.area
			}
			barton.fails(issueFeed, vars, c.code, c.field)
		}
		winton := e.as(auth.Worker, ids["Winton"]).with(t)
		winton.fails(issueFeed, map[string]any{"k": "PERSON", "t": ids["p000"]}, "FORBIDDEN", "target")
		winton.fails(`mutation($id: ID!) { revokeFeedToken(id: $id) }`, map[string]any{"id": tokens["place"].Feed.ID}, "FORBIDDEN", "target")
		for _, role := range []auth.Role{auth.Analyst, auth.Partner, auth.Researcher} {
			target := ids["knit"]
			if role != auth.Partner {
				target = testPseudonyms(t).Encode(string(role), target)
			}
			e.as(role).with(t).fails(issueFeed, map[string]any{"k": "GROUP", "t": target}, "FORBIDDEN", "")
		}
		e.as("").with(t).fails(issueFeed, map[string]any{"k": "GROUP", "t": ids["knit"]}, "UNAUTHENTICATED", "")
	})
}

// TestFeedsAnonymousEdge holds feed reads, which carry no bearer token, to the rate limit
// per client address (a guessed token costs as much as a real one), and records each read
// in the audit log by the feed's id, never its token.
func TestFeedsAnonymousEdge(t *testing.T) {
	const burst = 20
	e := setupWith(t, func(c *server.Config) { c.RateLimit, c.RateBurst = 0.001, burst })
	people := e.fixture(1)
	feed := e.issue("PERSON", people[0], "")
	for i := range burst - 1 {
		if s, _, b := e.getFeed(feed.Path); s != http.StatusOK {
			t.Fatalf("read %d: %d %s", i, s, b)
		}
	}
	if s, _, _ := e.getFeed("/feeds/kf_forgedforgedforgedforgedforgedforgedforgedforged.ics"); s != http.StatusNotFound {
		t.Fatalf("a forged token within the limit: %d", s)
	}
	for _, p := range []string{feed.Path, "/feeds/kf_forgedforgedforgedforgedforgedforgedforgedforged.ics"} {
		s, h, b := e.getFeed(p)
		if s != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(string(b), "UNAVAILABLE") {
			t.Errorf("past the limit: %d %q %s", s, h.Get("Retry-After"), b)
		}
	}
	if strings.Contains(e.logs.String(), feed.Token[3:]) {
		t.Errorf("the log holds the token")
	}

	reads := e.auditEvents("feed", burst-1)
	if len(reads) != burst-1 {
		t.Fatalf("%d feed reads audited, want %d", len(reads), burst-1)
	}
	for _, ev := range reads {
		if ev.Subject != "feed "+feed.Feed.ID || ev.Operation != "GET /feeds" || !slices.Equal(ev.IDs, []string{people[0]}) ||
			ev.Detail["events"] != int64(0) || strings.Contains(fmt.Sprint(ev), feed.Token[3:]) {
			t.Errorf("audit record %+v", ev)
		}
	}
}
