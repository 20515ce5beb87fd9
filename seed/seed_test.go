package seed

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kith/nodeid"
)

func TestDeterminism(t *testing.T) {
	tests := []struct {
		name string
		make func() *Graph
	}{
		{"demo", Demo},
		{"synthetic 2000", func() *Graph { return Synthetic(2000, 1) }},
		{"synthetic 10", func() *Graph { return Synthetic(10, 9) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := tt.make(), tt.make(); !reflect.DeepEqual(a, b) {
				t.Error("two calls gave different graphs")
			}
		})
	}
	t.Run("seeds differ", func(t *testing.T) {
		if reflect.DeepEqual(Synthetic(2000, 1), Synthetic(2000, 2)) {
			t.Error("seeds 1 and 2 gave the same graph")
		}
	})
}

// checker checks one property value.
type checker func(v any) bool

func isString(v any) bool { _, ok := v.(string); return ok }
func isBool(v any) bool   { _, ok := v.(bool); return ok }
func isTime(v any) bool   { _, ok := v.(time.Time); return ok }

func isStrings(v any) bool {
	s, ok := v.([]string)
	return ok && len(s) > 0
}

func isDate(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func isUTCTime(v any) bool {
	tm, ok := v.(time.Time)
	return ok && tm.Location() == time.UTC && !tm.IsZero()
}

func oneOf(values ...string) checker {
	return func(v any) bool {
		s, ok := v.(string)
		return ok && slices.Contains(values, s)
	}
}

func matches(pattern string) checker {
	re := regexp.MustCompile(pattern)
	return func(v any) bool {
		s, ok := v.(string)
		return ok && re.MatchString(s)
	}
}

func intIn(lo, hi int64) checker {
	return func(v any) bool {
		n, ok := v.(int64)
		return ok && n >= lo && n <= hi
	}
}

func floatIn(lo, hi float64) checker {
	return func(v any) bool {
		f, ok := v.(float64)
		return ok && f >= lo && f <= hi
	}
}

// propSpec lists the properties a label or kind may have and which it must have.
type propSpec struct {
	allowed  map[string]checker
	required []string
}

var frequency = oneOf("DAILY", "WEEKLY", "MONTHLY", "RARELY")

var nodeSpecs = map[string]propSpec{
	"Person": {map[string]checker{
		"externalId": matches(`^(demo-person-\d{4}|syn-person-\d{6,})$`), "displayName": isString,
		"pseudonym": matches(`^R-[0-9A-F]{6}$`), "roles": isStrings, "isAuthority": isBool,
		"householdType": oneOf("single", "couple", "family", "single parent", "older living alone"),
		"ageBand":       oneOf("16-24", "25-44", "45-64", "65-74", "75+"),
		"wellbeing":     intIn(7, 35), "contact": matches(`^07700 900\d{3}$`),
		"consentAnalysis": isBool, "consentAnalysisAt": isTime, "consentAnalysisHow": isString,
		"consentSuggestions": isBool, "consentSuggestionsAt": isTime, "consentSuggestionsHow": isString,
		"consentContact": isBool, "consentContactAt": isTime, "consentContactHow": isString,
		"consentWellbeing": isBool, "consentWellbeingAt": isTime, "consentWellbeingHow": isString,
	}, []string{"externalId", "displayName", "pseudonym", "isAuthority"}},
	"FamiliarStranger": {map[string]checker{
		"externalId": isString, "displayName": isString,
		"role": oneOf("postman", "street sweeper", "quizmaster", "lollipop lady", "shopkeeper", "bus driver", "pharmacist"),
	}, []string{"externalId", "role"}},
	"Place": {map[string]checker{
		"externalId": isString, "name": isString, "kind": oneOf("INDOOR", "OUTDOOR", "DIGITAL"), "category": isString,
		"public": isBool,
	}, []string{"externalId", "name", "kind", "category", "public"}},
	"Group": {map[string]checker{
		"externalId": isString, "name": isString, "activity": matches(`^[a-z' é]+$`),
		"openness": oneOf("OPEN", "BY_INVITATION", "CLOSED"), "sensitive": isBool,
		"public": isBool,
	}, []string{"externalId", "name", "activity", "openness", "sensitive", "public"}},
	"Organisation": {map[string]checker{
		"externalId": isString, "name": isString, "sector": oneOf("PUBLIC", "BUSINESS", "FAITH", "VOLUNTARY"),
		"isAuthority": isBool, "public": isBool,
	}, []string{"externalId", "name", "sector", "isAuthority", "public"}},
	"Interest": {map[string]checker{"externalId": isString, "name": isString}, []string{"externalId", "name"}},
	"Gift": {map[string]checker{
		"externalId": isString, "kind": oneOf("HEAD", "HEART", "HANDS"), "description": isString,
	}, []string{"externalId", "kind", "description"}},
	"Area": {map[string]checker{"externalId": isString, "name": isString}, []string{"externalId", "name"}},
	"Wave": {map[string]checker{"externalId": isString, "name": isString, "collectedOn": isDate},
		[]string{"externalId", "name", "collectedOn"}},
}

// tieSpec lists the labels a kind joins and its own properties.
type tieSpec struct {
	from, to []string
	props    propSpec
}

var tieSpecs = map[string]tieSpec{
	"KNOWS": {[]string{"Person"}, []string{"Person"},
		propSpec{map[string]checker{"strength": oneOf("STRONG", "WEAK")}, []string{"strength"}}},
	"TRUSTS": {[]string{"Person"}, []string{"Person", "FamiliarStranger", "Organisation"},
		propSpec{map[string]checker{"for": oneOf("HELP", "ADVICE", "SUPPORT")}, []string{"for"}}},
	"GETS_INFO_FROM": {[]string{"Person"}, []string{"Person", "Place", "Group", "Organisation", "FamiliarStranger"}, propSpec{}},
	"ENCOURAGES":     {[]string{"Person"}, []string{"Person"}, propSpec{}},
	"MEMBER_OF": {[]string{"Person"}, []string{"Group"}, propSpec{map[string]checker{
		"role": oneOf("MEMBER", "ORGANISER", "VOLUNTEER"), "since": isDate}, []string{"role", "since"}}},
	"USES": {[]string{"Person"}, []string{"Place"},
		propSpec{map[string]checker{"frequency": frequency}, []string{"frequency"}}},
	"MEETS_AT": {[]string{"Group"}, []string{"Place"}, propSpec{}},
	"SEES": {[]string{"FamiliarStranger"}, []string{"Person"},
		propSpec{map[string]checker{"frequency": frequency}, []string{"frequency"}}},
	"WORKS_FOR":     {[]string{"Person"}, []string{"Organisation"}, propSpec{}},
	"INTERESTED_IN": {[]string{"Person", "Group"}, []string{"Interest"}, propSpec{}},
	"OFFERS":        {[]string{"Person"}, []string{"Gift"}, propSpec{}},
	"LIVES_IN":      {[]string{"Person"}, []string{"Area"}, propSpec{}},
	"IN":            {[]string{"Place", "Group", "Organisation", "FamiliarStranger", "Area"}, []string{"Area"}, propSpec{}},
	"RUN_BY":        {[]string{"Group"}, []string{"Organisation"}, propSpec{}},
	"POSSIBLY_SAME_AS": {[]string{"Person"}, []string{"Person"},
		propSpec{map[string]checker{"score": floatIn(0, 1)}, []string{"score"}}},
}

// checkProps reports properties that are missing, unknown or of the wrong type or value.
func checkProps(props map[string]any, spec propSpec, extra map[string]checker) []string {
	var bad []string
	for name, v := range props {
		check, ok := spec.allowed[name]
		if !ok {
			check, ok = extra[name]
		}
		if !ok {
			bad = append(bad, "unknown "+name)
		} else if v == nil || !check(v) {
			bad = append(bad, fmt.Sprintf("bad %s=%v", name, v))
		}
	}
	for _, name := range spec.required {
		if _, ok := props[name]; !ok {
			bad = append(bad, "missing "+name)
		}
	}
	return bad
}

func TestIntegrity(t *testing.T) {
	tests := []struct {
		name string
		g    *Graph
	}{
		{"demo", Demo()},
		{"synthetic 0", Synthetic(0, 1)},
		{"synthetic 1", Synthetic(1, 1)},
		{"synthetic 10", Synthetic(10, 3)},
		{"synthetic 1000", Synthetic(1000, 7)},
		{"synthetic 30000", Synthetic(30000, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := checkNodes(t, tt.g)
			checkTies(t, tt.g, labels)
		})
	}
}

// checkNodes checks ids and properties and returns each node's label by id.
func checkNodes(t *testing.T, g *Graph) map[string]string {
	t.Helper()
	labels := make(map[string]string, len(g.Nodes))
	externals := make(map[string]bool, len(g.Nodes))
	for _, n := range g.Nodes {
		ext, _ := n.Props["externalId"].(string)
		if want := nodeid.FromKey(n.Label, ext); n.ID != want {
			t.Fatalf("%s %q has id %s, want %s", n.Label, ext, n.ID, want)
		}
		if labels[n.ID] != "" || externals[n.Label+ext] {
			t.Fatalf("%s %q appears twice", n.Label, ext)
		}
		labels[n.ID], externals[n.Label+ext] = n.Label, true
		spec, ok := nodeSpecs[n.Label]
		if !ok {
			t.Fatalf("node %s has unknown label %s", n.ID, n.Label)
		}
		if bad := checkProps(n.Props, spec, nil); len(bad) > 0 {
			t.Fatalf("%s %q: %v", n.Label, ext, bad)
		}
	}
	return labels
}

func checkTies(t *testing.T, g *Graph, labels map[string]string) {
	t.Helper()
	provenance := map[string]checker{
		"source": isString, "recordedAt": isUTCTime,
		"wave": func(v any) bool { s, ok := v.(string); return ok && labels[s] == "Wave" },
	}
	seen := make(map[string]bool, len(g.Ties))
	for _, tie := range g.Ties {
		spec, ok := tieSpecs[tie.Kind]
		if !ok {
			t.Fatalf("unknown kind %s", tie.Kind)
		}
		from, to := labels[tie.From], labels[tie.To]
		if !slices.Contains(spec.from, from) || !slices.Contains(spec.to, to) {
			t.Fatalf("%s joins %s (%s) to %s (%s)", tie.Kind, tie.From, from, tie.To, to)
		}
		if tie.From == tie.To {
			t.Fatalf("%s from %s to itself", tie.Kind, tie.From)
		}
		if bad := checkProps(tie.Props, spec.props, provenance); len(bad) > 0 || tie.Props["source"] == nil ||
			tie.Props["recordedAt"] == nil {
			t.Fatalf("%s %s->%s: %v %v", tie.Kind, tie.From, tie.To, bad, tie.Props)
		}
		wave, _ := tie.Props["wave"].(string)
		purpose, _ := tie.Props["for"].(string)
		key := strings.Join([]string{tie.Kind, tie.From, tie.To, wave, purpose}, " ")
		if seen[key] {
			t.Fatalf("duplicate tie %s", key)
		}
		seen[key] = true
		if tie.Kind == "KNOWS" && seen[strings.Join([]string{tie.Kind, tie.To, tie.From, wave, ""}, " ")] {
			t.Fatalf("KNOWS both ways between %s and %s", tie.From, tie.To)
		}
	}
}

// shape summarises a graph's structure.
type shape struct {
	nodes, ties           map[string]int
	people, isolates      int
	near                  int // people with exactly one social neighbour
	noRoute               int // people with no trusted route to authority
	authorities           int
	knowsDegree           float64 // mean KNOWS ties per person, first wave
	maxKnows              int     // highest KNOWS degree, first wave
	maxInfoIn             int     // most people getting information from one person
	maxEncouragesOut      int
	wellbeing             map[string]float64 // mean wellbeing by household type
	socialDegree          map[string]float64 // mean social degree by household type
	onlyFirst, onlySecond int                // survey ties in only one wave (demo)
	knowsWithinArea       float64            // share of KNOWS ties between people of one area
	newGroups             int                // groups with members only after the first wave
	pseudonyms            int                // distinct pseudonyms
}

var socialKinds = map[string]bool{"KNOWS": true, "TRUSTS": true, "GETS_INFO_FROM": true, "ENCOURAGES": true, "MEMBER_OF": true}

func measure(g *Graph) shape {
	s := shape{nodes: map[string]int{}, ties: map[string]int{}, wellbeing: map[string]float64{}, socialDegree: map[string]float64{}}
	index := make(map[string]int, len(g.Nodes))
	authority := make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		s.nodes[n.Label]++
		index[n.ID] = i
		authority[i], _ = n.Props["isAuthority"].(bool)
		if n.Label == "Person" && authority[i] {
			s.authorities++
		}
	}
	s.people = s.nodes["Person"]
	firstWave := ""
	for _, n := range g.Nodes {
		if n.Label == "Wave" {
			firstWave = n.ID
			break
		}
	}
	neighbours := make([]map[int]bool, len(g.Nodes))
	knows, infoIn, encOut := make([]int, len(g.Nodes)), make([]int, len(g.Nodes)), make([]int, len(g.Nodes))
	social := make([]int, len(g.Nodes))
	parent := make([]int, len(g.Nodes))
	for i := range parent {
		parent[i] = i
	}
	waves := map[string]map[string]bool{}
	home := map[int]int{}
	for _, tie := range g.Ties {
		if tie.Kind == "LIVES_IN" {
			home[index[tie.From]] = index[tie.To]
		}
	}
	memberWaves := map[int]map[string]bool{}
	within, local := 0, 0
	for _, tie := range g.Ties {
		s.ties[tie.Kind]++
		f, to := index[tie.From], index[tie.To]
		wave, _ := tie.Props["wave"].(string)
		if wave != "" {
			key := tie.Kind + tie.From + tie.To + fmt.Sprint(tie.Props["for"])
			if waves[key] == nil {
				waves[key] = map[string]bool{}
			}
			waves[key][wave] = true
		}
		if socialKinds[tie.Kind] {
			for _, pair := range [][2]int{{f, to}, {to, f}} {
				if neighbours[pair[0]] == nil {
					neighbours[pair[0]] = map[int]bool{}
				}
				neighbours[pair[0]][pair[1]] = true
			}
			if wave == firstWave {
				social[f]++
				social[to]++
			}
		}
		if tie.Kind == "KNOWS" || tie.Kind == "TRUSTS" {
			union(parent, f, to)
		}
		if hf, ok := home[f]; ok && tie.Kind == "KNOWS" {
			if ht, ok := home[to]; ok {
				within++
				if hf == ht {
					local++
				}
			}
		}
		if tie.Kind == "MEMBER_OF" {
			if memberWaves[to] == nil {
				memberWaves[to] = map[string]bool{}
			}
			memberWaves[to][wave] = true
		}
		if wave != firstWave {
			continue
		}
		switch tie.Kind {
		case "KNOWS":
			knows[f]++
			knows[to]++
		case "GETS_INFO_FROM":
			infoIn[to]++
		case "ENCOURAGES":
			encOut[f]++
		}
	}
	for _, w := range waves {
		if len(w) == 1 && w[firstWave] {
			s.onlyFirst++
		} else if len(w) == 1 {
			s.onlySecond++
		}
	}
	for _, w := range memberWaves {
		if !w[firstWave] {
			s.newGroups++
		}
	}
	if within > 0 {
		s.knowsWithinArea = float64(local) / float64(within)
	}
	pseudonyms := map[any]bool{}
	for _, n := range g.Nodes {
		if n.Label == "Person" {
			pseudonyms[n.Props["pseudonym"]] = true
		}
	}
	s.pseudonyms = len(pseudonyms)
	reaches := map[int]bool{}
	for i := range g.Nodes {
		if authority[i] {
			reaches[find(parent, i)] = true
		}
	}
	households := map[string]int{}
	total := 0
	for i, n := range g.Nodes {
		if n.Label != "Person" {
			continue
		}
		switch len(neighbours[i]) {
		case 0:
			s.isolates++
		case 1:
			s.near++
		}
		if !reaches[find(parent, i)] {
			s.noRoute++
		}
		total += knows[i]
		s.maxKnows = max(s.maxKnows, knows[i])
		s.maxInfoIn = max(s.maxInfoIn, infoIn[i])
		s.maxEncouragesOut = max(s.maxEncouragesOut, encOut[i])
		if hh, ok := n.Props["householdType"].(string); ok {
			households[hh]++
			s.wellbeing[hh] += float64(n.Props["wellbeing"].(int64))
			s.socialDegree[hh] += float64(social[i])
		}
	}
	for hh, n := range households {
		s.wellbeing[hh] /= float64(n)
		s.socialDegree[hh] /= float64(n)
	}
	if s.people > 0 {
		s.knowsDegree = float64(total) / float64(s.people)
	}
	return s
}

