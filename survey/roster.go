package survey

import (
	"path"
	"strconv"
	"strings"

	"kith/cypher"
	"kith/identity"
)

// The roster format, for paper surveys typed into a spreadsheet (README "Importing a
// survey"; examples/survey/roster/): respondents.csv, one row per interview; mentions.csv,
// one row per person, group or place named, with the name generator that produced it;
// ties.csv (optional), ties the respondent said exist between two of their mentions.
const (
	rosterRespondents = "respondents.csv"
	rosterMentions    = "mentions.csv"
	rosterTies        = "ties.csv"
)

// rosterObservation maps Observation fields to the respondents.csv columns holding them.
var rosterObservation = map[string]string{
	"wemwbs": "wemwbs", "swemwbsRaw": "swemwbs_raw", "onsLifeSatisfaction": "ons_life_satisfaction",
	"onsWorthwhile": "ons_worthwhile", "onsHappy": "ons_happy", "onsAnxious": "ons_anxious",
	"employment": "employment", "household": "household", "ageBand": "age_band",
}

// rosterConsent maps consent purposes to respondents.csv columns.
var rosterConsent = map[string]string{
	cypher.ConsentAnalysis: "consent_analysis", cypher.ConsentSuggestions: "consent_suggestions",
	cypher.ConsentContact: "consent_contact", cypher.ConsentWellbeing: "consent_wellbeing",
}

// rosterTieKinds are the values of ties.csv's tie column.
var rosterTieKinds = map[string]TieSpec{
	"close": {Kind: "KNOWS", Strength: "STRONG"}, "knows": {Kind: "KNOWS", Strength: "WEAK"},
	"encourages": {Kind: "ENCOURAGES"}, "help": {Kind: "TRUSTS", For: "HELP"},
	"advice": {Kind: "TRUSTS", For: "ADVICE"}, "support": {Kind: "TRUSTS", For: "SUPPORT"},
	"news": {Kind: "GETS_INFO_FROM"}, "member": {Kind: "MEMBER_OF"}, "uses": {Kind: "USES"},
}

// IsRoster reports whether the files are a roster (they hold respondents.csv).
func IsRoster(fs *Files) bool {
	return len(fs.Find(func(b string) bool { return strings.EqualFold(b, rosterRespondents) })) > 0
}

// ReadRoster reads the interviews of a roster.
func ReadRoster(fs *Files) ([]*Interview, error) {
	one := func(name string, required bool) (*table, error) {
		files := fs.Find(func(b string) bool { return strings.EqualFold(b, name) })
		switch {
		case len(files) == 0 && required:
			return nil, problem(CodeMissingFile, name, 0, 0, "is missing; a roster has respondents.csv and mentions.csv (ties.csv optional)")
		case len(files) == 0:
			return nil, nil
		case len(files) > 1:
			return nil, problem(CodeDuplicate, files[1].Name, 0, 0, "a roster holds one %s", name)
		}
		return readTable(files[0])
	}
	rt, err := one(rosterRespondents, true)
	if err != nil {
		return nil, err
	}
	if err := rt.require("interview_id", "name", "area"); err != nil {
		return nil, err
	}
	mt, err := one(rosterMentions, true)
	if err != nil {
		return nil, err
	}
	if err := mt.require("interview_id", "mention_id", "name_generator", "kind", "name"); err != nil {
		return nil, err
	}
	tt, err := one(rosterTies, false)
	if err != nil {
		return nil, err
	}
	if tt != nil {
		if err := tt.require("interview_id", "from_mention", "to_mention", "tie"); err != nil {
			return nil, err
		}
	}
	s := cypher.NewSchema()
	byKey := map[string]*Interview{}
	var out []*Interview
	for _, r := range rt.rows {
		iv := &Interview{File: rt.file, Line: r.line, Method: "roster"}
		out = append(out, iv)
		id, err := r.required("interview_id", maxText)
		if err != nil {
			iv.Key = path.Base(rt.file) + ":" + itoa(r.line)
			iv.fail(err)
			continue
		}
		iv.Key = "roster:" + id
		if first, dup := byKey[iv.Key]; dup {
			iv.fail(r.at(CodeDuplicate, "interview_id", "repeats the interview_id of line %d", first.Line))
			first.fail(iv.Problem)
			continue
		}
		byKey[iv.Key] = iv
		iv.fail(readRosterRespondent(iv, r))
	}
	alters := map[string]*Alter{}
	for _, r := range mt.rows {
		iv := rosterInterview(r, byKey, &out)
		if iv.Problem != nil {
			continue
		}
		a, err := readMention(iv, r, s)
		if err != nil {
			iv.fail(err)
			continue
		}
		if prev, dup := alters[a.Mention.SourceKey]; dup {
			// The same person named by a second generator: one alter, two ties, when the
			// rest of the row agrees.
			if prev.Mention.Name != a.Mention.Name || prev.Mention.Label != a.Mention.Label {
				iv.fail(r.at(CodeDuplicate, "mention_id", "repeats the mention_id of line %d for someone else", prev.Line))
				continue
			}
			prev.Named = append(prev.Named, a.Named...)
			prev.Mention.NameGenerator += "," + a.Mention.NameGenerator
			continue
		}
		alters[a.Mention.SourceKey] = a
		iv.Alters = append(iv.Alters, a)
	}
	if tt == nil {
		return out, nil
	}
	for _, r := range tt.rows {
		iv := rosterInterview(r, byKey, &out)
		if iv.Problem != nil {
			continue
		}
		iv.fail(readRosterTie(iv, r, alters, s))
	}
	return out, nil
}

