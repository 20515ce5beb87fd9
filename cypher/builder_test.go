package cypher

import (
	"strings"
	"testing"
)

// TestValuesNeverReachQueryText checks that filter values, however Cypher-like, become
// parameters and never part of the statement.
func TestValuesNeverReachQueryText(t *testing.T) {
	evil := "x'}) DETACH DELETE n //`"
	s := NewSchema()
	b := newBuilder(s)
	w := map[string]any{
		"displayName": map[string]any{"eq": evil, "contains": evil},
		"OR":          []any{map[string]any{"householdType": map[string]any{"in": []any{evil}}}},
		"memberships": map[string]any{"some": map[string]any{"name": map[string]any{"startsWith": evil}}},
	}
	cond, err := b.where("n", s.Labels["Person"], w, "where")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cond, "DETACH") {
		t.Fatalf("value in query text: %s", cond)
	}
	found := 0
	for _, v := range b.params {
		if v == evil {
			found++
		}
		if l, ok := v.([]any); ok && len(l) == 1 && l[0] == evil {
			found++
		}
	}
	if found != 4 {
		t.Errorf("found the value in %d parameters, want 4: %v", found, b.params)
	}
}

func TestWhereRejects(t *testing.T) {
	s := NewSchema()
	cases := map[string]map[string]any{
		"unknown field":     {"password": map[string]any{"eq": "x"}},
		"unknown operator":  {"displayName": map[string]any{"matches": ".*"}},
		"wrong value type":  {"wellbeing": map[string]any{"eq": "high"}},
		"malformed id":      {"id": map[string]any{"eq": "1 OR 1=1"}},
		"list too long":     {"displayName": map[string]any{"in": make([]any, MaxListLen+1)}},
		"not an object":     {"NOT": "x"},
		"bad datetime":      {"createdAt": map[string]any{"gt": "yesterday"}},
		"enum outside list": {"kind": map[string]any{"eq": "UNDERWATER"}},
	}
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			label := s.Labels["Person"]
			if name == "enum outside list" {
				label = s.Labels["Place"]
			}
			if _, err := newBuilder(s).where("n", label, w, "where"); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestLuceneQueryEscapes(t *testing.T) {
	cases := map[string]string{
		"Knit":                 "(knit OR knit*)",
		"knit  natter":         "(knit OR knit*) AND (natter OR natter*)",
		`a:b "c" (d) OR e* f~`: `(a\:b OR a\:b*) AND (\"c\" OR \"c\"*) AND (\(d\) OR \(d\)*) AND (or OR or*) AND (e\* OR e\**) AND (f\~ OR f\~*)`,
	}
	for in, want := range cases {
		got, err := luceneQuery(in, nil)
		if err != nil || got != want {
			t.Errorf("luceneQuery(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "   ", strings.Repeat("a", maxSearchLen+1), strings.Repeat("a ", maxSearchWords+1)} {
		if _, err := luceneQuery(bad, nil); err == nil {
			t.Errorf("luceneQuery(%q) accepted", bad)
		}
	}
}

// TestMigrationsCoverTheTable checks that every label has its id and externalId
// constraints and every tie kind an index on its id, and that every schema statement is
// idempotent.
func TestMigrationsCoverTheTable(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	prev := 0
	for _, m := range ms {
		// Versions increase; gaps are allowed (numbers are reserved per line of work).
		if m.Version <= prev {
			t.Errorf("migration %s has version %d, after %d", m.Name, m.Version, prev)
		}
		prev = m.Version
		for _, st := range m.Statements {
			// A data migration (0007's) is a MATCH guarded so that a second run finds
			// nothing to change; TestWavesMigration runs it twice.
			if !strings.Contains(st, "IF NOT EXISTS") && !strings.HasPrefix(st, "MATCH ") {
				t.Errorf("%s: not idempotent: %s", m.Name, st)
			}
			all.WriteString(st + "\n")
		}
	}
	s := NewSchema()
	for _, l := range s.LabelOrder {
		for _, want := range []string{"FOR (n:" + l + ") REQUIRE n.id IS UNIQUE", "FOR (n:" + l + ") REQUIRE n.externalId IS UNIQUE"} {
			if !strings.Contains(all.String(), want) {
				t.Errorf("no migration has %q", want)
			}
		}
	}
	for _, k := range s.TieOrder {
		if want := "FOR ()-[r:" + k + "]-() ON (r.id)"; !strings.Contains(all.String(), want) {
			t.Errorf("no migration has %q", want)
		}
	}
}
