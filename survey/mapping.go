package survey

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"

	"kith/cypher"
)

// MappingVersion is the version of the mapping format this Kith reads.
const MappingVersion = 1

// Mapping says how a Network Canvas protocol's export becomes Kith's graph: which ego
// variables hold the respondent's name, area, measurements and consent; which Kith label
// each node type becomes and which of its variables hold the name as given, role and area;
// which tie each name generator records; which tie each edge type is. docs/import.md
// documents it; examples/survey/network-canvas/mapping.yaml is one.
type Mapping struct {
	Version   int                    `yaml:"version"`
	Ego       EgoMapping             `yaml:"ego"`
	NodeTypes map[string]NodeMapping `yaml:"nodeTypes"`
	EdgeTypes map[string]TieSpec     `yaml:"edgeTypes"`

	file string
	root *yaml.Node
}

// EgoMapping names the ego file's variables.
type EgoMapping struct {
	// Name is the variable holding the respondent's name ("": none recorded).
	Name string `yaml:"name"`
	// Area holds the respondent's area (an area id or name); "": the import's area.
	Area string `yaml:"area"`
	// InterviewedOn holds when the interview took place (default sessionStart).
	InterviewedOn string `yaml:"interviewedOn"`
	// Observations maps Observation fields (wemwbs, swemwbsRaw, onsLifeSatisfaction,
	// onsWorthwhile, onsHappy, onsAnxious, employment, household, ageBand) to variables.
	Observations map[string]string `yaml:"observations"`
	// Consent maps consent purposes (analysis, suggestions, contact, wellbeing) to
	// boolean variables.
	Consent map[string]string `yaml:"consent"`
}

// NodeMapping says what one node type becomes.
type NodeMapping struct {
	// Label is the Kith label: Person, FamiliarStranger, Group, Place or Organisation.
	Label string `yaml:"label"`
	// Name, Role, Area, AgeBand and Household name the variables holding each, "" none.
	Name      string `yaml:"name"`
	Role      string `yaml:"role"`
	Area      string `yaml:"area"`
	AgeBand   string `yaml:"ageBand"`
	Household string `yaml:"household"`
	// NameGenerators say which tie each name generator records between the respondent and
	// the alter. A generator with a variable applies to the alters whose boolean variable
	// is true; one without applies to every alter of the type.
	NameGenerators []GeneratorMapping `yaml:"nameGenerators"`
}

