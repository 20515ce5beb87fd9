package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"kith/auth"
	"kith/seed"
	"kith/server"
)

// directoryFixture is a small community for the directory: two areas, entries public and
// not in each, a sensitive group with a named member, and the ties between them.
type directoryFixture struct {
	areaA, areaB                    string
	orgA, orgAHidden, orgB          string
	knit, support, hiddenA, hiddenB string
	hall, hiddenPlace, online       string
	person                          string
}

// Personal data the fixture records and no directory response may contain.
const (
	directorySecretName    = "Dorothy Secretperson"
	directorySecretContact = "dorothy@private.example"
)

func setupDirectory(t *testing.T) (*env, directoryFixture) {
	t.Helper()
	e := setup(t)
	var f directoryFixture
	var areas struct{ CreateAreas []struct{ ID string } }
	e.ok(`mutation { createAreas(input: [{name: "Barton"}, {name: "Winton"}]) { id } }`, nil, &areas)
	f.areaA, f.areaB = areas.CreateAreas[0].ID, areas.CreateAreas[1].ID
	var orgs struct{ CreateOrganisations []struct{ ID string } }
	e.ok(`mutation($a: ID!, $b: ID!) { createOrganisations(input: [
		{name: "Barton Community Trust", sector: VOLUNTARY, areaId: $a, public: true},
		{name: "Barton Quiet Trust", sector: VOLUNTARY, areaId: $a},
		{name: "Winton Council Office", sector: PUBLIC, isAuthority: true, areaId: $b, public: true}]) { id } }`,
		map[string]any{"a": f.areaA, "b": f.areaB}, &orgs)
	f.orgA, f.orgAHidden, f.orgB = orgs.CreateOrganisations[0].ID, orgs.CreateOrganisations[1].ID, orgs.CreateOrganisations[2].ID
	var groups struct{ CreateGroups []struct{ ID string } }
	e.ok(`mutation($a: ID!, $b: ID!) { createGroups(input: [
		{name: "Knit and Natter", activity: "knit and natter", areaId: $a, public: true},
		{name: "Memory Cafe", activity: "dementia support", sensitive: true, areaId: $b, public: true},
		{name: "Barton Darts", activity: "darts", areaId: $a},
		{name: "Winton Walkers", activity: "walking", areaId: $b, public: false}]) { id } }`,
		map[string]any{"a": f.areaA, "b": f.areaB}, &groups)
	f.knit, f.support, f.hiddenA, f.hiddenB = groups.CreateGroups[0].ID, groups.CreateGroups[1].ID, groups.CreateGroups[2].ID, groups.CreateGroups[3].ID
	var places struct{ CreatePlaces []struct{ ID string } }
	e.ok(`mutation($a: ID!) { createPlaces(input: [
		{name: "Barton Library", kind: INDOOR, category: "library", latitude: 53.47, longitude: -2.36, areaId: $a, public: true},
		{name: "Back Room", kind: INDOOR, areaId: $a},
		{name: "Barton Facebook Group", kind: DIGITAL, areaId: $a, public: true}]) { id } }`,
		map[string]any{"a": f.areaA}, &places)
	f.hall, f.hiddenPlace, f.online = places.CreatePlaces[0].ID, places.CreatePlaces[1].ID, places.CreatePlaces[2].ID
	var people struct{ CreatePeople []struct{ ID string } }
	e.ok(`mutation($a: ID!, $n: String!, $c: String!) { createPeople(input: [{displayName: $n, contact: $c, areaId: $a}]) { id } }`,
		map[string]any{"a": f.areaA, "n": directorySecretName, "c": directorySecretContact}, &people)
	f.person = people.CreatePeople[0].ID
	var interests struct{ CreateInterests []struct{ ID string } }
	e.ok(`mutation { createInterests(input: [{name: "Crafts"}]) { id } }`, nil, &interests)
	ref := func(id string) map[string]any { return map[string]any{"id": id} }
	ties := []map[string]any{
		{"kind": "RUN_BY", "from": ref(f.knit), "to": ref(f.orgA)},
		{"kind": "RUN_BY", "from": ref(f.hiddenA), "to": ref(f.orgA)},
		{"kind": "RUN_BY", "from": ref(f.support), "to": ref(f.orgAHidden)},
		{"kind": "MEETS_AT", "from": ref(f.knit), "to": ref(f.hall)},
		{"kind": "MEETS_AT", "from": ref(f.knit), "to": ref(f.hiddenPlace)},
		{"kind": "MEETS_AT", "from": ref(f.knit), "to": ref(f.online)},
		{"kind": "MEETS_AT", "from": ref(f.support), "to": ref(f.hall)},
		{"kind": "MEETS_AT", "from": ref(f.hiddenA), "to": ref(f.hall)},
		{"kind": "MEMBER_OF", "from": ref(f.person), "to": ref(f.support)},
		{"kind": "MEMBER_OF", "from": ref(f.person), "to": ref(f.knit)},
		{"kind": "WORKS_FOR", "from": ref(f.person), "to": ref(f.orgA)},
		{"kind": "INTERESTED_IN", "from": ref(f.knit), "to": ref(interests.CreateInterests[0].ID)},
	}
	e.ok(`mutation($t: [TieInput!]!) { createTies(input: $t) { id } }`, map[string]any{"t": ties}, nil)
	return e, f
}

