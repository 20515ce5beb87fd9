// Package gensurvey generates a door-knocking survey with its ground truth, for measuring
// the identity matcher: respondents, the people they name as a doorstep gives them
// (typos, nicknames, initials, surname only, first name only, title and surname, kin
// words, services by role, changed surnames, spelling variants of non-English names), and
// which person each mention really is. The same seed gives the same survey.
package gensurvey

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"kith/identity"
)

// Survey is a generated survey and its truth.
type Survey struct {
	// Mentions are the respondents (NamedBy "") and the people they named, interview by
	// interview.
	Mentions []identity.Mention
	// Truth maps each mention's source key to the person it really is.
	Truth map[string]string
	// Neighbours maps each street to the other streets of its neighbourhood.
	Neighbours map[string][]string
	// People is how many people live in the generated neighbourhoods.
	People int
}

const (
	householdsPerStreet = 40
	streetsPerHood      = 8
)

type person struct {
	id, given, surname, maiden, street, household, ageBand, role string
	female                                                       bool
	hood                                                         int
}

// Generate makes a survey of the given number of respondents, each naming about 15
// people, from seed.
func Generate(seed uint64, respondents int) *Survey {
	g := &gen{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	return g.survey(respondents)
}

type gen struct {
	rnd    *rand.Rand
	people []*person
	// byStreet, byHood, byHousehold index people.
	byStreet    map[string][]*person
	byHood      map[int][]*person
	byHousehold map[string][]*person
	services    map[int][]*person
}

func (g *gen) pick(l []string) string { return l[g.rnd.IntN(len(l))] }

// zipf picks from l with weights falling as 1/(i+8): the first is about 3% of a list of
// 100, as Smith is of English surnames.
func (g *gen) zipf(l []string) string {
	total := 0.0
	for i := range l {
		total += 1 / float64(i+8)
	}
	x := g.rnd.Float64() * total
	for i := range l {
		x -= 1 / float64(i+8)
		if x <= 0 {
			return l[i]
		}
	}
	return l[len(l)-1]
}

func streetID(hood, s int) string { return fmt.Sprintf("street_%d_%d", hood, s) }

func (g *gen) survey(respondents int) *Survey {
	// Each household has about 2.5 people and every other household gives an interview.
	households := respondents * 2
	streets := (households + householdsPerStreet - 1) / householdsPerStreet
	hoods := (streets + streetsPerHood - 1) / streetsPerHood
	g.byStreet, g.byHood, g.byHousehold, g.services = map[string][]*person{}, map[int][]*person{}, map[string][]*person{}, map[int][]*person{}
	s := &Survey{Truth: map[string]string{}, Neighbours: map[string][]string{}}
	for h := 0; h < hoods; h++ {
		for i := 0; i < streetsPerHood; i++ {
			for j := 0; j < streetsPerHood; j++ {
				if i != j {
					s.Neighbours[streetID(h, i)] = append(s.Neighbours[streetID(h, i)], streetID(h, j))
				}
			}
		}
	}
	for hh := 0; hh < households; hh++ {
		st := hh / householdsPerStreet
		g.household(fmt.Sprintf("hh%d", hh), st/streetsPerHood, streetID(st/streetsPerHood, st%streetsPerHood))
	}
	for h := 0; h < hoods; h++ {
		g.addServices(h)
	}
	s.People = len(g.people)
	// Respondents: one adult of a random household each.
	order := g.rnd.Perm(households)[:respondents]
	for i, hh := range order {
		members := g.byHousehold[fmt.Sprintf("hh%d", hh)]
		r := members[g.rnd.IntN(len(members))]
		iv := fmt.Sprintf("iv%d", i)
		rk := iv + "/ego"
		s.add(identity.Mention{SourceKey: rk, Name: r.given + " " + r.surname, AreaID: r.street, AgeBand: r.ageBand,
			Household: r.household, InterviewID: iv}, r.id)
		named := map[string]bool{r.id: true}
		n := 10 + g.rnd.IntN(11)
		for k := 0; k < n; k++ {
			a, rel := g.alter(r)
			if a == nil || named[a.id] {
				continue
			}
			named[a.id] = true
			m := g.mention(r, a, rel)
			m.SourceKey = fmt.Sprintf("%s/alter%d", iv, k)
			m.NamedBy, m.InterviewID = rk, iv
			m.NameGenerator = g.pick([]string{"help", "advice", "news", "encourage"})
			s.add(m, a.id)
		}
	}
	return s
}

func (s *Survey) add(m identity.Mention, truth string) {
	s.Mentions = append(s.Mentions, m)
	s.Truth[m.SourceKey] = truth
}

func (g *gen) newPerson(p *person) *person {
	p.id = fmt.Sprintf("p%d", len(g.people))
	g.people = append(g.people, p)
	g.byStreet[p.street] = append(g.byStreet[p.street], p)
	g.byHood[p.hood] = append(g.byHood[p.hood], p)
	if p.household != "" {
		g.byHousehold[p.household] = append(g.byHousehold[p.household], p)
	}
	return p
}

// household makes 1 to 4 people who mostly share a surname; a few names come from
// communities whose names English records spell several ways.
func (g *gen) household(id string, hood int, street string) {
	surname := g.zipf(englishSurnames)
	if g.rnd.Float64() < 0.25 {
		surname = otherSurnames[g.rnd.IntN(len(otherSurnames))][0]
	}
	size := 1 + g.rnd.IntN(4)
	for i := 0; i < size; i++ {
		female := g.rnd.IntN(2) == 0
		p := &person{surname: surname, street: street, household: id, hood: hood, female: female}
		p.given = g.givenName(female, surname)
		if i < 2 {
			p.ageBand = ageBands[2+g.rnd.IntN(6)]
		} else {
			p.ageBand = ageBands[g.rnd.IntN(3)]
		}
		// A married woman may be named by her maiden name by those who knew her before.
		if female && i == 1 && g.rnd.Float64() < 0.5 {
			p.maiden = g.zipf(englishSurnames)
		}
		g.newPerson(p)
	}
}

func (g *gen) givenName(female bool, surname string) string {
	for _, o := range otherSurnames {
		if o[0] == surname {
			if female {
				return g.pick(otherGivenF)
			}
			return g.pick(otherGivenM)
		}
	}
	if female {
		return g.zipf(givenF)
	}
	return g.zipf(givenM)
}

// addServices puts a surgery of one to three GPs, a postman, a shopkeeper and a vicar in
// each neighbourhood.
func (g *gen) addServices(hood int) {
	add := func(role string) {
		p := &person{surname: g.zipf(append(append([]string{}, englishSurnames...), "Patel", "Khan", "Okafor")), street: streetID(hood, g.rnd.IntN(streetsPerHood)),
			hood: hood, role: role, female: g.rnd.IntN(2) == 0, ageBand: ageBands[3+g.rnd.IntN(3)]}
		p.given = g.givenName(p.female, "")
		g.services[hood] = append(g.services[hood], g.newPerson(p))
	}
	for i := 0; i <= g.rnd.IntN(3); i++ {
		add("GP")
	}
	add("postman")
	add("shopkeeper")
	add("vicar")
}

// alter picks someone r names: household and kin, neighbours in the street, people in the
// neighbourhood, or a service.
func (g *gen) alter(r *person) (*person, string) {
	x := g.rnd.Float64()
	switch {
	case x < 0.15:
		hh := g.byHousehold[r.household]
		a := hh[g.rnd.IntN(len(hh))]
		if a == r {
			return nil, ""
		}
		return a, "kin"
	case x < 0.55:
		st := g.byStreet[r.street]
		return st[g.rnd.IntN(len(st))], "street"
	case x < 0.9:
		h := g.byHood[r.hood]
		return h[g.rnd.IntN(len(h))], "hood"
	}
	sv := g.services[r.hood]
	return sv[g.rnd.IntN(len(sv))], "service"
}

// mention is how r names a at the door.
func (g *gen) mention(r, a *person, rel string) identity.Mention {
	m := identity.Mention{AreaID: a.street}
	if a.role != "" {
		m.Role = a.role
		switch x := g.rnd.Float64(); {
		case a.role == "GP" && x < 0.4:
			m.Name = "Dr " + g.spell(a.surname)
		case a.role == "GP" && x < 0.7:
			m.Name = g.pick([]string{"the GP", "the doctor", "my doctor"})
		case x < 0.5:
			m.Name = a.given + " the " + a.role
		default:
			m.Name = "the " + a.role
		}
		return m
	}
	if g.rnd.Float64() < 0.15 && a.street != r.street {
		m.AreaID = r.street // the respondent gives their own street
	}
	switch x := g.rnd.Float64(); {
	case x < 0.6:
		m.AgeBand = a.ageBand
	case x < 0.7:
		m.AgeBand = near(a.ageBand)
	}
	surname := a.surname
	if a.maiden != "" && g.rnd.Float64() < 0.3 {
		surname = a.maiden
	}
	surname = g.spell(surname)
	given := a.given
	if rel == "kin" {
		m.Household = r.household
		if g.rnd.Float64() < 0.6 {
			m.Name = g.pick(kinWord(a, r)) + " " + g.nick(given)
			return m
		}
	}
	switch x := g.rnd.Float64(); {
	case x < 0.30:
		m.Name = given + " " + surname
	case x < 0.42:
		m.Name = g.nick(given) + " " + surname
	case x < 0.52:
		m.Name = g.typo(given) + " " + g.typo(surname)
	case x < 0.60:
		m.Name = given[:1] + " " + surname
	case x < 0.72:
		t := "Mr"
		if a.female {
			t = g.pick([]string{"Mrs", "Ms", "Miss"})
		}
		m.Name = t + " " + surname
	case x < 0.76:
		m.Name = surname
	case x < 0.90:
		m.Name = g.nick(given)
		if rel == "street" && g.rnd.IntN(2) == 0 {
			m.Name += " next door"
			m.AreaID = r.street
		}
	default:
		m.Name = strings.ToLower(given + " " + surname)
	}
	return m
}

func kinWord(a, r *person) []string {
	switch {
	case a.ageBand < "25" && r.ageBand > "34":
		if a.female {
			return []string{"my daughter"}
		}
		return []string{"my son"}
	case a.female:
		return []string{"my sister", "my wife", "my partner"}
	}
	return []string{"my brother", "my husband", "my partner"}
}

// spell writes a name as a respondent or interviewer might: a non-English name in one of
// its English spellings.
func (g *gen) spell(name string) string {
	for _, o := range otherSurnames {
		if o[0] == name {
			return g.pick(o)
		}
	}
	return name
}

// nick is a given name or one of its pet forms.
func (g *gen) nick(given string) string {
	if n, ok := nicks[given]; ok && g.rnd.IntN(2) == 0 {
		return g.pick(n)
	}
	return given
}

// typo swaps, drops or doubles a letter of a name longer than four letters, half of the
// time.
func (g *gen) typo(s string) string {
	b := []rune(s)
	if len(b) < 5 || g.rnd.IntN(2) == 0 {
		return s
	}
	i := 1 + g.rnd.IntN(len(b)-2)
	switch g.rnd.IntN(3) {
	case 0:
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	case 1:
		return string(b[:i]) + string(b[i+1:])
	}
	return string(b[:i]) + string(b[i]) + string(b[i:])
}

var ageBands = []string{"0-15", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"}

func near(b string) string {
	for i, x := range ageBands {
		if x == b {
			if i+1 < len(ageBands) {
				return ageBands[i+1]
			}
			return ageBands[i-1]
		}
	}
	return b
}