// GeneratorMapping is one name generator: either a roster generator by name (generator:
// help) or a tie spelled out (tie: TRUSTS, for: HELP).
type GeneratorMapping struct {
	Variable  string `yaml:"variable"`
	Generator string `yaml:"generator"`
	TieSpec   `yaml:",inline"`
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// ParseMapping reads and validates a mapping file (YAML, or JSON, which is YAML). Unknown
// fields, a version other than MappingVersion, unknown labels and tie kinds, and a tie
// that may not join the labels it would join are refused with their line and column.
func ParseMapping(f File) (*Mapping, error) {
	m := &Mapping{file: f.Name, root: &yaml.Node{}}
	if err := yaml.Unmarshal(f.Data, m.root); err != nil {
		return nil, yamlProblem(f.Name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	dec.KnownFields(true)
	if err := dec.Decode(m); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlProblem(f.Name, err)
	}
	if err := m.validate(cypher.NewSchema()); err != nil {
		return nil, err
	}
	return m, nil
}

func yamlProblem(file string, err error) *Problem {
	line := 0
	if g := yamlLine.FindStringSubmatch(err.Error()); g != nil {
		line, _ = strconv.Atoi(g[1])
	}
	return problem(CodeBadMapping, file, line, 1, "%v", err)
}

// at is a problem at the mapping entry named by path (its deepest part present).
func (m *Mapping) at(code string, path []string, format string, args ...any) *Problem {
	n := m.root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			break
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, col = n.Content[i].Line, n.Content[i].Column
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return problem(code, m.file, line, col, format, args...)
}

func (m *Mapping) validate(s *cypher.Schema) error {
	if m.Version != MappingVersion {
		return m.at(CodeBadMapping, []string{"version"}, "version is %d; this Kith reads mapping version %d", m.Version, MappingVersion)
	}
	if len(m.NodeTypes) == 0 {
		return m.at(CodeBadMapping, []string{"nodeTypes"}, "maps no node type")
	}
	for _, k := range sortedKeys(m.Ego.Observations) {
		if !isObservationField(k) {
			return m.at(CodeUnknownType, []string{"ego", "observations", k}, "%q is not an Observation field", k)
		}
	}
	for _, k := range sortedKeys(m.Ego.Consent) {
		if !contains(cypher.ConsentPurposes(), k) {
			return m.at(CodeUnknownType, []string{"ego", "consent", k}, "%q is not a consent purpose (%v)", k, cypher.ConsentPurposes())
		}
	}
	for _, name := range sortedKeys(m.NodeTypes) {
		nt := m.NodeTypes[name]
		path := []string{"nodeTypes", name}
		if !alterLabels[nt.Label] {
			return m.at(CodeUnknownType, append(path, "label"), "label %q is not one of Person, FamiliarStranger, Group, Place, Organisation", nt.Label)
		}
		if nt.Name == "" && (nt.Label != "FamiliarStranger" || nt.Role == "") {
			return m.at(CodeBadMapping, path, "names no variable for the name (a familiar stranger needs a name or a role)")
		}
		if len(nt.NameGenerators) == 0 {
			return m.at(CodeBadMapping, path, "has no name generator: say which tie records that the respondent named them")
		}
		for i := range nt.NameGenerators {
			g := &nt.NameGenerators[i]
			gpath := append(path, "nameGenerators")
			if g.Kind == "" {
				spec, ok := rosterGenerators[g.Generator]
				if !ok {
					return m.at(CodeUnknownType, gpath, "name generator %d names neither a tie nor a known generator (%s)", i+1, generatorNames())
				}
				g.TieSpec = spec
			}
			if g.Generator == "" {
				g.Generator = g.Variable
			}
			g.TieSpec.Generator = g.Generator
			from, to := "Person", nt.Label
			if g.reversed() {
				from, to = to, from
			}
			if err := checkSpec(s, g.TieSpec, from, to); err != "" {
				return m.at(CodeUnknownType, gpath, "name generator %d: %s", i+1, err)
			}
		}
		m.NodeTypes[name] = nt
	}
	for _, name := range sortedKeys(m.EdgeTypes) {
		spec := m.EdgeTypes[name]
		k, ok := s.Ties[spec.Kind]
		if !ok {
			return m.at(CodeUnknownType, []string{"edgeTypes", name}, "tie %q is not a Kith tie kind", spec.Kind)
		}
		if err := checkKey(k, spec); err != "" {
			return m.at(CodeUnknownType, []string{"edgeTypes", name}, "%s", err)
		}
	}
	return nil
}

// checkSpec says what is wrong with a tie spec joining from to to, "" when nothing.
func checkSpec(s *cypher.Schema, spec TieSpec, from, to string) string {
	k, ok := s.Ties[spec.Kind]
	if !ok {
		return fmt.Sprintf("tie %q is not a Kith tie kind", spec.Kind)
	}
	if !k.Allows(from, to) {
		return fmt.Sprintf("a %s tie cannot join a %s to a %s", spec.Kind, from, to)
	}
	return checkKey(k, spec)
}

// checkKey checks a spec's meaning key against the kind's enum.
func checkKey(k *cypher.TieKind, spec TieSpec) string {
	for _, c := range []struct{ prop, val string }{{"for", spec.For}, {"strength", spec.Strength}} {
		p, has := k.Prop(c.prop)
		switch {
		case c.val == "" && has && k.Name != "KNOWS" && k.Name != "TRUSTS":
		case c.val == "" && has:
			return fmt.Sprintf("a %s tie needs %s (one of %v)", k.Name, c.prop, p.Enum)
		case c.val != "" && !has:
			return fmt.Sprintf("a %s tie has no %s", k.Name, c.prop)
		case c.val != "" && !contains(p.Enum, c.val):
			return fmt.Sprintf("%s %q is not one of %v", c.prop, c.val, p.Enum)
		}
	}
	return ""
}

func isObservationField(name string) bool {
	for _, f := range observationFields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func generatorNames() string {
	return fmt.Sprint(sortedKeys(rosterGenerators))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