// personID matches a person's live id.
var personID = regexp.MustCompile(`per_[0-9a-z]{20}`)

// directoryGet sends GET /openreferral/... and decodes the JSON answer.
func (e *env) directoryGet(path string) (int, map[string]any) {
	e.t.Helper()
	status, h, body := e.get(path)
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Fatalf("GET %s: content type %q: %s", path, ct, body)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		e.t.Fatalf("GET %s: not JSON: %v: %s", path, err, body)
	}
	if strings.Contains(string(body), directorySecretName) || strings.Contains(string(body), directorySecretContact) ||
		personID.Match(body) {
		e.t.Fatalf("GET %s sent personal data: %s", path, body)
	}
	return status, v
}

// schemaCheck is one response for validate_openreferral.py.
type schemaCheck struct {
	Schema string `json:"schema"`
	List   bool   `json:"list"`
	Body   any    `json:"body"`
}

// Which official schema checks which route (server/testdata/openreferral/README.md).
var directorySchemas = map[string]schemaCheck{
	"services":             {Schema: "uk-profile/schema/compiled/service_list.json", List: true},
	"services/":            {Schema: "uk-profile/schema/service.json"},
	"organizations":        {Schema: "hsds/schema/compiled/organization_list.json", List: true},
	"organizations/":       {Schema: "uk-profile/schema/organization.json"},
	"locations":            {Schema: "uk-profile/schema/location.json", List: true},
	"locations/":           {Schema: "uk-profile/schema/location.json"},
	"service_at_locations": {Schema: "uk-profile/schema/compiled/service_at_location_list.json", List: true},
}

// directoryChecks collects successful responses and validates them all at the end of the
// test with the official schemas (Python's jsonschema, KITH_PYTHON).
type directoryChecks struct {
	t      *testing.T
	checks []schemaCheck
}

func (c *directoryChecks) add(path string, body map[string]any) {
	route := strings.TrimPrefix(path, "/openreferral/")
	route, _, _ = strings.Cut(route, "?")
	if i := strings.Index(route, "/"); i >= 0 {
		route = route[:i+1]
	}
	sc, ok := directorySchemas[route]
	if !ok {
		c.t.Fatalf("no schema for %s", path)
	}
	sc.Body = body
	c.checks = append(c.checks, sc)
	c.addSchedules(body)
}

// addSchedules adds a check of every schedule in v, at any depth, against the UK
// profile's schedule.json and HSDS's: the UK profile's location and service_at_location
// schemas and its list schemas do not name schedules, so they would pass any.
func (c *directoryChecks) addSchedules(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if list, ok := x.([]any); ok && k == "schedules" {
				for _, s := range list {
					c.checks = append(c.checks, schemaCheck{Schema: "uk-profile/schema/schedule.json", Body: s},
						schemaCheck{Schema: "hsds/schema/schedule.json", Body: s})
				}
			}
			c.addSchedules(x)
		}
	case []any:
		for _, x := range v {
			c.addSchedules(x)
		}
	}
}