func find(parent []int, i int) int {
	for parent[i] != i {
		parent[i] = parent[parent[i]]
		i = parent[i]
	}
	return i
}

func union(parent []int, a, b int) {
	parent[find(parent, a)] = find(parent, b)
}

func TestStructure(t *testing.T) {
	demo, synthetic := measure(Demo()), measure(Synthetic(10000, 1))
	share := func(s shape) float64 { return float64(s.isolates) / float64(s.people) }
	tests := []struct {
		name string
		ok   bool
		got  any
	}{
		{"demo isolate share 1-4%", share(demo) >= 0.01 && share(demo) <= 0.04, share(demo)},
		{"demo has nearly isolated people", demo.near >= 3, demo.near},
		{"demo has people without a trusted route to authority", demo.noRoute > demo.isolates, demo.noRoute},
		{"demo has authority people", demo.authorities >= 1, demo.authorities},
		{"demo has connectors", demo.maxKnows >= 20, demo.maxKnows},
		{"demo has mavens", demo.maxInfoIn >= 15, demo.maxInfoIn},
		{"demo has salespeople", demo.maxEncouragesOut >= 10, demo.maxEncouragesOut},
		{"demo KNOWS degree 5-9", demo.knowsDegree >= 5 && demo.knowsDegree <= 9, demo.knowsDegree},
		{"demo single parents less connected", demo.socialDegree["single parent"] < demo.socialDegree["family"], demo.socialDegree},
		{"demo single parents lower wellbeing", demo.wellbeing["single parent"] < demo.wellbeing["family"], demo.wellbeing},
		{"demo waves differ both ways", demo.onlyFirst > 0 && demo.onlySecond > 0, [2]int{demo.onlyFirst, demo.onlySecond}},
		{"demo has a group that formed between the waves", demo.newGroups == 1, demo.newGroups},
		{"demo KNOWS mostly within an area", demo.knowsWithinArea > 0.6, demo.knowsWithinArea},
		{"demo pseudonyms unique", demo.pseudonyms == demo.people, demo.pseudonyms},
		{"synthetic 10000 has 9000-11000 people", synthetic.people >= 9000 && synthetic.people <= 11000, synthetic.people},
		{"synthetic KNOWS degree 6-8", synthetic.knowsDegree >= 6 && synthetic.knowsDegree <= 8, synthetic.knowsDegree},
		{"synthetic KNOWS mostly within an area", synthetic.knowsWithinArea > 0.75, synthetic.knowsWithinArea},
		{"synthetic isolate share 1-4%", share(synthetic) >= 0.01 && share(synthetic) <= 0.04, share(synthetic)},
		{"synthetic has people without a trusted route", synthetic.noRoute > synthetic.isolates, synthetic.noRoute},
		{"synthetic single parents lower wellbeing",
			synthetic.wellbeing["single parent"] < synthetic.wellbeing["couple"], synthetic.wellbeing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("got %v", tt.got)
			}
		})
	}
}

