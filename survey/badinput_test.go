package survey_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kith/internal/neo4jtest"
	"kith/survey"
)

// where returns the line and column (from 1) at which text first appears in content.
func where(t *testing.T, content, text string) (int, int) {
	t.Helper()
	i := strings.Index(content, text)
	if i < 0 {
		t.Fatalf("%q not in the test file", text)
	}
	line := strings.Count(content[:i], "\n") + 1
	return line, i - strings.LastIndex(content[:i], "\n")
}

func read(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", "survey", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestBadInputRefusesTheImport: what is wrong with a whole file refuses the import with a
// coded problem naming the file, line and column, and writes nothing.
func TestBadInputRefusesTheImport(t *testing.T) {
	f := setup(t)
	resp := read(t, "roster/respondents.csv")
	ment := read(t, "roster/mentions.csv")
	mapping := read(t, "network-canvas/mapping.yaml")
	person := read(t, "network-canvas/P001_s1_attributeList_Person.csv")
	badUTF8 := strings.Replace(ment, "Dr Okafor", "Dr Ok\xe1for", 1)
	cases := []struct {
		name, format string
		changes      map[string]string
		code, file   string
		line, col    int
	}{
		{"missing column", "roster", map[string]string{"respondents.csv": strings.Replace(resp, ",area,", ",neighbourhood,", 1)},
			survey.CodeMissingColumn, "respondents.csv", 1, 0},
		{"renamed column", "network-canvas", map[string]string{"P001_s1_attributeList_Person.csv": strings.Replace(person, "ng_help", "ng_helped", 1)},
			survey.CodeMissingColumn, "P001_s1_attributeList_Person.csv", 1, 0},
		{"mapping names an unknown label", "network-canvas", map[string]string{"mapping.yaml": strings.Replace(mapping, "label: Place", "label: Pub", 1)},
			survey.CodeUnknownType, "mapping.yaml", 0, 0},
		{"mapping names an unknown tie kind", "network-canvas", map[string]string{"mapping.yaml": strings.Replace(mapping, "tie: KNOWS", "tie: LIKES", 1)},
			survey.CodeUnknownType, "mapping.yaml", 0, 0},
		{"mapping names a node type the export lacks", "network-canvas", map[string]string{"P001_s1_attributeList_Venue.csv": ""},
			survey.CodeUnknownType, "mapping.yaml", 0, 0},
		{"export holds a node type the mapping lacks", "network-canvas", map[string]string{"P001_s1_attributeList_Pet.csv": "nodeID,networkCanvasEgoUUID,networkCanvasUUID,name\n"},
			survey.CodeUnknownType, "P001_s1_attributeList_Pet.csv", 1, 1},
		{"mapping of another version", "network-canvas", map[string]string{"mapping.yaml": strings.Replace(mapping, "version: 1", "version: 2", 1)},
			survey.CodeBadMapping, "mapping.yaml", 2, 1},
		{"mapping with an unknown field", "network-canvas", map[string]string{"mapping.yaml": strings.Replace(mapping, "    label: Person", "    label: Person\n    colour: red", 1)},
			survey.CodeBadMapping, "mapping.yaml", 0, 1},
		{"not UTF-8", "roster", map[string]string{"mentions.csv": badUTF8}, survey.CodeNotUTF8, "mentions.csv", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nodes, ties := neo4jtest.Count(t, f.driver)
			_, err := f.run(example(t, c.format, c.changes), survey.Options{})
			var p *survey.Problem
			if !errors.As(err, &p) {
				t.Fatalf("got %v, want a problem", err)
			}
			if p.Code != c.code || p.File != c.file || (c.line != 0 && p.Line != c.line) || (c.col != 0 && p.Column != c.col) || p.Line == 0 {
				t.Fatalf("got %+v, want %s at %s:%d:%d", p, c.code, c.file, c.line, c.col)
			}
			if p.APIError().Field != p.Where() {
				t.Fatalf("API error field %q", p.APIError().Field)
			}
			if n, r := neo4jtest.Count(t, f.driver); n != nodes || r != ties {
				t.Fatalf("a refused import wrote %d nodes, %d ties", n-nodes, r-ties)
			}
		})
	}
	// Where a bad byte is, exactly; and where a mapping's unknown label is.
	_, err := f.run(example(t, "roster", map[string]string{"mentions.csv": badUTF8}), survey.Options{})
	line, col := where(t, badUTF8, "\xe1")
	if p := err.(*survey.Problem); p.Line != line || p.Column != col {
		t.Fatalf("non-UTF-8 at %d:%d, want %d:%d", p.Line, p.Column, line, col)
	}
	pub := strings.Replace(mapping, "label: Place", "label: Pub", 1)
	_, err = f.run(example(t, "network-canvas", map[string]string{"mapping.yaml": pub}), survey.Options{})
	line, col = where(t, pub, "label: Pub")
	if p := err.(*survey.Problem); p.Line != line || p.Column != col {
		t.Fatalf("unknown label at %d:%d, want %d:%d", p.Line, p.Column, line, col)
	}
}

