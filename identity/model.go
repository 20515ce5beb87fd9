package identity

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/hbollon/go-edlib"
)

// Config holds the matcher's thresholds, as posterior probabilities that a mention and a
// candidate are the same person.
type Config struct {
	// Link is the score at or above which a mention is linked automatically.
	Link float64
	// Queue is the score at or above which a candidate is queued for a human
	// (POSSIBLY_SAME_AS); below it a mention is a new person.
	Queue float64
}

// DefaultConfig favours precision: merging two residents is worse than a duplicate.
func DefaultConfig() Config { return Config{Link: 0.9, Queue: 0.5} }

// ConfigFromEnv reads KITH_MATCH_LINK and KITH_MATCH_QUEUE over the defaults, and checks
// that 0 < Queue ≤ Link < 1.
func ConfigFromEnv() (Config, error) {
	c := DefaultConfig()
	for _, v := range []struct {
		name string
		dst  *float64
	}{{"KITH_MATCH_LINK", &c.Link}, {"KITH_MATCH_QUEUE", &c.Queue}} {
		if s := os.Getenv(v.name); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return c, fmt.Errorf("%s: %w", v.name, err)
			}
			*v.dst = f
		}
	}
	return c, c.Check()
}

// Check reports thresholds out of order or out of (0, 1).
func (c Config) Check() error {
	if !(c.Queue > 0 && c.Queue <= c.Link && c.Link < 1) {
		return fmt.Errorf("identity thresholds: want 0 < queue (%g) ≤ link (%g) < 1", c.Queue, c.Link)
	}
	return nil
}

// Weights, in bits (log2 of m/u: how much likelier the agreement is between two records
// of one person than between two of different people among blocked pairs). docs/identity.md
// gives the m and u behind each.
var (
	wGivenNick     = log2(0.08 / 0.004)
	wGivenFuzzy    = log2(0.05 / 0.01)
	wGivenDiffer   = log2(0.02 / 0.9)
	wInitialAgrees = log2(0.9 / 0.08)
	wInitialDiffer = log2(0.05 / 0.9)
	wSurnameFuzzy  = log2(0.10 / 0.01)
	wSurnameDiffer = log2(0.05 / 0.95) // married names change
	wSameArea      = log2(0.6 / 0.1)
	wNeighbourArea = log2(0.4 / 0.9)
	wSameAge       = log2(0.75 / 0.25)
	wNearAge       = log2(0.2 / 0.3)
	wFarAge        = log2(0.05 / 0.45)
	wSameHousehold = log2(0.3 / 0.002)
	wOtherHouse    = log2(0.5 / 0.95)
	wRoleAgrees    = 4.0 // a service named by role is most likely the one recorded nearby
	fuzzyAt        = 0.9
	minFrequency   = 0.002
)

// noName is the reason a pair without a name on either side is not compared.
const noName = "no name to compare"

func log2(x float64) float64 { return math.Log2(x) }

