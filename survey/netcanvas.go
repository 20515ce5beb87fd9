package survey

import (
	"fmt"
	"path"
	"strings"

	"kith/cypher"
	"kith/identity"
)

// Network Canvas's CSV export: one ego file per session (<case>_<session>_ego.csv),
// attributeList_<NodeType> and edgeList_<EdgeType> files, all joined by
// networkCanvasEgoUUID; alters are keyed by networkCanvasUUID, edge ends by
// networkCanvasSourceUUID and networkCanvasTargetUUID (nodeID, from and to restart at 1 in
// each session, so they are never used).
const (
	ncEgo    = "networkCanvasEgoUUID"
	ncUUID   = "networkCanvasUUID"
	ncSource = "networkCanvasSourceUUID"
	ncTarget = "networkCanvasTargetUUID"
	ncStart  = "sessionStart"
)

// typeOf returns the node or edge type a file of kind ("attributeList", "edgeList") holds.
func typeOf(base, kind string) (string, bool) {
	_, rest, ok := strings.Cut(base, kind+"_")
	if !ok || !strings.EqualFold(path.Ext(rest), ".csv") {
		return "", false
	}
	return strings.TrimSuffix(rest, path.Ext(rest)), true
}

// ReadNetworkCanvas reads the interviews of a Network Canvas CSV export under a mapping.
// A problem with a whole file (a missing column, a type the mapping does not name) fails
// the import; a problem with one interview's rows marks that interview only.
func ReadNetworkCanvas(fs *Files, m *Mapping) ([]*Interview, error) {
	egoFiles := fs.Find(func(b string) bool {
		return strings.EqualFold(b, "ego.csv") || strings.HasSuffix(strings.ToLower(b), "_ego.csv")
	})
	if len(egoFiles) == 0 {
		return nil, problem(CodeMissingFile, "export", 0, 0, "holds no ego file (*_ego.csv); files: %s", strings.Join(fs.Names(), ", "))
	}
	s := cypher.NewSchema()
	byKey := map[string]*Interview{}
	var out []*Interview
	start := m.Ego.InterviewedOn
	for _, f := range egoFiles {
		t, err := readTable(f)
		if err != nil {
			return nil, err
		}
		if err := t.require(ncEgo, m.Ego.Name, m.Ego.Area, m.Ego.InterviewedOn); err != nil {
			return nil, err
		}
		if err := t.require(mapValues(m.Ego.Observations)...); err != nil {
			return nil, err
		}
		if err := t.require(mapValues(m.Ego.Consent)...); err != nil {
			return nil, err
		}
		if start == "" && t.has(ncStart) {
			start = ncStart
		}
		for _, r := range t.rows {
			iv := &Interview{File: f.Name, Line: r.line, Method: "network-canvas"}
			ego, err := r.required(ncEgo, maxText)
			if err != nil {
				iv.Key, iv.Problem = fmt.Sprintf("%s:%d", f.Name, r.line), asProblem(err)
				out = append(out, iv)
				continue
			}
			iv.Key = "nc:" + ego
			if first, dup := byKey[iv.Key]; dup {
				iv.Problem = r.at(CodeDuplicate, ncEgo, "repeats the networkCanvasEgoUUID of %s line %d", first.File, first.Line)
				first.fail(iv.Problem)
				out = append(out, iv)
				continue
			}
			byKey[iv.Key] = iv
			out = append(out, iv)
			iv.fail(readEgo(iv, r, m, start))
		}
	}
	// Alters, by node type.
	seenTypes := map[string]bool{}
	alters := map[string]*Alter{} // by source key
	for _, f := range fs.list {
		typ, ok := typeOf(path.Base(f.Name), "attributeList")
		if !ok {
			continue
		}
		nt, ok := m.NodeTypes[typ]
		if !ok {
			return nil, problem(CodeUnknownType, f.Name, 1, 1, "holds node type %q, which the mapping does not map (it maps %s)", typ, strings.Join(sortedKeys(m.NodeTypes), ", "))
		}
		seenTypes[typ] = true
		t, err := readTable(f)
		if err != nil {
			return nil, err
		}
		cols := []string{ncEgo, ncUUID, nt.Name, nt.Role, nt.Area, nt.AgeBand, nt.Household}
		for _, g := range nt.NameGenerators {
			cols = append(cols, g.Variable)
		}
		if err := t.require(cols...); err != nil {
			return nil, err
		}
		for _, r := range t.rows {
			iv := interviewOf(r, byKey, &out)
			if iv.Problem != nil {
				continue
			}
			a, err := readAlter(iv, r, nt)
			if err != nil {
				iv.fail(err)
				continue
			}
			if prev, dup := alters[a.Mention.SourceKey]; dup {
				iv.fail(r.at(CodeDuplicate, ncUUID, "repeats the networkCanvasUUID of %s line %d", prev.File, prev.Line))
				continue
			}
			alters[a.Mention.SourceKey] = a
			iv.Alters = append(iv.Alters, a)
		}
	}
	for _, typ := range sortedKeys(m.NodeTypes) {
		if !seenTypes[typ] {
			return nil, m.at(CodeUnknownType, []string{"nodeTypes", typ}, "maps node type %q, but the export has no attributeList_%s file", typ, typ)
		}
	}
	// Ties between alters, by edge type.
	for _, f := range fs.list {
		typ, ok := typeOf(path.Base(f.Name), "edgeList")
		if !ok {
			continue
		}
		t, err := readTable(f)
		if err != nil {
			return nil, err
		}
		spec, ok := m.EdgeTypes[typ]
		if !ok {
			if len(t.rows) == 0 {
				continue // Network Canvas writes an empty file for every edge type
			}
			return nil, problem(CodeUnknownType, f.Name, 1, 1, "holds edge type %q, which the mapping does not map", typ)
		}
		spec.Generator = typ
		if err := t.require(ncEgo, ncSource, ncTarget); err != nil {
			return nil, err
		}
		for _, r := range t.rows {
			iv := interviewOf(r, byKey, &out)
			if iv.Problem != nil {
				continue
			}
			iv.fail(readEdge(iv, r, spec, alters, s))
		}
	}
	return out, nil
}

