package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"kith/cypher"
)

func TestFileName(t *testing.T) {
	at := time.Date(2026, 12, 5, 23, 30, 0, 0, time.FixedZone("east", 3*3600))
	tests := []struct{ area, wave, ext, want string }{
		{"", "", "gexf", "kith-all-all-2026-12-05.gexf"},
		{"Barton", "Spring 2026", "zip", "kith-barton-spring-2026-2026-12-05.zip"},
		{"St. Mary's / Heatons", "", "dl", "kith-st-mary-s-heatons-all-2026-12-05.dl"},
		{"\"; rm -rf /", "Ærø", "csv", "kith-rm-rf-r-2026-12-05.csv"},
		{"!!!", "", "gexf", "kith-x-all-2026-12-05.gexf"},
	}
	for _, tt := range tests {
		if got := FileName(tt.area, tt.wave, at, tt.ext); got != tt.want {
			t.Errorf("FileName(%q, %q) = %q, want %q", tt.area, tt.wave, got, tt.want)
		}
	}
}

func TestWaveSpans(t *testing.T) {
	spans := waveSpans([]cypher.ExportWave{
		{ID: "b", Name: "Autumn", CollectedOn: "2026-10-01"},
		{ID: "a", Name: "Spring", CollectedOn: "2026-03-01"},
		{ID: "c", Name: "Undated"},
	})
	want := map[string]waveSpan{
		"a": {name: "Spring", start: "2026-03-01", end: "2026-10-01"},
		"b": {name: "Autumn", start: "2026-10-01"},
		"c": {name: "Undated"},
	}
	for id, w := range want {
		if spans[id] != w {
			t.Errorf("wave %s: %+v, want %+v", id, spans[id], w)
		}
	}
	if got := waveNames(spans, []string{"b", "a", "gone"}); got != "Autumn|Spring" {
		t.Errorf("waveNames = %q", got)
	}
}

// TestPseudonymise checks that every id is replaced, consistently within an export and
// differently in the next one, and that a person's name becomes their id.
func TestPseudonymise(t *testing.T) {
	run := func() (ids []string, out string) {
		var buf bytes.Buffer
		f, _ := Lookup("graphml", "format")
		w := f.New(&buf, Meta{Directed: true})
		s := Pseudonymise(w)
		_ = s.Begin(cypher.ExportHeader{Waves: []cypher.ExportWave{{ID: "wav_1", Name: "Spring"}}})
		_ = s.Node(cypher.ExportNode{ID: "per_1", Label: "Person", Name: "Ann Example", AreaID: "are_1", AreaName: "Barton"})
		_ = s.Node(cypher.ExportNode{ID: "grp_1", Label: "Group", Name: "Knit and natter"})
		_ = s.NodesDone()
		_ = s.Tie(cypher.ExportTie{From: "per_1", To: "grp_1", Kind: "MEMBER_OF", Waves: []string{"wav_1"}})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		p := s.(*pseudonymiser)
		return []string{p.id("per_1"), p.id("grp_1")}, buf.String()
	}
	first, out := run()
	second, _ := run()
	if first[0] == second[0] || first[0] == first[1] || !strings.HasPrefix(first[0], "x") {
		t.Errorf("ids %v then %v", first, second)
	}
	for _, leak := range []string{"per_1", "grp_1", "are_1", "Ann Example"} {
		if strings.Contains(out, leak) {
			t.Errorf("the export holds %q", leak)
		}
	}
}