// prob turns a weight in bits into a probability.
func prob(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// record is a mention or a known person, prepared for comparison.
type record struct {
	personID  string // known people only
	key       string // mentions: the source key
	name      parsedName
	role      string
	area      string
	ageBand   string
	household string
	namedBy   string
	interview string
}

// prepare turns a mention into a record.
func prepare(m Mention) record {
	r := record{key: m.SourceKey, name: parseName(m.Name), area: m.AreaID, ageBand: strings.ToLower(m.AgeBand),
		household: m.Household, namedBy: m.NamedBy, interview: m.InterviewID}
	r.role = normRole(m.Role)
	if r.role == "" {
		r.role = r.name.role
	}
	return r
}

// normRole maps a role as given to the role the model compares ("the doctor" → gp).
func normRole(s string) string {
	f := fold(s)
	if f == "" {
		return ""
	}
	for _, w := range strings.Fields(f) {
		if r, ok := roleWords[w]; ok {
			return r
		}
	}
	return f
}

// frequencies counts given names (by canonical form) and surnames among the records, for
// term-frequency weights: agreeing on "Smith" says less than agreeing on "Okafor".
type frequencies struct {
	given, surname map[string]int
	n              int
}

func (f *frequencies) add(r *record, nick nicknames) {
	f.n++
	if g := r.name.given; g != "" {
		f.given[nick.canonical(g)]++
	}
	if s := r.name.surname; s != "" {
		f.surname[s]++
	}
}

// remove undoes add.
func (f *frequencies) remove(r *record, nick nicknames) {
	f.n--
	if g := r.name.given; g != "" {
		f.given[nick.canonical(g)]--
	}
	if s := r.name.surname; s != "" {
		f.surname[s]--
	}
}

func (f *frequencies) u(counts map[string]int, name string) float64 {
	if f.n == 0 {
		return minFrequency
	}
	return math.Max(float64(counts[name])/float64(f.n), minFrequency)
}

// scorer compares records with the model.
type scorer struct {
	nick  nicknames
	freq  *frequencies
	areas func(string) []string
}

// forbidden reports pairs that are never one person, whatever their names: two people a
// respondent named in one interview, a respondent and someone they named, a service and
// a resident.
func forbidden(a, b *record) (string, bool) {
	if a.namedBy != "" && a.namedBy == b.namedBy && a.interview == b.interview {
		return "named by the same respondent in one interview", true
	}
	if (a.namedBy != "" && a.namedBy == b.key) || (b.namedBy != "" && b.namedBy == a.key) {
		return "a respondent and someone they named", true
	}
	if a.role != b.role {
		return "different roles", true
	}
	return "", false
}

// compare returns the weight of evidence (bits, including the prior) that a and b are one
// person, with the reasons, or ok false when they cannot be.
//
// prior is the weight of the prior odds that a is this candidate rather than anyone else
// nearby; explain asks for the reasons (the matcher asks only for the candidates it keeps).
func (s *scorer) compare(a, b *record, prior float64, explain bool) (w float64, reasons []string, ok bool) {
	if why, no := forbidden(a, b); no {
		return 0, []string{why}, false
	}
	add := func(x float64, why string) {
		w += x
		if explain {
			reasons = append(reasons, fmt.Sprintf("%s (%+.1f)", why, x))
		}
	}
	w = prior
	if explain {
		reasons = append(reasons, fmt.Sprintf("prior: one of the people nearby (%+.1f)", prior))
	}
	if a.role != "" {
		add(wRoleAgrees, "same role: "+a.role)
	}
	named := s.names(a, b, add)
	if !named && a.role == "" {
		return 0, []string{noName}, false
	}
	switch {
	case a.area == "" || b.area == "":
	case a.area == b.area:
		add(wSameArea, "same area")
	default:
		add(wNeighbourArea, "neighbouring area")
	}
	if a.ageBand != "" && b.ageBand != "" {
		switch d := ageDistance(a.ageBand, b.ageBand); {
		case d == 0:
			add(wSameAge, "same age band")
		case d == 1:
			add(wNearAge, "adjacent age band")
		default:
			add(wFarAge, "different age band")
		}
	}
	if a.household != "" && b.household != "" {
		if a.household == b.household {
			add(wSameHousehold, "same household")
		} else {
			add(wOtherHouse, "different household")
		}
	}
	for _, r := range []*record{a, b} {
		if r.name.kin != "" {
			reasons = append(reasons, "named as "+r.name.kin)
		}
	}
	return w, reasons, true
}

// names adds the name evidence and reports whether there was any name to compare.
func (s *scorer) names(a, b *record, add func(float64, string)) bool {
	ga, sa := a.name.given, a.name.surname
	gb, sb := b.name.given, b.name.surname
	// A lone word is compared as a given name and as a surname; the better reading wins.
	if a.name.single != "" || b.name.single != "" {
		single, other := a, b
		if a.name.single == "" {
			single, other = b, a
		}
		x := single.name.single
		asGiven, gwhy, gok := s.given(x, other.name.given, other.name.single, other.name.initial)
		asSurname, swhy, sok := s.surname(x, other.name.surname, other.name.single)
		switch {
		case gok && (!sok || asGiven >= asSurname):
			add(asGiven, "one name only, "+gwhy)
		case sok:
			add(asSurname, "one name only, "+swhy)
		default:
			return false
		}
		return true
	}
	any := false
	switch {
	case ga != "":
		if x, why, ok := s.given(ga, gb, "", b.name.initial); ok {
			add(x, why)
			any = true
		}
	case a.name.initial != 0 && gb != "":
		if gb[0] == a.name.initial {
			add(wInitialAgrees, "initial agrees")
		} else {
			add(wInitialDiffer, "initial differs")
		}
		any = true
	}
	if x, why, ok := s.surname(sa, sb, ""); ok {
		add(x, why)
		any = true
	}
	return any
}

// given compares a given name with another record's given name (or lone word, or
// initial); ok is false when there is nothing to compare.
func (s *scorer) given(x, other, otherSingle string, otherInitial byte) (float64, string, bool) {
	if x == "" {
		return 0, "", false
	}
	y := other
	if y == "" {
		y = otherSingle
	}
	if y == "" {
		if otherInitial == 0 {
			return 0, "", false
		}
		if x[0] == otherInitial {
			return wInitialAgrees, "initial agrees", true
		}
		return wInitialDiffer, "initial differs", true
	}
	switch {
	case x == y:
		return log2(0.85 / s.freq.u(s.freq.given, s.nick.canonical(x))), "same given name", true
	case s.nick.related(x, y):
		return wGivenNick, "nickname of the same name", true
	case jaroWinkler(x, y) >= fuzzyAt:
		return wGivenFuzzy, "given names alike", true
	}
	return wGivenDiffer, "given names differ", true
}

// surname compares a surname with another record's surname (or lone word).
func (s *scorer) surname(x, other, otherSingle string) (float64, string, bool) {
	y := other
	if y == "" {
		y = otherSingle
	}
	if x == "" || y == "" {
		return 0, "", false
	}
	switch {
	case x == y:
		return log2(0.85 / s.freq.u(s.freq.surname, x)), "same surname", true
	case jaroWinkler(x, y) >= fuzzyAt:
		return wSurnameFuzzy, "surnames alike", true
	}
	return wSurnameDiffer, "surnames differ", true
}

// jaroWinkler is the Jaro–Winkler similarity of two folded names (go-edlib).
func jaroWinkler(a, b string) float64 {
	return float64(edlib.JaroWinklerSimilarity(a, b))
}

// ageBands orders the age bands the model knows; others compare as equal or far.
var ageBands = []string{"0-15", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"}

func ageDistance(a, b string) int {
	if a == b {
		return 0
	}
	ia, ib := -1, -1
	for i, x := range ageBands {
		if x == a {
			ia = i
		}
		if x == b {
			ib = i
		}
	}
	if ia < 0 || ib < 0 {
		return 2
	}
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}