// interviewOf returns the interview a row belongs to; a row of an unknown interview
// yields a refused interview of its own.
func interviewOf(r row, byKey map[string]*Interview, out *[]*Interview) *Interview {
	key := "nc:" + r.raw(ncEgo)
	if iv, ok := byKey[key]; ok {
		return iv
	}
	iv := &Interview{Key: key, File: r.t.file, Line: r.line,
		Problem: r.at(CodeUnknownAlter, ncEgo, "names a networkCanvasEgoUUID that no ego file holds")}
	byKey[key] = iv
	*out = append(*out, iv)
	return iv
}

func readEgo(iv *Interview, r row, m *Mapping, start string) error {
	name, err := r.text(m.Ego.Name, maxText)
	if err != nil {
		return err
	}
	area, err := r.text(m.Ego.Area, maxText)
	if err != nil {
		return err
	}
	if iv.At, err = r.when(start); err != nil {
		return err
	}
	if iv.Observation, err = readObservation(r, m.Ego.Observations); err != nil {
		return err
	}
	if iv.Consent, err = readConsent(r, m.Ego.Consent); err != nil {
		return err
	}
	iv.Respondent = identity.Mention{SourceKey: iv.Key, Label: "Person", Name: name, Area: area, InterviewID: iv.Key}
	if v, ok := iv.Observation["ageBand"].(string); ok {
		iv.Respondent.AgeBand = v
	}
	if v, ok := iv.Observation["household"].(string); ok {
		iv.Respondent.Household = v
	}
	return nil
}

func readAlter(iv *Interview, r row, nt NodeMapping) (*Alter, error) {
	id, err := r.required(ncUUID, maxText)
	if err != nil {
		return nil, err
	}
	a := &Alter{File: r.t.file, Line: r.line}
	mn := identity.Mention{SourceKey: iv.Key + ":" + id, Label: nt.Label, NamedBy: iv.Key, InterviewID: iv.Key}
	for _, c := range []struct {
		col string
		dst *string
	}{{nt.Name, &mn.Name}, {nt.Role, &mn.Role}, {nt.Area, &mn.Area}, {nt.AgeBand, &mn.AgeBand}, {nt.Household, &mn.Household}} {
		if *c.dst, err = r.text(c.col, maxText); err != nil {
			return nil, err
		}
	}
	if mn.Name == "" && mn.Role == "" {
		return nil, r.at(CodeMissingValue, nt.Name, "the alter has neither a name nor a role")
	}
	var gens []string
	for _, g := range nt.NameGenerators {
		if g.Variable != "" {
			v, err := r.boolean(g.Variable)
			if err != nil {
				return nil, err
			}
			if v != true {
				continue
			}
		}
		a.Named = append(a.Named, g.TieSpec)
		gens = append(gens, g.TieSpec.Generator)
	}
	if len(a.Named) == 0 {
		return nil, r.at(CodeMissingValue, nt.NameGenerators[0].Variable, "the alter was produced by none of the mapping's name generators")
	}
	mn.NameGenerator = strings.Join(gens, ",")
	a.Mention = mn
	return a, nil
}

func readEdge(iv *Interview, r row, spec TieSpec, alters map[string]*Alter, s *cypher.Schema) error {
	var ends [2]*Alter
	for i, col := range []string{ncSource, ncTarget} {
		id, err := r.required(col, maxText)
		if err != nil {
			return err
		}
		a, ok := alters[iv.Key+":"+id]
		if !ok {
			return r.at(CodeUnknownAlter, col, "names an alter that this interview's attributeList files do not hold")
		}
		ends[i] = a
	}
	if ends[0] == ends[1] {
		return r.at(CodeBadValue, ncTarget, "a tie must join two different alters")
	}
	if msg := checkSpec(s, spec, ends[0].Mention.Label, ends[1].Mention.Label); msg != "" {
		return r.at(CodeNotTieable, ncTarget, "%s", msg)
	}
	iv.Ties = append(iv.Ties, AlterTie{From: ends[0].Mention.SourceKey, To: ends[1].Mention.SourceKey, Spec: spec, File: r.t.file, Line: r.line})
	return nil
}

// fail marks the interview refused by err, keeping the first problem.
func (iv *Interview) fail(err error) {
	if err == nil || iv.Problem != nil {
		return
	}
	iv.Problem = asProblem(err)
}

func asProblem(err error) *Problem {
	if p, ok := err.(*Problem); ok {
		return p
	}
	return problem(CodeBadValue, "", 0, 0, "%v", err)
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}