func (c *directoryChecks) validate() {
	t := c.t
	t.Helper()
	python := os.Getenv("KITH_PYTHON")
	if python == "" {
		t.Skip("KITH_PYTHON is not set: run make pyenv and point it at .kith/venv/bin/python")
	}
	path := filepath.Join(t.TempDir(), "responses.json")
	raw, _ := json.Marshal(c.checks)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "testdata/openreferral/validate_openreferral.py", path).CombinedOutput()
	if err != nil {
		t.Fatalf("official Open Referral schemas refuse Kith's responses: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}

// ids of a list response's contents.
func contentIDs(t *testing.T, page map[string]any) []string {
	t.Helper()
	var out []string
	for _, c := range page["contents"].([]any) {
		out = append(out, c.(map[string]any)["id"].(string))
	}
	return out
}

// TestOpenReferralDirectory reads every route as every role, checks what each sees and
// validates every answer against the official Open Referral UK / HSDS 3.0 schemas.
func TestOpenReferralDirectory(t *testing.T) {
	e, f := setupDirectory(t)
	checks := &directoryChecks{t: t}
	get := func(e *env, path string, want int) map[string]any {
		t.Helper()
		status, body := e.directoryGet(path)
		if status != want {
			t.Fatalf("GET %s as %q: status %d, want %d: %v", path, e.role, status, want, body)
		}
		if status == http.StatusOK && path != "/openreferral/" {
			checks.add(path, body)
		}
		return body
	}
	id := server.DirectoryID
	public := struct{ services, orgs, places []string }{
		services: []string{id(f.knit), id(f.support)},
		orgs:     []string{id(f.orgA), id(f.orgB)},
		places:   []string{id(f.hall), id(f.online)},
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

	// Every role without unpublished=true sees the public entries, and only those.
	callers := map[string]*env{
		"anonymous": e.as(""), "admin": e.as(auth.Admin), "worker in area": e.as(auth.Worker, f.areaA),
		"worker elsewhere": e.as(auth.Worker, f.areaB), "analyst": e.as(auth.Analyst), "researcher": e.as(auth.Researcher),
		"partner": e.as(auth.Partner),
	}
	for name, c := range callers {
		t.Run(name, func(t *testing.T) {
			c := c.with(t)
			if got := sorted(contentIDs(t, get(c, "/openreferral/services", 200))); !slices.Equal(got, sorted(public.services)) {
				t.Errorf("services %v, want %v", got, public.services)
			}
			if got := sorted(contentIDs(t, get(c, "/openreferral/organizations", 200))); !slices.Equal(got, sorted(public.orgs)) {
				t.Errorf("organizations %v, want %v", got, public.orgs)
			}
			if got := sorted(contentIDs(t, get(c, "/openreferral/locations", 200))); !slices.Equal(got, sorted(public.places)) {
				t.Errorf("locations %v, want %v", got, public.places)
			}
			sal := get(c, "/openreferral/service_at_locations", 200)
			if n := len(sal["contents"].([]any)); n != 3 { // knit at hall and online, support at hall
				t.Errorf("service_at_locations: %d, want 3: %v", n, sal)
			}
			get(c, "/openreferral/services/"+id(f.knit), 200)
			get(c, "/openreferral/organizations/"+id(f.orgA), 200)
			get(c, "/openreferral/locations/"+id(f.hall), 200)
			for _, hidden := range []string{"/openreferral/services/" + id(f.hiddenA), "/openreferral/organizations/" + id(f.orgAHidden),
				"/openreferral/locations/" + id(f.hiddenPlace)} {
				if _, body := c.directoryGet(hidden); body["errors"] == nil {
					t.Errorf("GET %s: a hidden entry was sent: %v", hidden, body)
				}
				status, _ := c.directoryGet(hidden)
				if status != http.StatusNotFound {
					t.Errorf("GET %s: status %d, want 404", hidden, status)
				}
			}
			get(c, "/openreferral/", 200)
		})
	}

	// A public service: run by its public organisation, meeting at its public places only,
	// without members, and the sensitive group's organisation (not public) left out.
	anon := e.as("")
	knit := get(anon, "/openreferral/services/"+id(f.knit), 200)
	if knit["organization_id"] != id(f.orgA) || knit["organization"].(map[string]any)["name"] != "Barton Community Trust" {
		t.Errorf("knit's organisation: %v", knit)
	}
	if knit["status"] != "active" || knit["url"] != e.srv.URL+"/openreferral/services/"+id(f.knit) {
		t.Errorf("knit: %v", knit)
	}
	var locs []string
	for _, s := range knit["service_at_locations"].([]any) {
		locs = append(locs, s.(map[string]any)["location_id"].(string))
	}
	if !slices.Equal(sorted(locs), sorted([]string{id(f.hall), id(f.online)})) {
		t.Errorf("knit meets at %v", locs)
	}
	support := get(anon, "/openreferral/services/"+id(f.support), 200)
	if _, ok := support["organization_id"]; ok {
		t.Errorf("a hidden organisation was named: %v", support)
	}
	orgA := get(anon, "/openreferral/organizations/"+id(f.orgA), 200)
	if svc := orgA["services"].([]any); len(svc) != 1 || svc[0].(map[string]any)["id"] != id(f.knit) {
		t.Errorf("orgA's services: %v", orgA["services"])
	}
	online := get(anon, "/openreferral/locations/"+id(f.online), 200)
	if online["location_type"] != "virtual" {
		t.Errorf("online: %v", online)
	}

	// unpublished=true: admins see everything, workers their areas' entries too, each
	// saying whether it is public; everyone else is refused.
	all := sorted(contentIDs(t, get(e.as(auth.Admin), "/openreferral/services?unpublished=true", 200)))
	if want := sorted([]string{id(f.knit), id(f.support), id(f.hiddenA), id(f.hiddenB)}); !slices.Equal(all, want) {
		t.Errorf("admin's unpublished services %v, want %v", all, want)
	}
	workerA := e.as(auth.Worker, f.areaA)
	mine := get(workerA, "/openreferral/services?unpublished=true", 200)
	if got, want := sorted(contentIDs(t, mine)), sorted([]string{id(f.knit), id(f.support), id(f.hiddenA)}); !slices.Equal(got, want) {
		t.Errorf("worker's unpublished services %v, want %v", got, want)
	}
	for _, c := range mine["contents"].([]any) {
		m := c.(map[string]any)
		if _, ok := m["kith_public"].(bool); !ok {
			t.Errorf("no kith_public: %v", m)
		}
	}
	get(workerA, "/openreferral/services/"+id(f.hiddenA)+"?unpublished=true", 200)
	get(workerA, "/openreferral/locations/"+id(f.hiddenPlace)+"?unpublished=true", 200)
	get(workerA, "/openreferral/organizations/"+id(f.orgAHidden)+"?unpublished=true", 200)
	get(e.as(auth.Worker, f.areaB), "/openreferral/services/"+id(f.hiddenA)+"?unpublished=true", 404)
	get(e.as(""), "/openreferral/services?unpublished=true", 401)
	for _, r := range []auth.Role{auth.Analyst, auth.Researcher, auth.Partner} {
		if _, body := e.as(r).directoryGet("/openreferral/services?unpublished=true"); errCode(body) != "FORBIDDEN" {
			t.Errorf("%s: unpublished: %v", r, body)
		}
	}

	// Filters and paging.
	if got := contentIDs(t, get(anon, "/openreferral/services?search=KNIT", 200)); !slices.Equal(got, []string{id(f.knit)}) {
		t.Errorf("search: %v", got)
	}
	if got := contentIDs(t, get(anon, "/openreferral/services?interest=crafts", 200)); !slices.Equal(got, []string{id(f.knit)}) {
		t.Errorf("interest: %v", got)
	}
	if got := contentIDs(t, get(anon, "/openreferral/services?organization_id="+id(f.orgA), 200)); !slices.Equal(got, []string{id(f.knit)}) {
		t.Errorf("organization_id: %v", got)
	}
	if got := contentIDs(t, get(anon, "/openreferral/services?organization_id="+id(f.orgAHidden), 200)); len(got) != 0 {
		t.Errorf("organization_id of a hidden organisation: %v", got)
	}
	if got := contentIDs(t, get(anon, "/openreferral/service_at_locations?search=library", 200)); len(got) != 2 {
		t.Errorf("service_at_locations search: %v", got)
	}
	if got := contentIDs(t, get(anon, "/openreferral/services?modified_after=2999-01-01T00:00:00Z", 200)); len(got) != 0 {
		t.Errorf("modified_after the future: %v", got)
	}
	if got := contentIDs(t, get(anon, "/openreferral/services?modified_after=2000-01-01T00:00:00%2B01:00", 200)); len(got) != 2 {
		t.Errorf("modified_after the past: %v", got)
	}
	p1 := get(anon, "/openreferral/services?per_page=1", 200)
	p2 := get(anon, "/openreferral/services?per_page=1&page=2", 200)
	p3 := get(anon, "/openreferral/services?per_page=1&page=3", 200)
	for _, c := range []struct {
		page                      map[string]any
		number                    float64
		first, last, empty        bool
		size, totalItems, totalPg float64
	}{
		{p1, 1, true, false, false, 1, 2, 2},
		{p2, 2, false, true, false, 1, 2, 2},
		{p3, 3, false, true, true, 0, 2, 2},
	} {
		p := c.page
		if p["page_number"] != c.number || p["first_page"] != c.first || p["last_page"] != c.last || p["empty"] != c.empty ||
			p["size"] != c.size || p["total_items"] != c.totalItems || p["total_pages"] != c.totalPg {
			t.Errorf("page %v: %v", c.number, p)
		}
	}
	if a, b := contentIDs(t, p1), contentIDs(t, p2); len(a) != 1 || len(b) != 1 || a[0] == b[0] {
		t.Errorf("pages overlap: %v %v", a, b)
	}

	checks.validate()
}

func errCode(body map[string]any) string {
	errs, _ := body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

// TestOpenReferralBadInput: every bad parameter is a coded JSON error with its status,
// naming the parameter, and the log holds no query text.
func TestOpenReferralBadInput(t *testing.T) {
	e, f := setupDirectory(t)
	anon := e.as("")
	long := url.QueryEscape(strings.Repeat("x", 201))
	for _, c := range []struct {
		path, code, field string
		status            int
	}{
		{"/openreferral/services?per_page=0", "BAD_USER_INPUT", "query.per_page", 400},
		{"/openreferral/services?per_page=100000", "BAD_USER_INPUT", "query.per_page", 400},
		{"/openreferral/services?per_page=ten", "BAD_USER_INPUT", "query.per_page", 400},
		{"/openreferral/services?page=0", "BAD_USER_INPUT", "query.page", 400},
		{"/openreferral/services?page=-1", "BAD_USER_INPUT", "query.page", 400},
		{"/openreferral/services?page=abc", "BAD_USER_INPUT", "query.page", 400},
		{"/openreferral/services?page=99999999999999999999", "BAD_USER_INPUT", "query.page", 400},
		{"/openreferral/services?page=1&page=2", "BAD_USER_INPUT", "query.page", 400},
		{"/openreferral/services?search=" + long, "BAD_USER_INPUT", "query.search", 400},
		{"/openreferral/services?search=%ff", "BAD_USER_INPUT", "query.search", 400},
		{"/openreferral/services?modified_after=yesterday", "BAD_USER_INPUT", "query.modified_after", 400},
		{"/openreferral/services?organization_id=not-a-uuid", "BAD_USER_INPUT", "query.organization_id", 400},
		{"/openreferral/services?taxonomy_id=x", "BAD_USER_INPUT", "query.taxonomy_id", 400},
		{"/openreferral/services?unpublished=maybe", "BAD_USER_INPUT", "query.unpublished", 400},
		{"/openreferral/organizations?interest=crafts", "BAD_USER_INPUT", "query.interest", 400},
		{"/openreferral/services/" + server.DirectoryID(f.knit) + "?page=2", "BAD_USER_INPUT", "query.page", 400},
		{"/openreferral/services/not-a-uuid", "BAD_USER_INPUT", "id", 400},
		{"/openreferral/services/" + strings.ToUpper(server.DirectoryID(f.knit)) + "x", "BAD_USER_INPUT", "id", 400},
		{"/openreferral/services/ac148810-d857-441c-9679-408f346de14b", "NOT_FOUND", "id", 404},
		{"/openreferral/services/00000000-0000-8000-8000-000000000000", "NOT_FOUND", "id", 404},
		{"/openreferral/services/" + server.DirectoryID(f.orgA), "NOT_FOUND", "id", 404},
		{"/openreferral/organizations/" + server.DirectoryID(f.knit), "NOT_FOUND", "id", 404},
		{"/openreferral/locations/" + server.DirectoryID(f.orgB), "NOT_FOUND", "id", 404},
	} {
		status, body := anon.directoryGet(c.path)
		errs, _ := body["errors"].([]any)
		if status != c.status || len(errs) != 1 {
			t.Errorf("GET %s: status %d, want %d: %v", c.path, status, c.status, body)
			continue
		}
		ext := errs[0].(map[string]any)["extensions"].(map[string]any)
		if ext["code"] != c.code || ext["field"] != c.field {
			t.Errorf("GET %s: %v, want %s on %s", c.path, ext, c.code, c.field)
		}
	}
	// The upper-case form of an id is the same id.
	if status, _ := anon.directoryGet("/openreferral/services/" + strings.ToUpper(server.DirectoryID(f.knit))); status != 200 {
		t.Errorf("upper-case id: %d", status)
	}
	// A bad token is refused, never read as anonymous.
	bad := e.as("")
	bad.token = "not-a-token"
	if status, body := bad.directoryGet("/openreferral/services"); status != 401 || errCode(body) != "UNAUTHENTICATED" {
		t.Errorf("bad token: %d %v", status, body)
	}
	if logs := e.logs.String(); strings.Contains(logs, "crafts") || strings.Contains(logs, strings.Repeat("x", 50)) {
		t.Errorf("the log holds query text: %s", logs)
	}
}

// TestDirectoryIDs: the directory's UUIDs are version 8, stable, distinct per type and
// read back to the Kith id.
func TestDirectoryIDs(t *testing.T) {
	for _, id := range []string{"grp_5mq3v0tq7c2k4e6w9xzr", "org_00000000000000000000", "plc_zzzzzzzzzzzzzzzzzzzz"} {
		u := server.DirectoryID(id)
		if len(u) != 36 || u[14] != '8' || !strings.ContainsAny(u[19:20], "89ab") {
			t.Errorf("%s → %s: not a version 8 UUID", id, u)
		}
		if server.DirectoryID(id) != u {
			t.Errorf("%s: not stable", id)
		}
	}
	if server.DirectoryID("per_5mq3v0tq7c2k4e6w9xzr") != "" {
		t.Error("a person got a directory id")
	}
	if server.DirectoryID("grp_5mq3v0tq7c2k4e6w9xzr") == server.DirectoryID("plc_5mq3v0tq7c2k4e6w9xzr") {
		t.Error("two types share a directory id")
	}
}

// TestDirectoryPublicFlag: the public flag through GraphQL: read by every role that reads
// groups, places and organisations; set by admins anywhere and by workers only within
// their areas (FORBIDDEN otherwise, nothing written); the rest may not write at all.
func TestDirectoryPublicFlag(t *testing.T) {
	e, f := setupDirectory(t)
	var got struct {
		Groups struct{ Nodes []struct{ Public bool } }
	}
	for _, r := range []auth.Role{auth.Admin, auth.Analyst} {
		e.as(r).ok(`query($id: ID!) { groups(where: {id: {eq: $id}}) { nodes { public } } }`, map[string]any{"id": e.as(r).idFor(f.knit)}, &got)
		if len(got.Groups.Nodes) != 1 || !got.Groups.Nodes[0].Public {
			t.Errorf("%s reads knit's public flag as %+v", r, got)
		}
	}
	e.as(auth.Worker, f.areaA).ok(`{ groups(where: {public: {eq: false}}) { nodes { public } } }`, nil, &got)
	if len(got.Groups.Nodes) != 2 {
		t.Errorf("filter on public: %+v", got)
	}
	e.as(auth.Partner).fails(`{ groups { nodes { public } } }`, nil, "FORBIDDEN", "")
	e.as(auth.Researcher).fails(`{ groups { nodes { public } } }`, nil, "FORBIDDEN", "")

	worker := e.as(auth.Worker, f.areaA)
	// Within the area: allowed, for each type, on create and update.
	worker.ok(`mutation($id: ID!) { updateGroups(input: [{id: $id, public: true}]) { id public } }`, map[string]any{"id": f.hiddenA}, nil)
	worker.ok(`mutation($id: ID!) { updatePlaces(input: [{id: $id, public: true}]) { id } }`, map[string]any{"id": f.hiddenPlace}, nil)
	worker.ok(`mutation($id: ID!) { updateOrganisations(input: [{id: $id, public: false}]) { id } }`, map[string]any{"id": f.orgA}, nil)
	worker.ok(`mutation($a: ID!) { createGroups(input: [{name: "New Choir", areaId: $a, public: true}]) { id } }`, map[string]any{"a": f.areaA}, nil)
	// Outside it, or with no area: refused, and nothing written.
	before := e.counts()
	worker.fails(`mutation($id: ID!) { updateGroups(input: [{id: $id, public: true}]) { id } }`, map[string]any{"id": f.hiddenB}, "FORBIDDEN", "input[0].public")
	worker.fails(`mutation($a: ID!) { createPlaces(input: [{name: "Ok", areaId: $a, public: true}, {name: "Elsewhere", public: true}]) { id } }`,
		map[string]any{"a": f.areaA}, "FORBIDDEN", "input[1].public")
	worker.fails(`mutation($b: ID!) { createOrganisations(input: [{name: "Far", areaId: $b, public: false}]) { id } }`, map[string]any{"b": f.areaB}, "FORBIDDEN", "input[0].public")
	// Updating something else of a group elsewhere stays allowed, as before.
	worker.ok(`mutation($id: ID!) { updateGroups(input: [{id: $id, activity: "rambling"}]) { id } }`, map[string]any{"id": f.hiddenB}, nil)
	if after := e.counts(); after != before {
		t.Errorf("a refused write wrote: %v → %v", before, after)
	}
	var g struct {
		Groups struct{ Nodes []struct{ Public bool } }
	}
	e.ok(`query($id: ID!) { groups(where: {id: {eq: $id}}) { nodes { public } } }`, map[string]any{"id": f.hiddenB}, &g)
	if g.Groups.Nodes[0].Public {
		t.Error("a worker made a group elsewhere public")
	}
	// Admins anywhere.
	e.ok(`mutation($id: ID!) { updateGroups(input: [{id: $id, public: true}]) { id } }`, map[string]any{"id": f.hiddenB}, nil)
	for r, id := range map[auth.Role]string{auth.Analyst: analystID(t, f.knit),
		auth.Researcher: testPseudonyms(t).Encode(string(auth.Researcher), f.knit), auth.Partner: f.knit} {
		e.as(r).fails(`mutation($id: ID!) { updateGroups(input: [{id: $id, public: true}]) { id } }`, map[string]any{"id": id}, "FORBIDDEN", "")
	}
	e.as("").do(`mutation($id: ID!) { updateGroups(input: [{id: $id, public: true}]) { id } }`, map[string]any{"id": f.knit})
	if status, _ := e.as("").postRaw([]byte(`{"query":"mutation { updateGroups(input: [{id: \"` + f.knit + `\", public: false}]) { id } }"}`)); status != 401 {
		t.Errorf("anonymous write: %d", status)
	}
	// The directory follows the flag at once.
	anon := e.as("")
	_, page := anon.directoryGet("/openreferral/services")
	if got := contentIDs(t, page); !slices.Contains(got, server.DirectoryID(f.hiddenB)) || !slices.Contains(got, server.DirectoryID(f.hiddenA)) {
		t.Errorf("after publishing: %v", got)
	}
	_, orgs := anon.directoryGet("/openreferral/organizations")
	if slices.Contains(contentIDs(t, orgs), server.DirectoryID(f.orgA)) {
		t.Errorf("an organisation taken out is still listed: %v", orgs)
	}
}

// TestOpenReferralSchemasRefuse proves the validation can fail: responses that break the
// official schemas (an id that is no UUID, a service without its url, a page without
// empty, a bad last_modified, schedules HSDS cannot read) are refused.
func TestOpenReferralSchemasRefuse(t *testing.T) {
	python := os.Getenv("KITH_PYTHON")
	if python == "" {
		t.Skip("KITH_PYTHON is not set: run make pyenv and point it at .kith/venv/bin/python")
	}
	good := map[string]any{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active", "url": "http://example.com/x"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for name, c := range map[string]schemaCheck{
		"id not a uuid": {Schema: "uk-profile/schema/service.json", Body: with("id", "grp_5mq3v0tq7c2k4e6w9xzr")},
		"no url":        {Schema: "uk-profile/schema/service.json", Body: with("url", nil)},
		"bad status":    {Schema: "uk-profile/schema/service.json", Body: with("status", "open")},
		"bad modified":  {Schema: "uk-profile/schema/service.json", Body: with("last_modified", "yesterday")},
		"page no empty": {Schema: "uk-profile/schema/compiled/service_list.json", List: true, Body: map[string]any{"contents": []any{good}}},
		"bad item":      {Schema: "uk-profile/schema/compiled/service_list.json", List: true, Body: map[string]any{"empty": false, "contents": []any{with("name", nil)}}},
		// Schedules: HSDS knows WEEKLY and MONTHLY only, its timezone is a number, and the
		// UK profile requires a url.
		"daily schedule":   {Schema: "hsds/schema/schedule.json", Body: map[string]any{"id": good["id"], "freq": "DAILY"}},
		"named zone":       {Schema: "hsds/schema/schedule.json", Body: map[string]any{"id": good["id"], "timezone": "Europe/London"}},
		"schedule id":      {Schema: "hsds/schema/schedule.json", Body: map[string]any{"id": "evt_5mq3v0tq7c2k4e6w9xzr"}},
		"schedule, no url": {Schema: "uk-profile/schema/schedule.json", Body: map[string]any{"id": good["id"]}},
		"schedule in a service": {Schema: "uk-profile/schema/service.json",
			Body: with("schedules", []any{map[string]any{"id": good["id"], "url": good["url"], "interval": "1"}})},
	} {
		path := filepath.Join(t.TempDir(), "responses.json")
		raw, _ := json.Marshal([]schemaCheck{c})
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(python, "testdata/openreferral/validate_openreferral.py", path).CombinedOutput(); err == nil {
			t.Errorf("%s: accepted: %s", name, out)
		}
	}
}

// TestOpenReferralDemo: the demo neighbourhood (make run) has a directory: its public
// groups, places and organisations, with who runs which group, valid to the official
// schemas, and nothing of its people.
func TestOpenReferralDemo(t *testing.T) {
	e := setup(t)
	if err := seed.Demo().Load(context.Background(), e.store, nil); err != nil {
		t.Fatal(err)
	}
	anon := e.as("")
	checks := &directoryChecks{t: t}
	want := map[string]float64{"services": 7, "organizations": 4, "locations": 7, "service_at_locations": 6}
	for route, n := range want {
		path := "/openreferral/" + route
		status, page := anon.directoryGet(path)
		if status != 200 || page["total_items"] != n {
			t.Errorf("GET %s: %d, %v items, want %v", path, status, page["total_items"], n)
		}
		checks.add(path, page)
		for _, c := range page["contents"].([]any) {
			if route == "services" || route == "organizations" || route == "locations" {
				item := "/openreferral/" + route + "/" + c.(map[string]any)["id"].(string)
				status, body := anon.directoryGet(item)
				if status != 200 {
					t.Errorf("GET %s: %d %v", item, status, body)
				}
				checks.add(item, body)
			}
		}
	}
	_, knit := anon.directoryGet("/openreferral/services?search=knit")
	first := knit["contents"].([]any)[0].(map[string]any)
	if first["organization_id"] == nil {
		t.Errorf("Knit and Natter names no organisation: %v", first)
	}
	checks.validate()
}