func rosterInterview(r row, byKey map[string]*Interview, out *[]*Interview) *Interview {
	key := "roster:" + r.raw("interview_id")
	if iv, ok := byKey[key]; ok {
		return iv
	}
	iv := &Interview{Key: key, File: r.t.file, Line: r.line,
		Problem: r.at(CodeUnknownAlter, "interview_id", "names an interview_id that respondents.csv does not hold")}
	byKey[key] = iv
	*out = append(*out, iv)
	return iv
}

func readRosterRespondent(iv *Interview, r row) error {
	name, err := r.required("name", maxText)
	if err != nil {
		return err
	}
	area, err := r.required("area", maxText)
	if err != nil {
		return err
	}
	if iv.At, err = r.when("interviewed_on"); err != nil {
		return err
	}
	if iv.Observation, err = readObservation(r, rosterObservation); err != nil {
		return err
	}
	if iv.Consent, err = readConsent(r, rosterConsent); err != nil {
		return err
	}
	iv.Respondent = identity.Mention{SourceKey: iv.Key, Label: "Person", Name: name, Area: area, InterviewID: iv.Key}
	iv.Respondent.AgeBand, _ = iv.Observation["ageBand"].(string)
	iv.Respondent.Household, _ = iv.Observation["household"].(string)
	return nil
}

func readMention(iv *Interview, r row, s *cypher.Schema) (*Alter, error) {
	id, err := r.required("mention_id", maxText)
	if err != nil {
		return nil, err
	}
	gen := strings.ToLower(r.raw("name_generator"))
	spec, ok := rosterGenerators[gen]
	if !ok {
		return nil, r.at(CodeUnknownType, "name_generator", "is not a name generator of the roster format (%s)", generatorNames())
	}
	spec.Generator = gen
	label, ok := rosterKinds[strings.ToLower(r.raw("kind"))]
	if !ok {
		return nil, r.at(CodeUnknownType, "kind", "is not one of person, familiar_stranger, service, group, place, organisation")
	}
	from, to := "Person", label
	if spec.reversed() {
		from, to = to, from
	}
	if msg := checkSpec(s, spec, from, to); msg != "" {
		return nil, r.at(CodeNotTieable, "name_generator", "%s", msg)
	}
	mn := identity.Mention{SourceKey: iv.Key + ":" + id, Label: label, NamedBy: iv.Key, InterviewID: iv.Key, NameGenerator: gen}
	for _, c := range []struct {
		col string
		dst *string
	}{{"name", &mn.Name}, {"role", &mn.Role}, {"area", &mn.Area}, {"age_band", &mn.AgeBand}, {"household", &mn.Household}} {
		if *c.dst, err = r.text(c.col, maxText); err != nil {
			return nil, err
		}
	}
	if mn.Name == "" && mn.Role == "" {
		return nil, r.at(CodeMissingValue, "name", "the mention has neither a name nor a role")
	}
	return &Alter{Mention: mn, Named: []TieSpec{spec}, File: r.t.file, Line: r.line}, nil
}

func readRosterTie(iv *Interview, r row, alters map[string]*Alter, s *cypher.Schema) error {
	spec, ok := rosterTieKinds[strings.ToLower(r.raw("tie"))]
	if !ok {
		return r.at(CodeUnknownType, "tie", "is not one of %v", sortedKeys(rosterTieKinds))
	}
	spec.Generator = strings.ToLower(r.raw("tie"))
	var ends [2]*Alter
	for i, col := range []string{"from_mention", "to_mention"} {
		id, err := r.required(col, maxText)
		if err != nil {
			return err
		}
		a, ok := alters[iv.Key+":"+id]
		if !ok {
			return r.at(CodeUnknownAlter, col, "names a mention that mentions.csv does not hold for this interview")
		}
		ends[i] = a
	}
	if ends[0] == ends[1] {
		return r.at(CodeBadValue, "to_mention", "a tie must join two different mentions")
	}
	if msg := checkSpec(s, spec, ends[0].Mention.Label, ends[1].Mention.Label); msg != "" {
		return r.at(CodeNotTieable, "tie", "%s", msg)
	}
	iv.Ties = append(iv.Ties, AlterTie{From: ends[0].Mention.SourceKey, To: ends[1].Mention.SourceKey, Spec: spec, File: r.t.file, Line: r.line})
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
