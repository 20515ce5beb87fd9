package survey

import (
	"time"

	"kith/identity"
)

// Interview is one respondent's interview, read from any format: who answered, whom and
// what they named, the ties they said exist between those, and what the wave measured
// about them. It is imported in one write transaction.
type Interview struct {
	// Key is the respondent's source key ("nc:<egoUUID>", "roster:<interview id>").
	Key string
	// File and Line say where the interview starts (the respondent's row).
	File string
	Line int
	// Respondent is the person interviewed (Mention.Label "Person").
	Respondent identity.Mention
	// At is when the interview took place (zero: when it is imported).
	At time.Time
	// Method says how the interview was recorded ("network-canvas", "roster").
	Method string
	// Observation holds the measurements, by the Observation property names of the wave
	// contract (wemwbs, swemwbsRaw, onsLifeSatisfaction...); a measurement not asked is
	// absent.
	Observation map[string]any
	// Consent holds the respondent's answers to the consent questions, by purpose
	// (cypher.ConsentPurposes); a purpose not asked is absent.
	Consent map[string]bool
	// Alters are the people, groups, places and organisations the respondent named.
	Alters []*Alter
	// Ties are the ties the respondent said exist between the alters.
	Ties []AlterTie
	// Problem, when set, is why the interview is refused; nothing of it is written.
	Problem *Problem
}

// Alter is one entry the respondent named.
type Alter struct {
	// Mention is what was said (Mention.Label is the Kith label: Person,
	// FamiliarStranger, Group, Place or Organisation).
	Mention identity.Mention
	// Named are the ties between the respondent and the alter, one per name generator
	// that produced them.
	Named []TieSpec
	// Line is where the alter was read.
	File string
	Line int
}

// AlterTie is a tie between two alters of one interview, as the respondent perceived it.
type AlterTie struct {
	From, To string // the alters' source keys
	Spec     TieSpec
	File     string
	Line     int
}

// TieSpec is a kind of tie and its meaning key: what a name generator or an edge type
// records.
type TieSpec struct {
	// Kind is the relationship type (cypher.Schema tie kinds: TRUSTS, KNOWS...).
	Kind string `json:"tie" yaml:"tie"`
	// For is TRUSTS's purpose (HELP, ADVICE, SUPPORT).
	For string `json:"for,omitempty" yaml:"for,omitempty"`
	// Strength is KNOWS's strength (STRONG, WEAK).
	Strength string `json:"strength,omitempty" yaml:"strength,omitempty"`
	// Generator names the name generator that produced it ("help"), for the report.
	Generator string `json:"-" yaml:"-"`
}

// reversed reports whether the tie runs from the alter to the respondent (a familiar
// stranger SEES the person who named them).
func (s TieSpec) reversed() bool { return s.Kind == "SEES" }

// keyProp is the tie's meaning key: property name and value, "" when the kind has none.
func (s TieSpec) keyProp() (string, string) {
	switch s.Kind {
	case "TRUSTS":
		return "for", s.For
	case "KNOWS":
		return "strength", s.Strength
	}
	return "", ""
}

// Kith labels an alter may have.
var alterLabels = map[string]bool{"Person": true, "FamiliarStranger": true, "Group": true, "Place": true, "Organisation": true}

// rosterGenerators is the closed list of name generators of the roster format, and the
// defaults a mapping's name generators may name: each question of the Connected
// Communities interview and the tie it records.
var rosterGenerators = map[string]TieSpec{
	"help":       {Kind: "TRUSTS", For: "HELP"},
	"advice":     {Kind: "TRUSTS", For: "ADVICE"},
	"support":    {Kind: "TRUSTS", For: "SUPPORT"},
	"news":       {Kind: "GETS_INFO_FROM"},
	"encourages": {Kind: "ENCOURAGES"},
	"close":      {Kind: "KNOWS", Strength: "STRONG"},
	"knows":      {Kind: "KNOWS", Strength: "WEAK"},
	"member":     {Kind: "MEMBER_OF"},
	"uses":       {Kind: "USES"},
	"sees":       {Kind: "SEES"},
	"works_for":  {Kind: "WORKS_FOR"},
}

// rosterKinds maps the roster's kind column to Kith labels.
var rosterKinds = map[string]string{
	"person": "Person", "familiar_stranger": "FamiliarStranger", "service": "FamiliarStranger",
	"group": "Group", "place": "Place", "organisation": "Organisation", "organization": "Organisation",
}

// observationFields are the measurements an Observation may hold, with their bounds
// (strings have none): WEMWBS 14 items (14-70), SWEMWBS 7 items (7-35, raw), ONS4's four
// 0-10 items kept apart.
var observationFields = []struct {
	Name   string
	Lo, Hi int64
	Text   bool
}{
	{Name: "wemwbs", Lo: 14, Hi: 70},
	{Name: "swemwbsRaw", Lo: 7, Hi: 35},
	{Name: "onsLifeSatisfaction", Lo: 0, Hi: 10},
	{Name: "onsWorthwhile", Lo: 0, Hi: 10},
	{Name: "onsHappy", Lo: 0, Hi: 10},
	{Name: "onsAnxious", Lo: 0, Hi: 10},
	{Name: "employment", Text: true},
	{Name: "household", Text: true},
	{Name: "ageBand", Text: true},
}

// maxText bounds every stored text cell (a name, a role, an area).
const maxText = 200

// readObservation reads the measurements of one respondent row; cols maps an
// Observation field to its column (fields without a column are skipped).
func readObservation(r row, cols map[string]string) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range observationFields {
		col := cols[f.Name]
		if col == "" || !r.t.has(col) {
			continue
		}
		var v any
		var err error
		if f.Text {
			var s string
			s, err = r.text(col, maxText)
			if s != "" {
				v = s
			}
		} else {
			v, err = r.intIn(col, f.Lo, f.Hi)
		}
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[f.Name] = v
		}
	}
	return out, nil
}

// readConsent reads the consent answers of one respondent row; cols maps a purpose to
// its column.
func readConsent(r row, cols map[string]string) (map[string]bool, error) {
	out := map[string]bool{}
	for purpose, col := range cols {
		if !r.t.has(col) {
			continue
		}
		v, err := r.boolean(col)
		if err != nil {
			return nil, err
		}
		if b, ok := v.(bool); ok {
			out[purpose] = b
		}
	}
	return out, nil
}
