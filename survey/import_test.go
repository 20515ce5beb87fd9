package survey_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/cypher"
	"kith/identity"
	"kith/internal/neo4jtest"
	"kith/nodeid"
	"kith/survey"
)

// fixture is a database with two areas (Barton, holding Barton Moss; Winton) and a wave.
type fixture struct {
	t                    testing.TB
	store                *cypher.Store
	driver               neo4j.DriverWithContext
	barton, moss, winton string
	wave                 string
}

func setup(t testing.TB) *fixture {
	t.Helper()
	d := neo4jtest.Driver(t, neo4jtest.URI(t))
	s := cypher.New(d, cypher.Options{})
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	neo4jtest.Reset(t, d)
	f := &fixture{t: t, store: s, driver: d, barton: nodeid.New("Area"), moss: nodeid.New("Area"), winton: nodeid.New("Area"), wave: nodeid.New("Wave")}
	f.exec(`CREATE (b:Area:Entity {id: $b, name: 'Barton'}), (w:Area:Entity {id: $w, name: 'Winton'}),
  (m:Area:Entity {id: $m, name: 'Barton Moss'})-[:IN]->(b), (:Wave:Entity {id: $wave, name: 'Wave 1'})`,
		map[string]any{"b": f.barton, "w": f.winton, "m": f.moss, "wave": f.wave})
	return f
}

func (f *fixture) exec(q string, params map[string]any) []*neo4j.Record {
	f.t.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), f.driver, q, params, neo4j.EagerResultTransformer)
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return res.Records
}

// count returns one number a query returns.
func (f *fixture) count(q string, params map[string]any) int64 {
	f.t.Helper()
	return f.exec(q, params)[0].Values[0].(int64)
}

