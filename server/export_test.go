package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kith/auth"
	"kith/cypher"
	"kith/nodeid"
)

// exportFixture is a small neighbourhood: two areas, two waves with dates, people with and
// without consent to analysis, KNOWS ties weak and strong, TRUSTS ties, and memberships of
// an open and a sensitive group.
type exportFixture struct {
	ids map[string]string
	// names are the people's display names, which no pseudonymised export may hold.
	names []string
}

func loadExportFixture(t *testing.T, e *env) exportFixture {
	t.Helper()
	f := exportFixture{ids: map[string]string{}}
	id := func(label, key string) string {
		v := nodeid.FromKey(label, key)
		f.ids[key] = v
		return v
	}
	nodes := []cypher.LoadNode{
		{Label: "Area", ID: id("Area", "barton"), Props: map[string]any{"externalId": "barton", "name": "Barton"}},
		{Label: "Area", ID: id("Area", "winton"), Props: map[string]any{"externalId": "winton", "name": "Winton"}},
		{Label: "Wave", ID: id("Wave", "w1"), Props: map[string]any{"externalId": "w1", "name": "Spring", "collectedOn": "2026-03-01"}},
		{Label: "Wave", ID: id("Wave", "w2"), Props: map[string]any{"externalId": "w2", "name": "Autumn", "collectedOn": "2026-10-01"}},
		{Label: "Group", ID: id("Group", "knit"), Props: map[string]any{"externalId": "knit", "name": "Knit and natter"}},
		{Label: "Group", ID: id("Group", "recovery"), Props: map[string]any{"externalId": "recovery", "name": "Recovery circle", "sensitive": true}},
	}
	type person struct {
		key, area, household string
		consent              bool
	}
	people := []person{{"ann", "barton", "family", true}, {"bob", "barton", "single", true}, {"cat", "barton", "single", false},
		{"dan", "winton", "couple", true}, {"eve", "winton", "family", true}, {"fay", "winton", "single", true}, {"gus", "barton", "couple", true}}
	var ties []cypher.LoadTie
	for _, p := range people {
		name := strings.ToUpper(p.key[:1]) + p.key[1:] + " Testperson"
		f.names = append(f.names, name)
		nodes = append(nodes, cypher.LoadNode{Label: "Person", ID: id("Person", p.key), Props: map[string]any{
			"externalId": "ext-" + p.key, "displayName": name, "householdType": p.household, "consentAnalysis": p.consent}})
		ties = append(ties, cypher.LoadTie{Kind: "LIVES_IN", From: f.ids[p.key], To: f.ids[p.area]})
	}
	knows := [][4]string{{"ann", "bob", "STRONG", "w1"}, {"ann", "bob", "STRONG", "w2"}, {"bob", "cat", "WEAK", "w1"}, {"ann", "dan", "WEAK", "w2"},
		{"dan", "eve", "STRONG", "w1"}, {"eve", "fay", "WEAK", "w2"}, {"fay", "dan", "WEAK", "w1"}, {"gus", "ann", "WEAK", "w2"}, {"cat", "gus", "WEAK", "w2"}}
	for _, k := range knows {
		ties = append(ties, cypher.LoadTie{Kind: "KNOWS", From: f.ids[k[0]], To: f.ids[k[1]], Props: map[string]any{"strength": k[2], "wave": f.ids[k[3]]}})
	}
	trusts := [][3]string{{"bob", "ann", "HELP"}, {"bob", "ann", "ADVICE"}, {"eve", "dan", "SUPPORT"}, {"gus", "bob", "HELP"}}
	for _, k := range trusts {
		ties = append(ties, cypher.LoadTie{Kind: "TRUSTS", From: f.ids[k[0]], To: f.ids[k[1]], Props: map[string]any{"for": k[2], "wave": f.ids["w1"]}})
	}
	for _, m := range [][2]string{{"ann", "knit"}, {"bob", "knit"}, {"bob", "recovery"}, {"eve", "recovery"}} {
		ties = append(ties, cypher.LoadTie{Kind: "MEMBER_OF", From: f.ids[m[0]], To: f.ids[m[1]]})
	}
	if err := e.store.Load(context.Background(), nodes, ties, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

// exportRead is what read_export.py reports of a file.
type exportRead struct {
	Directed    bool
	Nodes       int
	Ties        int
	Pairs       int
	Degree      map[string]int
	Attrs       map[string]map[string]any
	Kinds       []string
	Spells      int
	Files       []string
	Clu         []int
	CluVertices int
}

// get sends GET path with the env's token and returns the status, headers and body.
func (e *env) get(path string) (int, http.Header, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("get %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read %s: %v", path, err)
	}
	h := resp.Header.Clone()
	for k, v := range resp.Trailer {
		h[k] = v
	}
	return resp.StatusCode, h, body
}

// readExport reads an export back with networkx (KITH_PYTHON, the project's venv).
func readExport(t *testing.T, format string, body []byte, directed bool) exportRead {
	t.Helper()
	python := os.Getenv("KITH_PYTHON")
	if python == "" {
		t.Skip("KITH_PYTHON is not set: run ./dev/python/venv.sh and point it at .kith/venv/bin/python")
	}
	path := filepath.Join(t.TempDir(), "export."+format)
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := "false"
	if directed {
		dir = "true"
	}
	out, err := exec.Command(python, "testdata/read_export.py", format, path, dir).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("read_export.py %s: %v\n%s\nfile:\n%.2000s", format, err, ee.Stderr, body)
		}
		t.Fatalf("read_export.py %s: %v", format, err)
	}
	var r exportRead
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("read_export.py output: %v: %s", err, out)
	}
	return r
}