// TestBadInterviewIsRefusedAlone: what is wrong with one interview's rows refuses that
// interview, named by file, line and column; nothing of it is written and the others load.
func TestBadInterviewIsRefusedAlone(t *testing.T) {
	resp := read(t, "roster/respondents.csv")
	ment := read(t, "roster/mentions.csv")
	ties := read(t, "roster/ties.csv")
	cases := []struct {
		name    string
		changes map[string]string
		code    string
		file    string
		// at is text whose position the problem must name.
		at, in string
	}{
		{"formula in a name", map[string]string{"mentions.csv": strings.Replace(ment, "R002,2,close,person,Priya Patel", `R002,2,close,person,"=HYPERLINK(""http://x"",""Priya"")"`, 1)},
			survey.CodeFormula, "mentions.csv", `"=HYPERLINK`, ""},
		{"formula behind Network Canvas's apostrophe", map[string]string{"mentions.csv": strings.Replace(ment, "R002,2,close,person,Priya Patel", "R002,2,close,person,'+cmd", 1)},
			survey.CodeFormula, "mentions.csv", "'+cmd", ""},
		{"score out of range", map[string]string{"respondents.csv": strings.Replace(resp, "R002,Dev Patel,Barton,2026-03-02,35-44,couple with children,employed,51,", "R002,Dev Patel,Barton,2026-03-02,35-44,couple with children,employed,71,", 1)},
			survey.CodeOutOfRange, "respondents.csv", "71", "R002,"},
		{"ONS item out of range", map[string]string{"respondents.csv": strings.Replace(resp, "51,,6,7,7,4", "51,,6,7,11,4", 1)},
			survey.CodeOutOfRange, "respondents.csv", "11", "R002,"},
		{"duplicate mention id", map[string]string{"mentions.csv": strings.Replace(ment, "R002,2,close,person,Priya Patel", "R002,1,close,person,Priya Patel", 1)},
			survey.CodeDuplicate, "mentions.csv", "1,close,person,Priya", ""},
		{"tie to a mention not in the file", map[string]string{"ties.csv": ties + "R002,1,7,knows\n"},
			survey.CodeUnknownAlter, "ties.csv", "7,knows", ""},
		{"unknown name generator", map[string]string{"mentions.csv": strings.Replace(ment, "R002,2,close", "R002,2,adores", 1)},
			survey.CodeUnknownType, "mentions.csv", "adores", ""},
		{"tie the model does not allow", map[string]string{"mentions.csv": strings.Replace(ment, "R002,2,close,person", "R002,2,member,person", 1)},
			survey.CodeNotTieable, "mentions.csv", "member,person", ""},
		{"respondent in an unknown area", map[string]string{"respondents.csv": strings.Replace(resp, "R002,Dev Patel,Barton", "R002,Dev Patel,Atlantis", 1)},
			survey.CodeUnknownArea, "respondents.csv", "R002", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t)
			dir := example(t, "roster", c.changes)
			rep := f.mustRun(dir, survey.Options{})
			if rep.Counts.Loaded != 1 || rep.Counts.Rejected != 1 {
				t.Fatalf("counts %+v, want R001 loaded and R002 refused", rep.Counts)
			}
			var bad survey.InterviewReport
			for _, iv := range rep.Interviews {
				if iv.Status == survey.StatusRejected {
					bad = iv
				}
			}
			content, _ := os.ReadFile(filepath.Join(dir, c.file))
			text := string(content)
			off := 0
			if c.in != "" {
				off = strings.Index(text, c.in)
			}
			line, col := where(t, text[off:], c.at)
			line += strings.Count(text[:off], "\n")
			p := bad.Problem
			if bad.Key != "roster:R002" || p == nil || p.Code != c.code || p.File != c.file || p.Line != line || (p.Column != col && c.code != survey.CodeUnknownArea) {
				t.Fatalf("refused %s with %+v, want %s at %s:%d:%d", bad.Key, p, c.code, c.file, line, col)
			}
			if strings.Contains(p.Message, "Priya") || strings.Contains(p.Message, "HYPERLINK") {
				t.Fatalf("the problem quotes the cell: %s", p.Message)
			}
			if n := f.count(`MATCH (n) WHERE n.displayName IN ['Dev Patel', 'Priya Patel'] RETURN count(n)`, nil); n != 0 {
				t.Fatalf("the refused interview wrote %d of its people", n)
			}
			if n := f.count(`MATCH (s:SourceKey) WHERE s.key STARTS WITH 'roster:R002' RETURN count(s)`, nil); n != 0 {
				t.Fatalf("the refused interview wrote %d source keys", n)
			}
			if n := f.count(`MATCH (o:Observation) RETURN count(o)`, nil); n != 1 {
				t.Fatalf("observations: %d, want R001's", n)
			}
		})
	}
}

