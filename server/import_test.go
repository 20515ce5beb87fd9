package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/nodeid"
	"kith/server"
	"kith/survey"
)

// importFixture makes the areas (Barton, Winton) and the wave the examples import into.
func importFixture(t *testing.T, e *env) (barton, winton, wave string) {
	t.Helper()
	barton, winton, wave = nodeid.New("Area"), nodeid.New("Area"), nodeid.New("Wave")
	_, err := neo4j.ExecuteQuery(context.Background(), e.driver, `CREATE (:Area:Entity {id: $b, name: 'Barton'}),
  (:Area:Entity {id: $w, name: 'Winton'}), (:Wave:Entity {id: $wave, name: 'Wave 1'})`,
		map[string]any{"b": barton, "w": winton, "wave": wave}, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	return barton, winton, wave
}

// exampleZip zips examples/survey/<name>'s CSV files, with replacements (file → content).
func exampleZip(t *testing.T, name string, replace map[string]string) []byte {
	t.Helper()
	dir := filepath.Join("..", "examples", "survey", name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, en := range entries {
		if !strings.HasSuffix(en.Name(), ".csv") {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(dir, en.Name()))
		if r, ok := replace[en.Name()]; ok {
			data = []byte(r)
		}
		w, _ := zw.Create(en.Name())
		_, _ = w.Write(data)
	}
	_ = zw.Close()
	return buf.Bytes()
}

// upload sends importSurvey as a GraphQL multipart request and returns the status and
// response.
func (e *env) upload(file []byte, fileName string, mapping []byte, vars map[string]any) (int, gqlResponse) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	v := map[string]any{"file": nil, "mapping": nil}
	for k, x := range vars {
		v[k] = x
	}
	ops, _ := json.Marshal(map[string]any{"query": survey.ImportMutation, "variables": v})
	_ = mw.WriteField("operations", string(ops))
	m := map[string][]string{"0": {"variables.file"}}
	if mapping != nil {
		m["1"] = []string{"variables.mapping"}
	}
	mj, _ := json.Marshal(m)
	_ = mw.WriteField("map", string(mj))
	w, _ := mw.CreateFormFile("0", fileName)
	_, _ = w.Write(file)
	if mapping != nil {
		w, _ := mw.CreateFormFile("1", "mapping.yaml")
		_, _ = w.Write(mapping)
	}
	_ = mw.Close()
	return e.postMultipart(body.Bytes(), mw.FormDataContentType())
}

func (e *env) postMultipart(body []byte, contentType string) (int, gqlResponse) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func importReport(t *testing.T, r gqlResponse) *survey.Report {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("importSurvey: %+v", r.Errors)
	}
	var data struct {
		ImportSurvey json.RawMessage `json:"importSurvey"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	rep, err := survey.DecodeAPIReport(data.ImportSurvey)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestImportSurveyAccess tries every role against importSurvey.
func TestImportSurveyAccess(t *testing.T) {
	e := setup(t)
	barton, winton, wave := importFixture(t, e)
	roster := exampleZip(t, "roster", nil)
	cases := []struct {
		name   string
		caller *env
		vars   map[string]any
		status int
		code   string
		// loaded and rejected interviews, when the import runs.
		loaded, rejected int
	}{
		{"admin dry run", e, map[string]any{"wave": wave, "dryRun": true}, 200, "", 2, 0},
		{"worker of another area", e.as(auth.Worker, winton), map[string]any{"wave": wave, "dryRun": true}, 200, "", 0, 2},
		{"worker of another area, into Barton", e.as(auth.Worker, winton), map[string]any{"wave": wave, "area": barton}, 200, "FORBIDDEN", 0, 0},
		{"analyst", e.as(auth.Analyst), map[string]any{"wave": wave}, 200, "FORBIDDEN", 0, 0},
		{"partner", e.as(auth.Partner), map[string]any{"wave": wave}, 200, "FORBIDDEN", 0, 0},
		{"researcher", e.as(auth.Researcher), map[string]any{"wave": wave}, 200, "FORBIDDEN", 0, 0},
		{"no token", e.as(""), map[string]any{"wave": wave}, 401, "UNAUTHENTICATED", 0, 0},
		{"worker of Barton", e.as(auth.Worker, barton), map[string]any{"wave": "Wave 1"}, 200, "", 2, 0},
		{"admin, again", e, map[string]any{"wave": wave}, 200, "", 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.counts()
			status, r := c.caller.with(t).upload(roster, "round.zip", nil, c.vars)
			if status != c.status {
				t.Fatalf("status %d, want %d: %+v", status, c.status, r.Errors)
			}
			if c.code != "" {
				if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != c.code {
					t.Fatalf("got %+v, want %s", r.Errors, c.code)
				}
				if e.counts() != before {
					t.Fatalf("a refused import wrote")
				}
				return
			}
			rep := importReport(t, r)
			if rep.Counts.Loaded != c.loaded || rep.Counts.Rejected != c.rejected {
				t.Fatalf("counts %+v", rep.Counts)
			}
		})
	}
	// The worker of Barton loaded the round; the admin's import found it already imported.
	status, r := e.upload(roster, "round.zip", nil, map[string]any{"wave": wave})
	if rep := importReport(t, r); status != 200 || rep.Counts.AlreadyImported != 9 || rep.Counts.Created != 0 {
		t.Fatalf("re-import %+v", rep.Counts)
	}
}

// TestImportSurveyNetworkCanvasUpload: a zipped export and its mapping, as two uploads;
// a worker sees a named person living elsewhere only as the end of a tie.
func TestImportSurveyNetworkCanvasUpload(t *testing.T) {
	e := setup(t)
	barton, _, wave := importFixture(t, e)
	mapping, _ := os.ReadFile(filepath.Join("..", "examples", "survey", "network-canvas", "mapping.yaml"))
	worker := e.as(auth.Worker, barton)
	_, r := worker.upload(exampleZip(t, "network-canvas", nil), "export.zip", mapping, map[string]any{"wave": wave})
	rep := importReport(t, r)
	if rep.Format != survey.FormatNetworkCanvas || rep.Counts.Loaded != 1 || rep.Counts.Created != 5 || rep.Counts.Ties != 6 {
		t.Fatalf("report %+v", rep.Counts)
	}
	ego := "nc:0b6f1c8e-0001-4a00-8000-000000000001"
	var alan, ahmed survey.Record
	for _, rec := range rep.Interviews[0].Records {
		switch rec.SourceKey {
		case ego:
			alan = rec
		case ego + ":a1a1a1a1-0000-4000-8000-000000000002":
			ahmed = rec
		}
	}
	if alan.ID == nil || ahmed.ID != nil || !ahmed.OutsideAreas {
		t.Fatalf("records: respondent %+v, Councillor Ahmed (Winton) %+v", alan, ahmed)
	}
	// The worker reads the respondent and the ties to people in Barton; the tie to the
	// councillor, who lives in Winton, is not listed to them. An admin sees it.
	q := `query($id: ID!) { node(id: $id) { ... on Person { displayName ties(direction: OUT) { kind other { label } } } } }`
	var mine, all struct {
		Node struct {
			DisplayName string
			Ties        []struct {
				Kind  string
				Other struct{ Label string }
			}
		}
	}
	if r := worker.do(q, map[string]any{"id": *alan.ID}); len(r.Errors) > 0 {
		t.Fatalf("%+v\n%s", r.Errors, e.logs.String())
	}
	worker.ok(q, map[string]any{"id": *alan.ID}, &mine)
	e.ok(q, map[string]any{"id": *alan.ID}, &all)
	labels := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if mine.Node.DisplayName != "Alan Brook" || strings.Contains(labels(mine), "Ahmed") || !strings.Contains(labels(mine), "Sue Brook") {
		t.Fatalf("the worker reads %s", labels(mine))
	}
	if !strings.Contains(labels(all), "Councillor Ahmed") {
		t.Fatalf("the admin reads %s", labels(all))
	}
}

// TestImportSurveyBadUploads: bad uploads get coded errors naming file:line:column, and
// write nothing.
func TestImportSurveyBadUploads(t *testing.T) {
	e := setupWith(t, func(c *server.Config) { c.MaxUploadBytes = 64 << 10 })
	_, _, wave := importFixture(t, e)
	mentions, _ := os.ReadFile(filepath.Join("..", "examples", "survey", "roster", "mentions.csv"))
	notUTF8 := strings.Replace(string(mentions), "Jean", "J\xe9an", 1)
	cases := []struct {
		name          string
		file          []byte
		fileName      string
		status        int
		code, field   string
		operationsBad bool
	}{
		{"not UTF-8", exampleZip(t, "roster", map[string]string{"mentions.csv": notUTF8}), "round.zip", 200, "BAD_USER_INPUT", "round.zip/mentions.csv:2:21", false},
		{"over the import's limit", bytes.Repeat([]byte("a,b\n"), 20<<10), "round.csv", 200, "BAD_USER_INPUT", "round.csv:16385:1", false},
		{"over the body's limit", bytes.Repeat([]byte("a,b\n"), 400<<10), "round.csv", 413, "BAD_USER_INPUT", "", false},
		{"not a zip", []byte("PK\x03\x04 nothing"), "round.zip", 200, "BAD_USER_INPUT", "round.zip:0:0", false},
		{"no mapping for an export", exampleZip(t, "network-canvas", nil), "export.zip", 200, "BAD_USER_INPUT", "mapping:0:0", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.counts()
			status, r := e.with(t).upload(c.file, c.fileName, nil, map[string]any{"wave": wave})
			if status != c.status || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != c.code ||
				(c.field != "" && r.Errors[0].Extensions["field"] != c.field) {
				t.Fatalf("status %d, %+v; want %d %s %s", status, r.Errors, c.status, c.code, c.field)
			}
			if e.counts() != before {
				t.Fatalf("a refused upload wrote")
			}
		})
	}
	// The operation itself must be UTF-8, as in every request.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", "{\"query\":\"mutation($file: Upload!) { importSurvey(file: $file, wave: \\\"W\xff\\\") { format } }\",\"variables\":{\"file\":null}}")
	_ = mw.WriteField("map", `{"0":["variables.file"]}`)
	w, _ := mw.CreateFormFile("0", "a.csv")
	_, _ = w.Write([]byte("a\n"))
	_ = mw.Close()
	if status, r := e.postMultipart(body.Bytes(), mw.FormDataContentType()); status != 400 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Fatalf("non-UTF-8 operation: %d %+v", status, r.Errors)
	}
}

// TestImportNeverLogsNames: the server's log of an import holds no name from the file.
func TestImportNeverLogsNames(t *testing.T) {
	e := setup(t)
	_, _, wave := importFixture(t, e)
	mentions, _ := os.ReadFile(filepath.Join("..", "examples", "survey", "roster", "mentions.csv"))
	bad := strings.Replace(string(mentions), "R002,2,close,person,Priya Patel", "R002,2,close,person,=Priya Patel", 1)
	for _, file := range [][]byte{exampleZip(t, "roster", nil), exampleZip(t, "roster", map[string]string{"mentions.csv": bad})} {
		e.upload(file, "round.zip", nil, map[string]any{"wave": wave})
	}
	for _, name := range []string{"Margaret", "Jean next door", "Okafor", "Priya", "Dev Patel"} {
		if strings.Contains(e.logs.String(), name) {
			t.Fatalf("the log holds %q", name)
		}
	}
}