// apiDegrees asks Kith's own API for the scope's graph: its node and (merged) tie counts and
// every node's degree, by the caller's id.
func apiDegrees(t *testing.T, e *env, directed bool) (nodes, ties int, degree map[string]int) {
	t.Helper()
	var got struct {
		Centrality struct {
			Graph struct{ Nodes, Ties int }
			Edges []struct {
				Node  struct{ ID string }
				Score float64
			}
		}
	}
	e.ok(`query($d: Boolean) { centrality(scope: {directed: $d}, measure: DEGREE, first: 500) { graph { nodes ties } edges { node { id } score } } }`,
		map[string]any{"d": directed}, &got)
	c := got.Centrality
	if c.Graph.Nodes < 3 || c.Graph.Ties < 2 {
		t.Fatalf("the fixture reads as %d nodes and %d ties", c.Graph.Nodes, c.Graph.Ties)
	}
	degree = map[string]int{}
	for _, ed := range c.Edges {
		degree[ed.Node.ID] = int(math.Round(ed.Score * float64(c.Graph.Nodes-1)))
	}
	return c.Graph.Nodes, c.Graph.Ties, degree
}

func sortedValues(m map[string]int) []int {
	out := make([]int, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

var exportFormats = []string{"gexf", "graphml", "pajek", "csv"}

// TestExportReadBack exports the fixture in every format networkx reads, as every role that
// may export, and checks what networkx reads against what the API reports for the same
// scope: node count, tie count (merged, as analysis counts them), every degree, and the
// attributes.
func TestExportReadBack(t *testing.T) {
	e := setup(t)
	f := loadExportFixture(t, e)
	roles := []struct {
		role  auth.Role
		areas []string
		// api is the role whose API answer the export must match (a researcher reads no
		// people through the API; their export is the analyst's view).
		api          auth.Role
		pseudonymous bool
	}{
		{auth.Admin, nil, auth.Admin, false},
		{auth.Worker, []string{f.ids["barton"]}, auth.Worker, false},
		{auth.Analyst, nil, auth.Analyst, true},
		{auth.Researcher, nil, auth.Analyst, true},
	}
	for _, rc := range roles {
		for _, directed := range []bool{true, false} {
			caller := e.as(rc.role, rc.areas...)
			apiCaller := e.as(rc.api, rc.areas...)
			nodes, ties, degree := apiDegrees(t, apiCaller.with(t), directed)
			for _, format := range exportFormats {
				name := string(rc.role) + "/" + format
				if !directed {
					name += "/undirected"
				}
				t.Run(name, func(t *testing.T) {
					status, h, body := caller.with(t).get("/export/" + format + "?directed=" + map[bool]string{true: "true", false: "false"}[directed])
					if status != http.StatusOK {
						t.Fatalf("status %d: %s", status, body)
					}
					if h.Get("Kith-Export-Status") != "ok" {
						t.Errorf("trailer: %q", h.Get("Kith-Export-Status"))
					}
					if cd := h.Get("Content-Disposition"); !strings.Contains(cd, "kith-all-all-"+time.Now().UTC().Format("2006-01-02")) {
						t.Errorf("Content-Disposition %q", cd)
					}
					r := readExport(t, format, body, directed)
					if r.Directed != directed {
						t.Errorf("read as directed=%v", r.Directed)
					}
					if r.Nodes != nodes || r.Pairs != ties {
						t.Errorf("networkx reads %d nodes and %d distinct ties; the API reports %d and %d", r.Nodes, r.Pairs, nodes, ties)
					}
					if r.Ties < r.Pairs {
						t.Errorf("%d ties, fewer than %d distinct ones", r.Ties, r.Pairs)
					}
					if rc.pseudonymous {
						// The export's ids are its own: they join neither to live ids nor to
						// the role's API ids, and no name, external id or sensitive group is
						// in the file.
						if got, want := sortedValues(r.Degree), sortedValues(degree); !slices.Equal(got, want) {
							t.Errorf("degrees %v, API %v", got, want)
						}
						for id := range r.Degree {
							if _, ok := degree[id]; ok {
								t.Errorf("export id %s is an id of the API", id)
							}
						}
						text := string(body)
						for _, v := range f.ids {
							if strings.Contains(text, v) {
								t.Errorf("the export holds live id %s", v)
							}
						}
						for _, n := range f.names {
							if strings.Contains(text, n) {
								t.Errorf("the export holds the name %q", n)
							}
						}
						if strings.Contains(text, "ext-") {
							t.Error("the export holds an externalId")
						}
					} else {
						for id, d := range degree {
							if r.Degree[id] != d {
								t.Errorf("degree of %s: networkx %d, API %d", id, r.Degree[id], d)
							}
						}
					}
					checkExportAttrs(t, format, r, f, rc.pseudonymous)
				})
			}
		}
	}
	// Exports are audited with their counts, never names.
	evs, err := e.store.AuditEvents(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	audited := 0
	for _, ev := range evs {
		if ev.Operation == "export" && ev.Detail["outcome"] == "ok" {
			audited++
			if _, ok := ev.Detail["nodes"]; !ok {
				t.Errorf("audit record without counts: %+v", ev)
			}
		}
	}
	if want := len(roles) * 2 * len(exportFormats); audited < want {
		t.Errorf("%d exports audited, want %d", audited, want)
	}
}

// checkExportAttrs checks the node attributes each format carries.
func checkExportAttrs(t *testing.T, format string, r exportRead, f exportFixture, pseudonymous bool) {
	t.Helper()
	households := map[string]bool{"family": true, "single": true, "couple": true}
	for id, a := range r.Attrs {
		var household, area any
		switch format {
		case "gexf", "graphml":
			household, area = a["householdType"], a["area"]
			if pseudonymous && a["label"] != id {
				t.Errorf("%s: a pseudonymised person's label is %v, not their export id", id, a["label"])
			}
		case "csv":
			household, area = a["HouseholdType"], a["Area"]
		case "pajek":
			if len(r.Clu) != r.Nodes || r.CluVertices != r.Nodes {
				t.Errorf("areas.clu has %d values for %d vertices (header %d)", len(r.Clu), r.Nodes, r.CluVertices)
			}
			if !slices.Contains(r.Files, "network.net") || !slices.Contains(r.Files, "areas.clu") {
				t.Errorf("zip holds %v", r.Files)
			}
			return
		}
		if s, _ := household.(string); !households[s] {
			t.Errorf("%s %s: householdType %v", format, id, household)
		}
		if area != "Barton" && area != "Winton" {
			t.Errorf("%s %s: area %v", format, id, area)
		}
		if !pseudonymous {
			if !slices.Contains(slices.Collect(maps.Values(f.ids)), id) {
				t.Errorf("%s: id %s is not a live id", format, id)
			}
		}
	}
	if format == "gexf" && r.Spells == 0 {
		t.Error("no tie of the GEXF export has spells")
	}
}

// TestExportBadInput checks the coded errors of GET /export.
func TestExportBadInput(t *testing.T) {
	e := setup(t)
	f := loadExportFixture(t, e)
	missingWave := nodeid.FromKey("Wave", "never")
	cases := []struct {
		name   string
		caller *env
		path   string
		status int
		code   string
		field  string
	}{
		{"no token", e.as(""), "/export/gexf", 401, "UNAUTHENTICATED", ""},
		{"unknown format", e, "/export/xls", 400, "BAD_USER_INPUT", "format"},
		{"unknown parameter", e, "/export/gexf?colour=red", 400, "BAD_USER_INPUT", "query.colour"},
		{"unknown kind", e, "/export/gexf?kinds=KNOWS,LIKES", 400, "BAD_USER_INPUT", "query.kinds"},
		{"unknown node type", e, "/export/gexf?labels=PERSON,ROBOT", 400, "BAD_USER_INPUT", "query.labels"},
		{"bad boolean", e, "/export/gexf?directed=yes", 400, "BAD_USER_INPUT", "query.directed"},
		{"unknown wave", e, "/export/gexf?waveId=" + missingWave, 404, "NOT_FOUND", "query.waveId"},
		{"partner", e.as(auth.Partner), "/export/gexf", 403, "FORBIDDEN", ""},
		{"worker outside their areas", e.as(auth.Worker, f.ids["barton"]), "/export/csv?areaId=" + f.ids["winton"], 403, "FORBIDDEN", "query.areaId"},
		{"analyst with a live id", e.as(auth.Analyst), "/export/gexf?waveId=" + f.ids["w1"], 404, "NOT_FOUND", "query.waveId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := c.caller.with(t).get(c.path)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, body)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
			var r gqlResponse
			if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) != 1 {
				t.Fatalf("body %s", body)
			}
			if r.Errors[0].Extensions["code"] != c.code || (c.field != "" && r.Errors[0].Extensions["field"] != c.field) {
				t.Errorf("error %+v, want %s on %q", r.Errors[0], c.code, c.field)
			}
		})
	}
}

// TestExportDL checks the UCINET DL exports against the API: no reader of DL is pinned for
// the tests (networkx has none), so the test reads the plain format itself: its header's
// node count, the distinct ties of edgelist1 and the non-zero cells of fullmatrix.
func TestExportDL(t *testing.T) {
	e := setup(t)
	loadExportFixture(t, e)
	for _, directed := range []bool{true, false} {
		nodes, ties, _ := apiDegrees(t, e, directed)
		if !directed {
			ties *= 2 // a symmetric matrix holds each undirected tie twice
		}
		for _, format := range []string{"dl", "dl-matrix"} {
			status, _, body := e.get("/export/" + format + "?directed=" + map[bool]string{true: "true", false: "false"}[directed])
			if status != http.StatusOK {
				t.Fatalf("%s: status %d: %s", format, status, body)
			}
			head, data, ok := strings.Cut(string(body), "data:\n")
			if !ok || !strings.HasPrefix(head, "dl n=") {
				t.Fatalf("%s: no header: %.300s", format, body)
			}
			n, _ := strconv.Atoi(strings.Fields(strings.TrimPrefix(head, "dl n="))[0])
			labels := strings.Split(strings.ReplaceAll(strings.TrimSpace(head[strings.Index(head, "labels:\n")+8:]), "\n", ""), ",")
			if n != nodes || len(labels) != nodes {
				t.Errorf("%s: n=%d with %d labels; the API reports %d nodes", format, n, len(labels), nodes)
			}
			lines := strings.Split(strings.TrimSpace(data), "\n")
			pairs := map[[2]string]bool{}
			if format == "dl" {
				for _, l := range lines {
					f := strings.Fields(l)
					pairs[[2]string{f[0], f[1]}] = true
					if !directed {
						pairs[[2]string{f[1], f[0]}] = true
					}
				}
			} else {
				if len(lines) != nodes {
					t.Errorf("%s: %d rows for %d nodes", format, len(lines), nodes)
				}
				for i, l := range lines {
					for j, c := range strings.Fields(l) {
						if c != "0" {
							pairs[[2]string{strconv.Itoa(i), strconv.Itoa(j)}] = true
						}
					}
				}
			}
			if len(pairs) != ties {
				t.Errorf("%s (directed %v): %d ties, the API %d", format, directed, len(pairs), ties)
			}
		}
	}
}

// TestExportCommunities checks that communities=true gives every node the community the
// API's communities query (same defaults) puts it in.
func TestExportCommunities(t *testing.T) {
	e := setup(t)
	loadExportFixture(t, e)
	var got struct {
		Communities struct {
			Communities []struct {
				ID      string
				Members []struct{ ID string }
			}
		}
	}
	e.ok(`{ communities { communities(first: 100) { id members(first: 100) { id } } } }`, nil, &got)
	want := map[string]string{}
	for _, c := range got.Communities.Communities {
		i, err := strconv.Atoi(c.ID)
		if err != nil {
			t.Fatalf("community id %q", c.ID)
		}
		for _, m := range c.Members {
			want[m.ID] = strconv.Itoa(i + 1)
		}
	}
	if len(want) == 0 {
		t.Fatal("the API finds no communities")
	}
	for _, format := range []string{"gexf", "graphml", "csv"} {
		status, _, body := e.get("/export/" + format + "?communities=true&directed=false")
		if status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", format, status, body)
		}
		r := readExport(t, format, body, false)
		key := "community"
		if format == "csv" {
			key = "Community"
		}
		for id, a := range r.Attrs {
			if fmt.Sprint(a[key]) != want[id] {
				t.Errorf("%s: %s in community %v, the API says %s", format, id, a[key], want[id])
			}
		}
	}
}