// TestDemoMatchesDoc keeps the headline numbers in the package documentation true;
// change both together.
func TestDemoMatchesDoc(t *testing.T) {
	g := Demo()
	s := measure(g)
	got := [6]int{len(g.Nodes), len(g.Ties), s.people, s.isolates, s.near, s.noRoute}
	if want := [6]int{437, 7283, 306, 6, 16, 22}; got != want {
		t.Errorf("nodes, ties, people, isolates, nearly isolated, no route = %v, documented %v", got, want)
	}
}

// TestNumbers logs the numbers quoted in the package documentation (go test -v -run Numbers).
func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		name string
		g    *Graph
	}{{"Demo()", Demo()}, {"Synthetic(10000, 1)", Synthetic(10000, 1)}} {
		s := measure(c.g)
		t.Logf("%s: %d nodes %v", c.name, len(c.g.Nodes), s.nodes)
		t.Logf("%s: %d ties %v", c.name, len(c.g.Ties), s.ties)
		t.Logf("%s: people %d, isolates %d (%.1f%%), one neighbour %d, no trusted route to authority %d (%.1f%%), authority people %d",
			c.name, s.people, s.isolates, 100*float64(s.isolates)/float64(s.people), s.near,
			s.noRoute, 100*float64(s.noRoute)/float64(s.people), s.authorities)
		t.Logf("%s: KNOWS degree %.2f, max %d; max info in %d; max encourages out %d; survey ties only in wave 1 %d, only in wave 2 %d",
			c.name, s.knowsDegree, s.maxKnows, s.maxInfoIn, s.maxEncouragesOut, s.onlyFirst, s.onlySecond)
		t.Logf("%s: KNOWS within an area %.2f", c.name, s.knowsWithinArea)
		t.Logf("%s: wellbeing %v; social degree %v", c.name, s.wellbeing, s.socialDegree)
	}
}

func BenchmarkSynthetic100k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Synthetic(100000, 1)
	}
}