// TestDuplicateAndDanglingNetworkCanvas: duplicate UUIDs and ties to alters not in the
// export refuse their interview only.
func TestDuplicateAndDanglingNetworkCanvas(t *testing.T) {
	person := read(t, "network-canvas/P001_s1_attributeList_Person.csv")
	edges := read(t, "network-canvas/P001_s1_edgeList_knows.csv")
	cases := []struct {
		name, file, code, content, at string
	}{
		{"duplicate networkCanvasUUID", "P001_s1_attributeList_Person.csv", survey.CodeDuplicate,
			strings.Replace(person, "2,0b6f1c8e-0001-4a00-8000-000000000001,a1a1a1a1-0000-4000-8000-000000000002", "2,0b6f1c8e-0001-4a00-8000-000000000001,a1a1a1a1-0000-4000-8000-000000000001", 1),
			"a1a1a1a1-0000-4000-8000-000000000001,Councillor"},
		{"tie to an alter not in the file", "P001_s1_edgeList_knows.csv", survey.CodeUnknownAlter,
			strings.Replace(edges, "a1a1a1a1-0000-4000-8000-000000000002", "a1a1a1a1-0000-4000-8000-00000000dead", 1), "a1a1a1a1-0000-4000-8000-00000000dead"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t)
			nodes, ties := neo4jtest.Count(t, f.driver)
			rep := f.mustRun(example(t, "network-canvas", map[string]string{c.file: c.content}), survey.Options{})
			line, col := where(t, c.content, c.at)
			p := rep.Interviews[0].Problem
			if rep.Counts.Rejected != 1 || p == nil || p.Code != c.code || p.File != c.file || p.Line != line || p.Column != col {
				t.Fatalf("got %+v, want %s at %s:%d:%d", p, c.code, c.file, line, col)
			}
			if n, r := neo4jtest.Count(t, f.driver); n != nodes || r != ties {
				t.Fatalf("the refused interview wrote: %d nodes, %d ties", n-nodes, r-ties)
			}
		})
	}
}

// endless is a reader of n bytes of CSV-like text, made as it is read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	for i := range p {
		p[i] = "a,b\n"[i%4]
	}
	e.n -= int64(len(p))
	return len(p), nil
}

// TestBoundedInput: a 200 MB file, a zip bomb and a zip of too many entries are refused
// after reading at most the limits.
func TestBoundedInput(t *testing.T) {
	lim := survey.DefaultLimits()
	big := filepath.Join(t.TempDir(), "respondents.csv")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 200<<20); err != nil { // sparse: no 200 MB written
		t.Fatal(err)
	}
	bomb := func(size int64) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("respondents.csv")
		_, _ = io.Copy(w, io.LimitReader(zeros{}, size))
		_ = zw.Close()
		return buf.Bytes()
	}
	many := func(n int) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := 0; i < n; i++ {
			w, _ := zw.Create(strings.Repeat("x", i%7+1) + string(rune('a'+i%26)) + ".csv")
			_, _ = w.Write([]byte("a\n"))
		}
		_ = zw.Close()
		return buf.Bytes()
	}
	cases := []struct {
		name string
		read func() error
		file string
	}{
		{"200 MB file", func() error { _, err := survey.ReadPath(big, lim); return err }, "respondents.csv"},
		{"200 MB upload", func() error { _, err := survey.ReadUpload("round.csv", &endless{n: 200 << 20}, lim); return err }, "round.csv"},
		{"zip bomb", func() error { _, err := survey.ReadUpload("round.zip", bytes.NewReader(bomb(64<<20)), lim); return err }, "round.zip/respondents.csv"},
		{"zip bomb under the size limit", func() error {
			small := lim
			small.MaxFileBytes = 1 << 30
			small.MaxTotalBytes = 1 << 30
			_, err := survey.ReadUpload("round.zip", bytes.NewReader(bomb(64<<20)), small)
			return err
		}, "round.zip/respondents.csv"},
		{"zip of too many entries", func() error {
			_, err := survey.ReadUpload("round.zip", bytes.NewReader(many(lim.MaxEntries+1)), lim)
			return err
		}, "round.zip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p *survey.Problem
			if err := c.read(); !errors.As(err, &p) || p.Code != survey.CodeTooLarge || p.File != c.file {
				t.Fatalf("got %v, want TOO_LARGE naming %s", err, c.file)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