// TestExportAreaAndWave exports one area in one wave as an analyst, naming both by the
// analyst's ids: the file holds only that area's consenting people and that wave's ties,
// no live id, and is named for the area and the wave.
func TestExportAreaAndWave(t *testing.T) {
	e := setup(t)
	f := loadExportFixture(t, e)
	analyst := e.as(auth.Analyst)
	var got struct {
		Centrality struct{ Graph struct{ Nodes, Ties int } }
	}
	analyst.ok(`query($a: ID, $w: ID) { centrality(scope: {areaId: $a, waveId: $w}, measure: DEGREE) { graph { nodes ties } } }`,
		map[string]any{"a": analystID(t, f.ids["barton"]), "w": analystID(t, f.ids["w1"])}, &got)
	status, h, body := analyst.get("/export/graphml?areaId=" + analystID(t, f.ids["barton"]) + "&waveId=" + analystID(t, f.ids["w1"]))
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if cd := h.Get("Content-Disposition"); !strings.Contains(cd, `filename="kith-barton-spring-`) || !strings.HasSuffix(cd, `.graphml"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	r := readExport(t, "graphml", body, true)
	if r.Nodes != got.Centrality.Graph.Nodes || r.Pairs != got.Centrality.Graph.Ties || r.Nodes == 0 || r.Pairs == 0 {
		t.Errorf("networkx reads %d nodes and %d ties, the API %+v", r.Nodes, r.Pairs, got.Centrality.Graph)
	}
	for key, v := range f.ids {
		if strings.Contains(string(body), v) {
			t.Errorf("the export holds the live id of %s", key)
		}
	}
	for id, a := range r.Attrs {
		if a["area"] != "Barton" {
			t.Errorf("%s lives in %v", id, a["area"])
		}
	}
}
