package identity

import (
	"bufio"
	_ "embed"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

//go:embed nicknames.csv
var nicknamesCSV string

// nicknames maps a name (formal or pet) to the formal names it may stand for; a formal
// name maps to itself.
type nicknames map[string][]string

// loadNicknames reads the embedded table (nicknames.csv says where it comes from).
func loadNicknames() nicknames {
	n := nicknames{}
	sc := bufio.NewScanner(strings.NewReader(nicknamesCSV))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ",")
		formal := fold(parts[0])
		n.add(formal, formal)
		for _, nick := range parts[1:] {
			n.add(fold(nick), formal)
		}
	}
	return n
}

func (n nicknames) add(name, formal string) {
	for _, f := range n[name] {
		if f == formal {
			return
		}
	}
	n[name] = append(n[name], formal)
}

// related reports whether a and b may be the same given name through the table (Bob and
// Robert, Bob and Rob, Peggy and Margaret).
func (n nicknames) related(a, b string) bool {
	for _, fa := range n[a] {
		for _, fb := range n[b] {
			if fa == fb {
				return true
			}
		}
	}
	return false
}

// canonical is the first formal name of a given name, or the name itself: a blocking key
// that puts Bob and Robert together.
func (n nicknames) canonical(a string) string {
	if f := n[a]; len(f) > 0 {
		return f[0]
	}
	return a
}

// fold lower-cases s and removes diacritics and everything but letters, spaces, hyphens
// and apostrophes turned into nothing (O'Brien → obrien).
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	var b strings.Builder
	for _, r := range strings.ToLower(out) {
		switch {
		case unicode.IsLetter(r):
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == ',' || r == '.' || r == '/':
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// titles are forms of address; a title before one word makes it a surname.
var titles = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true,
	"doctor": true, "nurse": true, "rev": true, "reverend": true, "pc": true,
	"councillor": true, "cllr": true, "prof": true}

// kinWords are the words for relatives and neighbours a respondent puts before a name.
var kinWords = map[string]string{
	"mum": "parent", "mam": "parent", "mother": "parent", "dad": "parent", "father": "parent",
	"sister": "sibling", "brother": "sibling", "son": "child", "daughter": "child",
	"nan": "grandparent", "nana": "grandparent", "gran": "grandparent", "grandad": "grandparent", "granny": "grandparent",
	"aunt": "aunt/uncle", "auntie": "aunt/uncle", "aunty": "aunt/uncle", "uncle": "aunt/uncle",
	"cousin": "cousin", "niece": "niece/nephew", "nephew": "niece/nephew", "husband": "partner", "wife": "partner",
	"partner": "partner", "grandson": "grandchild", "granddaughter": "grandchild", "neighbour": "neighbour",
	"friend": "friend", "mate": "friend",
}

// roleWords map how services and familiar strangers are called to one role.
var roleWords = map[string]string{
	"gp": "gp", "doctor": "gp", "doctors": "gp", "dr": "gp",
	"postman": "postal worker", "postwoman": "postal worker", "postie": "postal worker",
	"nurse": "nurse", "pharmacist": "pharmacist", "chemist": "pharmacist",
	"vicar": "faith leader", "priest": "faith leader", "imam": "faith leader", "reverend": "faith leader", "rev": "faith leader",
	"councillor": "councillor", "cllr": "councillor", "shopkeeper": "shopkeeper", "lollipop": "crossing patrol",
	"caretaker": "caretaker", "warden": "warden", "librarian": "librarian", "pcso": "police", "pc": "police", "police": "police",
	"milkman": "milk delivery", "bus": "bus driver", "driver": "bus driver", "hairdresser": "hairdresser", "barber": "hairdresser",
}

// fillers are words that carry no name ("the", "next door", "lady").
var fillers = map[string]bool{"the": true, "my": true, "our": true, "a": true, "next": true, "door": true,
	"at": true, "from": true, "on": true, "down": true, "road": true, "street": true, "lady": true, "man": true,
	"woman": true, "surgery": true, "shop": true, "corner": true, "over": true, "way": true, "up": true, "of": true,
	"in": true, "old": true, "young": true, "little": true, "big": true, "and": true, "crossing": true}

// parsedName is a name as given, taken apart.
type parsedName struct {
	given, surname string
	// single is a lone word that may be either a given name or a surname.
	single string
	// initial is a given name's initial ("J Smith"), when that is all there is.
	initial byte
	title   string
	kin     string
	role    string
}

// parseName takes a name as given apart: title, kin word, role word, given name or
// initial, surname.
func parseName(raw string) parsedName {
	var p parsedName
	words := strings.Fields(fold(raw))
	var rest []string
	for i, w := range words {
		isTitle := titles[w] && i < len(words)-1 && p.title == "" && len(rest) == 0
		switch {
		case isTitle:
			p.title = w
			if r, ok := roleWords[w]; ok && (w == "dr" || w == "doctor" || w == "nurse") {
				p.role = r
			}
		case kinWords[w] != "" && len(rest) == 0:
			p.kin = kinWords[w]
		case roleWords[w] != "" && len(rest) == 0:
			p.role = roleWords[w]
		case fillers[w]:
		default:
			rest = append(rest, w)
		}
	}
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && p.title != "":
		p.surname = rest[0]
	case len(rest) == 1:
		p.single = rest[0]
	default:
		first, last := rest[0], rest[len(rest)-1]
		if len(first) == 1 {
			p.initial = first[0]
		} else {
			p.given = first
		}
		p.surname = last
	}
	return p
}