// example copies examples/survey/<name> to a temporary folder, with changes: a file's
// new content ("" removes it).
func example(t *testing.T, name string, changes map[string]string) string {
	t.Helper()
	src := filepath.Join("..", "examples", "survey", name)
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for file, content := range changes {
		p := filepath.Join(dir, file)
		if content == "" {
			_ = os.Remove(p)
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// run imports a folder (with the mapping in it, for a Network Canvas export).
func (f *fixture) run(dir string, opts survey.Options) (*survey.Report, error) {
	f.t.Helper()
	files, err := survey.ReadPath(dir, survey.DefaultLimits())
	if err != nil {
		return nil, err
	}
	var mapping *survey.File
	if data, err := os.ReadFile(filepath.Join(dir, "mapping.yaml")); err == nil {
		mapping = &survey.File{Name: "mapping.yaml", Data: data}
	}
	format, ivs, err := survey.Read(files, mapping)
	if err != nil {
		return nil, err
	}
	if opts.Wave == "" {
		opts.Wave = f.wave
	}
	im := &survey.Importer{Store: f.store, Matcher: survey.ExactNameMatcher{}}
	return im.Import(context.Background(), format, ivs, opts)
}

func (f *fixture) mustRun(dir string, opts survey.Options) *survey.Report {
	f.t.Helper()
	rep, err := f.run(dir, opts)
	if err != nil {
		f.t.Fatalf("import: %v", err)
	}
	return rep
}

func record(t *testing.T, rep *survey.Report, key string) survey.Record {
	t.Helper()
	for _, iv := range rep.Interviews {
		for _, r := range iv.Records {
			if r.SourceKey == key {
				return r
			}
		}
	}
	t.Fatalf("no record %s in the report", key)
	return survey.Record{}
}

func TestImportRoster(t *testing.T) {
	f := setup(t)
	dir := example(t, "roster", nil)
	rep := f.mustRun(dir, survey.Options{})
	want := survey.Counts{Interviews: 2, Loaded: 2, Created: 8, Matched: 1, Ties: 8}
	if rep.Counts != want {
		t.Fatalf("counts %+v, want %+v; %+v", rep.Counts, want, rep.Interviews)
	}
	margaret := record(t, rep, "roster:R001")
	named := record(t, rep, "roster:R002:1")
	if named.Outcome != survey.OutcomeLinked || named.ID == nil || *named.ID != *margaret.ID || len(named.Candidates) != 1 {
		t.Fatalf("Margaret named by R002 is %+v, want linked to %s", named, *margaret.ID)
	}
	// What the wave measured, on the respondent's Observation; ONS items apart.
	got := f.exec(`MATCH (p:Person {id: $id})-[:OBSERVED]->(o:Observation)-[:IN_WAVE]->(:Wave {id: $w})
RETURN o.swemwbsRaw, o.wemwbs, o.onsLifeSatisfaction, o.onsAnxious, o.employment, o.method, o.interviewId, p.consentAnalysis, p.consentContact`,
		map[string]any{"id": *margaret.ID, "w": f.wave})
	if len(got) != 1 {
		t.Fatalf("observations of the respondent: %d", len(got))
	}
	v := got[0].Values
	if v[0] != int64(24) || v[1] != nil || v[2] != int64(7) || v[3] != int64(3) || v[4] != "retired" || v[5] != "roster" || v[6] != "roster:R001" || v[7] != true || v[8] != false {
		t.Fatalf("observation %v", v)
	}
	// One tie per meaning, carrying the wave.
	if n := f.count(`MATCH (:Person {id: $id})-[r:TRUSTS {for: 'HELP'}]->(:Person {displayName: 'Jean next door'})
WHERE r.waves = [$w] AND r.source = 'import:roster' RETURN count(r)`, map[string]any{"id": *margaret.ID, "w": f.wave}); n != 1 {
		t.Fatalf("TRUSTS help ties: %d", n)
	}
	if n := f.count(`MATCH (:FamiliarStranger {role: 'postman'})-[r:SEES]->(:Person {id: $id}) RETURN count(r)`, map[string]any{"id": *margaret.ID}); n != 1 {
		t.Fatalf("SEES ties from the postman: %d", n)
	}
	// Named people store the least: name as given, role, area as given; no consent, no contact.
	if n := f.count(`MATCH (p:Person) WHERE p.displayName IN ['Jean next door', 'Dr Okafor', 'Priya Patel']
AND p.contact IS NULL AND p.consentAnalysis IS NULL AND p.consentSuggestions IS NULL AND p.wellbeing IS NULL
AND NOT EXISTS { (p)-[:OBSERVED]->() } RETURN count(p)`, nil); n != 3 {
		t.Fatalf("alters storing the least: %d of 3", n)
	}
	if n := f.count(`MATCH (p:Person {displayName: 'Priya Patel', areaAsGiven: 'Winton'})-[:LIVES_IN]->(:Area {id: $w}) RETURN count(p)`,
		map[string]any{"w": f.winton}); n != 1 {
		t.Fatalf("Priya recorded in Winton: %d", n)
	}
	if n := f.count(`MATCH (p:Person {displayName: 'Dr Okafor'}) WHERE p.roles = ['GP'] RETURN count(p)`, nil); n != 1 {
		t.Fatalf("Dr Okafor with role GP: %d", n)
	}

	// Re-importing the same file changes nothing.
	nodes, ties := neo4jtest.Count(t, f.driver)
	events := f.count(`MATCH (o:Observation) RETURN count(o)`, nil)
	again := f.mustRun(dir, survey.Options{})
	if again.Counts.AlreadyImported != 9 || again.Counts.Created != 0 || again.Counts.Matched != 0 || again.Counts.Loaded != 2 {
		t.Fatalf("re-import counts %+v", again.Counts)
	}
	if n, r := neo4jtest.Count(t, f.driver); n != nodes || r != ties {
		t.Fatalf("re-import changed the graph: %d nodes %d ties, was %d %d", n, r, nodes, ties)
	}
	if got := f.count(`MATCH (o:Observation) RETURN count(o)`, nil); got != events {
		t.Fatalf("observations %d, was %d", got, events)
	}
	if *record(t, again, "roster:R001:1").ID != *record(t, rep, "roster:R001:1").ID {
		t.Fatalf("re-import resolved a source key to another node")
	}

	// Erasing the respondent erases what the import recorded of them too.
	if _, err := f.store.ErasePerson(context.Background(), *margaret.ID); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`MATCH (n) WHERE n.personId = $id OR n.key = 'roster:R001' RETURN count(n)`, map[string]any{"id": *margaret.ID}); n != 0 {
		t.Fatalf("after erasure, %d observations or source keys of the respondent remain", n)
	}
}

func TestImportNetworkCanvas(t *testing.T) {
	f := setup(t)
	dir := example(t, "network-canvas", nil)
	rep := f.mustRun(dir, survey.Options{})
	want := survey.Counts{Interviews: 1, Loaded: 1, Created: 5, Ties: 6}
	if rep.Counts != want {
		t.Fatalf("counts %+v, want %+v; %+v", rep.Counts, want, rep.Interviews)
	}
	ego := "nc:0b6f1c8e-0001-4a00-8000-000000000001"
	alan := record(t, rep, ego)
	ahmed := record(t, rep, ego+":a1a1a1a1-0000-4000-8000-000000000002")
	if alan.Role != "RESPONDENT" || ahmed.Role != "ALTER" || ahmed.Label != "Person" {
		t.Fatalf("records %+v %+v", alan, ahmed)
	}
	// Councillor Ahmed was named by two generators: advice and news, two ties.
	if n := f.count(`MATCH (:Person {id: $a})-[r]->(:Person {id: $b}) WHERE $w IN r.waves RETURN count(r)`,
		map[string]any{"a": *alan.ID, "b": *ahmed.ID, "w": f.wave}); n != 2 {
		t.Fatalf("ties to Councillor Ahmed: %d, want TRUSTS advice and GETS_INFO_FROM", n)
	}
	if n := f.count(`MATCH (:Person {displayName: 'Sue Brook'})-[r:KNOWS {strength: 'WEAK'}]->(:Person {id: $b}) RETURN count(r)`,
		map[string]any{"b": *ahmed.ID}); n != 1 {
		t.Fatalf("alter-alter KNOWS: %d", n)
	}
	if n := f.count(`MATCH (:Person {id: $a})-[:USES]->(:Place {name: 'Barton community hub'}) RETURN count(*)`,
		map[string]any{"a": *alan.ID}); n != 1 {
		t.Fatalf("USES the hub: %d", n)
	}
	if n := f.count(`MATCH (o:Observation {personId: $a, waveId: $w}) WHERE o.swemwbsRaw = 22 AND o.onsHappy = 5 AND o.recordedAt.epochSeconds = datetime('2026-03-03T10:00:00Z').epochSeconds RETURN count(o)`,
		map[string]any{"a": *alan.ID, "w": f.wave}); n != 1 {
		t.Fatalf("observation of the ego: %d %v", n, f.exec(`MATCH (o:Observation) RETURN properties(o)`, nil)[0].Values)
	}

	// The same export as a zip, with another wave: the same people, and each tie gains the wave.
	wave2 := nodeid.New("Wave")
	f.exec(`CREATE (:Wave:Entity {id: $id, name: 'Wave 2'})`, map[string]any{"id": wave2})
	files, err := survey.ReadUpload("round.zip", bytes.NewReader(zipOf(t, dir)), survey.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	mapping, _ := os.ReadFile(filepath.Join(dir, "mapping.yaml"))
	format, ivs, err := survey.Read(files, &survey.File{Name: "mapping.yaml", Data: mapping})
	if err != nil {
		t.Fatal(err)
	}
	im := &survey.Importer{Store: f.store, Matcher: survey.ExactNameMatcher{}}
	rep2, err := im.Import(context.Background(), format, ivs, survey.Options{Wave: "Wave 2"})
	if err != nil || rep2.Counts.AlreadyImported != 5 {
		t.Fatalf("zip import: %v %+v", err, rep2)
	}
	if n := f.count(`MATCH (:Person {id: $a})-[r:TRUSTS]->() RETURN count(r)`, map[string]any{"a": *alan.ID}); n != 2 {
		t.Fatalf("TRUSTS ties after two waves: %d, want 2 (one per meaning)", n)
	}
	if n := f.count(`MATCH (:Person {id: $a})-[r:TRUSTS]->() WHERE r.waves = $both RETURN count(r)`,
		map[string]any{"a": *alan.ID, "both": sortedPair(f.wave, wave2)}); n != 2 {
		t.Fatalf("TRUSTS ties carrying both waves: %d", n)
	}
	if n := f.count(`MATCH (o:Observation {personId: $a}) RETURN count(o)`, map[string]any{"a": *alan.ID}); n != 2 {
		t.Fatalf("observations per wave: %d", n)
	}
}

func sortedPair(a, b string) []string {
	if a < b {
		return []string{a, b}
	}
	return []string{b, a}
}

func zipOf(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		w, _ := zw.Create("export/" + e.Name())
		_, _ = w.Write(data)
	}
	_ = zw.Close()
	return buf.Bytes()
}

func TestDryRunWritesNothing(t *testing.T) {
	f := setup(t)
	for _, name := range []string{"roster", "network-canvas"} {
		nodes, ties := neo4jtest.Count(t, f.driver)
		rep := f.mustRun(example(t, name, nil), survey.Options{DryRun: true})
		if !rep.DryRun || rep.Counts.Loaded == 0 || rep.Counts.Created == 0 {
			t.Fatalf("%s dry run: %+v", name, rep.Counts)
		}
		for _, iv := range rep.Interviews {
			if iv.Status != survey.StatusChecked {
				t.Fatalf("%s dry run: interview %s is %s", name, iv.Key, iv.Status)
			}
			for _, r := range iv.Records {
				if r.Outcome == survey.OutcomeCreated && r.ID != nil {
					t.Fatalf("dry run reported an id for %s, which it did not create", r.SourceKey)
				}
			}
		}
		if n, r := neo4jtest.Count(t, f.driver); n != nodes || r != ties {
			t.Fatalf("%s dry run wrote: %d nodes %d ties, was %d %d", name, n, r, nodes, ties)
		}
	}
}

// TestWorkerImportsIntoTheirAreas: a worker covering Barton imports respondents living in
// Barton (or Barton Moss) only; someone named who lives in Winton is recorded with the
// area as given, and the report leaves out their id.
func TestWorkerImportsIntoTheirAreas(t *testing.T) {
	f := setup(t)
	worker := cypher.Scope{Areas: []string{f.barton}, RespectConsent: true}
	// An existing Winton resident named the same as the respondent: never linked to.
	f.exec(`MATCH (w:Area {id: $w}) CREATE (:Person:Entity {id: $id, displayName: 'Dev Patel'})-[:LIVES_IN]->(w)`,
		map[string]any{"w": f.winton, "id": nodeid.New("Person")})
	rep := f.mustRun(example(t, "roster", nil), survey.Options{Scope: worker})
	if rep.Counts.Loaded != 2 {
		t.Fatalf("counts %+v", rep.Counts)
	}
	priya := record(t, rep, "roster:R002:2")
	if !priya.OutsideAreas || priya.ID != nil || len(priya.Candidates) != 0 {
		t.Fatalf("an alter outside the worker's areas is reported as %+v", priya)
	}
	if n := f.count(`MATCH (p:Person {displayName: 'Priya Patel'})-[:LIVES_IN]->(:Area {id: $w}) RETURN count(p)`,
		map[string]any{"w": f.winton}); n != 1 {
		t.Fatalf("Priya recorded in Winton: %d", n)
	}
	if n := f.count(`MATCH (p:Person {displayName: 'Dev Patel'}) RETURN count(p)`, nil); n != 2 {
		t.Fatalf("Dev Patel: %d people, want the Winton one and the new respondent", n)
	}
	// A respondent imported before who has moved out of the worker's areas: their
	// interview is refused on re-import, the other is found already imported.
	f.exec(`MATCH (:SourceKey {key: 'roster:R001'})-[:SOURCE_OF]->(p:Person)-[l:LIVES_IN]->()
MATCH (w:Area {id: $w}) DELETE l CREATE (p)-[:LIVES_IN]->(w)`, map[string]any{"w": f.winton})
	nodes, ties := neo4jtest.Count(t, f.driver)
	rep = f.mustRun(example(t, "roster", nil), survey.Options{Scope: worker})
	if rep.Counts.Rejected != 1 || rep.Interviews[0].Problem == nil || rep.Interviews[0].Problem.Code != survey.CodeOutsideAreas ||
		rep.Counts.AlreadyImported != 3 {
		t.Fatalf("re-import after a move: %+v %+v", rep.Counts, rep.Interviews[0].Problem)
	}
	if n, r := neo4jtest.Count(t, f.driver); n != nodes || r != ties {
		t.Fatalf("the re-import wrote %d nodes %d ties", n-nodes, r-ties)
	}
	// A round whose respondents live elsewhere: each refused, nothing written.
	nodes, ties = neo4jtest.Count(t, f.driver)
	dir := example(t, "roster", map[string]string{"respondents.csv": "interview_id,name,area\nR009,Someone,Winton\n",
		"mentions.csv": "interview_id,mention_id,name_generator,kind,name\nR009,1,help,person,Anyone\n", "ties.csv": ""})
	rep = f.mustRun(dir, survey.Options{Scope: worker})
	if rep.Counts.Rejected != 1 || rep.Interviews[0].Problem.Code != survey.CodeOutsideAreas {
		t.Fatalf("respondent in Winton: %+v", rep.Interviews)
	}
	if n, r := neo4jtest.Count(t, f.driver); n != nodes || r != ties {
		t.Fatalf("a refused interview wrote %d nodes %d ties", n-nodes, r-ties)
	}
	if _, err := f.run(dir, survey.Options{Scope: worker, Area: "Winton"}); err == nil || !strings.Contains(err.Error(), "areas you cover") {
		t.Fatalf("an import into Winton: %v", err)
	}
	for _, s := range []cypher.Scope{cypher.AnalystScope(), {None: true}} {
		if _, err := f.run(dir, survey.Options{Scope: s}); err == nil {
			t.Fatalf("scope %+v may import", s)
		}
	}
}

// With the record-linkage matcher, an import reads its areas' people once and matches
// each interview against them and the interviews before it: two respondents naming the
// same neighbour in one import name one person, created once.
func TestImportLinksAcrossInterviews(t *testing.T) {
	f := setup(t)
	matcher, err := identity.NewMatcher(identity.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	interview := func(n string, respondent string) *survey.Interview {
		key := "roster:" + n
		return &survey.Interview{Key: key, File: "test", Line: 1, Method: "roster",
			Respondent: identity.Mention{SourceKey: key, Label: "Person", Name: respondent, Area: "Barton", InterviewID: n},
			Alters: []*survey.Alter{{
				Mention: identity.Mention{SourceKey: key + "/1", Label: "Person", Name: "Priya Ramachandran", AgeBand: "25-34",
					NamedBy: key, InterviewID: n},
				Named: []survey.TieSpec{{Kind: "TRUSTS", For: "HELP", Generator: "help"}},
			}}}
	}
	im := &survey.Importer{Store: f.store, Matcher: matcher}
	rep, err := im.Import(context.Background(), survey.FormatRoster,
		[]*survey.Interview{interview("1", "Dev Patel"), interview("2", "Jean Walker")}, survey.Options{Wave: f.wave})
	if err != nil || rep.Counts.Loaded != 2 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	first, second := record(t, rep, "roster:1/1"), record(t, rep, "roster:2/1")
	if first.Outcome != survey.OutcomeCreated || second.Outcome != survey.OutcomeLinked || first.ID == nil || second.ID == nil || *first.ID != *second.ID {
		t.Fatalf("Priya: first %+v, second %+v", first, second)
	}
	if n := f.count(`MATCH (p:Person {displayName: 'Priya Ramachandran'}) RETURN count(p)`, nil); n != 1 {
		t.Fatalf("%d people named Priya Ramachandran", n)
	}
	if n := f.count(`MATCH (:Person)-[r:TRUSTS]->(:Person {id: $id}) RETURN count(r)`, map[string]any{"id": *first.ID}); n != 2 {
		t.Fatalf("%d ties to Priya, want 2", n)
	}
}
