package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Synthetic returns a generated community of about people residents with the demo's
// structure, deterministic for a given seed.
func Synthetic(people int, seed uint64) *Graph {
	rng := rand.New(rand.NewPCG(seed, pcgStream))
	return generate(syntheticPlan(max(people, 0), rng), rng)
}

// Sizes of a synthetic community: residents per area and per place, group, familiar
// stranger and organisation, and areas per district.
const (
	perArea     = 2000
	perPlace    = 60
	perGroup    = 40
	perStranger = 150
	perOrg      = 500
	perDistrict = 10
)

func syntheticPlan(people int, rng *rand.Rand) *plan {
	alters := people / 1000
	p := &plan{
		prefix:       "syn",
		personDigits: 6,
		waves: []waveSpec{
			{"syn-wave-1", "Wave 1", "door-knocking survey 2025", date(2025, time.January, 15)},
		},
		mappedOn:      date(2024, time.November, 1),
		mappingSource: "community mapping 2024",
		alters:        alters,
		shares:        shares{isolate: 0.02, near: 0.03, enclave: 0.02, hub: 0.005, maven: 0.005, sales: 0.005},
		forming:       -1,
	}
	p.areas = syntheticAreas(people - alters)
	for a := range p.areas {
		if p.areas[a].residents > 0 {
			addAmenities(p, a, rng)
		}
	}
	ensureAuthority(p)
	return p
}

// syntheticAreas makes a borough of areas of about perArea residents, grouped in
// districts when there are many.
func syntheticAreas(residents int) []areaSpec {
	leaves := max(1, (residents+perArea/2)/perArea)
	districts := 0
	if leaves > 12 {
		districts = (leaves + perDistrict - 1) / perDistrict
	}
	areas := make([]areaSpec, 0, 1+districts+leaves)
	key := func() string { return "syn-area-" + padded(len(areas), 4) }
	areas = append(areas, areaSpec{key: key(), name: "Eastmoor", parent: -1})
	for d := range districts {
		areas = append(areas, areaSpec{key: key(), name: "Eastmoor Ward " + strconv.Itoa(d+1), parent: 0})
	}
	for l := range leaves {
		parent := 0
		if districts > 0 {
			parent = 1 + l/perDistrict
		}
		n := residents / leaves
		if l < residents%leaves {
			n++
		}
		areas = append(areas, areaSpec{key: key(), name: areaName(l), parent: parent, residents: n})
	}
	return areas
}

func areaName(l int) string {
	name := areaPrefixes[l%len(areaPrefixes)] + areaSuffixes[l/len(areaPrefixes)%len(areaSuffixes)]
	if round := l / (len(areaPrefixes) * len(areaSuffixes)); round > 0 {
		name += " " + strconv.Itoa(round+1)
	}
	return name
}

// count is the number of things an area of n residents has, one per `per`, at least
// least of them.
func count(n, per, least int) int {
	return max(least, int(math.Round(float64(n)/float64(per))))
}

// addAmenities gives area a its places, groups, familiar strangers and organisations.
func addAmenities(p *plan, a int, rng *rand.Rand) {
	n, name := p.areas[a].residents, p.areas[a].name
	first := len(p.places)
	seen := make(map[string]int)
	for j := range count(n, perPlace, 1) {
		k := findPlaceKind(placeCycle[j%len(placeCycle)])
		p.places = append(p.places, placeSpec{
			key: "syn-place-" + padded(len(p.places)+1, 6), name: nthName(k.names, seen, k.category, name),
			kind: k, area: a})
	}
	for j := range count(n, perGroup, 1) {
		k := &groupKinds[(a*5+j)%len(groupKinds)]
		p.groups = append(p.groups, groupSpec{
			key: "syn-group-" + padded(len(p.groups)+1, 6), name: nthName([]string{"%s " + k.name}, seen, k.activity, name),
			kind: k, area: a, place: meetingPlace(p.places, first, k.meetsAt), weight: math.Exp(0.9 * rng.NormFloat64()),
			founded: date(1975, time.January, 1).AddDate(0, 0, rng.IntN(48*365))})
	}
	for j := range count(n, perStranger, 1) {
		role := j % len(strangerRoles)
		s := strangerSpec{key: "syn-stranger-" + padded(len(p.strangers)+1, 6), role: role, area: a}
		if rng.IntN(2) == 0 {
			s.displayName = firstNames[rng.IntN(len(firstNames))] + " the " + strangerRoles[role].role
		}
		p.strangers = append(p.strangers, s)
	}
	for j := range count(n, perOrg, 0) {
		addOrg(p, &orgCycle[(a*3+j)%len(orgCycle)], a)
	}
}

func addOrg(p *plan, k *orgKind, a int) {
	p.orgs = append(p.orgs, orgSpec{
		key: "syn-org-" + padded(len(p.orgs)+1, 6), name: fmt.Sprintf(k.name, p.areas[a].name), kind: k, area: a})
}

// nthName names the next thing of a category in an area from the category's name
// patterns, numbering repeats.
func nthName(patterns []string, seen map[string]int, category, area string) string {
	n := seen[category]
	seen[category]++
	name := fmt.Sprintf(patterns[n%len(patterns)], area)
	if n >= len(patterns) {
		name += " " + strconv.Itoa(n/len(patterns)+1)
	}
	return name
}

// meetingPlace returns the first of the area's places (from index first) of the
// category, else its community hub, else its first place.
func meetingPlace(places []placeSpec, first int, category string) int {
	for _, c := range []string{category, "community hub"} {
		for i := first; i < len(places); i++ {
			if places[i].kind.category == c {
				return i
			}
		}
	}
	return first
}

// ensureAuthority gives a small community a neighbourhood office if it has no
// authority organisation, so that some residents have a route to authority.
func ensureAuthority(p *plan) {
	for _, o := range p.orgs {
		if o.kind.authority {
			return
		}
	}
	for a, area := range p.areas {
		if area.residents > 0 {
			addOrg(p, &orgCycle[2], a)
			return
		}
	}
}
