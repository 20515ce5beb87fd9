package seed

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"kith/nodeid"
)

// pcgStream is the second PCG word: with the seed it fixes the random sequence.
const pcgStream = 0x6b697468 // "kith"

// Resident classes: how a resident takes part in the social network.
const (
	classOpen    = iota // ordinary: ties to and from anyone
	classIsolate        // no social ties at all
	classNear           // exactly one social tie
	classEnclave        // ties only inside a small closed circle
	classAlter          // a name another resident gave; perhaps a resident's duplicate
)

// Resident flags.
const (
	flagHub         = 1 << iota // connector: many KNOWS ties
	flagMaven                   // many people get information from them
	flagSales                   // encourages many others
	flagAuthority               // holds an authority role
	flagFriendsOnly             // finds out what's going on only from friends
)

// resident is a Person while the graph is generated. Residents are stored in street
// order: households are consecutive and so are the areas.
type resident struct {
	area    int32 // the area they live in
	hhStart int32 // the first member of their household
	link    int32 // alters: the resident they may be; enclave members: the first member
	hhSize  uint8
	hh      uint8 // household type
	age     uint8 // age band
	class   uint8
	flags   uint8
	first   uint8 // index into firstNames
	last    uint8 // index into surnames
	role    uint8 // index into roleNames
	circle  uint8 // enclave size
}

// pool lists what residents of one populated area can reach locally.
type pool struct {
	open, mavens, staff             []int32 // resident ordinals
	places, groups, orgs, strangers []int   // plan indexes, including those of enclosing areas
	placeCum, groupCum              []float64
}

// builder generates one community from a plan. Residents are addressed by ordinal;
// their node index is personBase plus the ordinal.
type builder struct {
	p     *plan
	rng   *rand.Rand
	g     *Graph
	edges []edge
	props map[propKey]map[string]any

	waveIDs       []any   // Wave node ids, wave 1 first
	areaNode      []int32 // node index of each area in the plan, and so on
	interestNode  []int32
	orgNode       []int32
	placeNode     []int32
	groupNode     []int32
	strangerNode  []int32
	interestIndex map[string]int
	personBase    int32

	people    []resident
	ranges    [][2]int32 // residents of each area: ordinals [lo, hi)
	populated []int      // areas with residents, in order
	under     [][]int    // populated areas inside each area (itself included)
	pools     []pool     // per area
	open      []int32    // every open resident
	authority []int32    // every authority resident
	members   [][]int32  // open members of each group in the current wave
	adjStart  []int32    // KNOWS neighbours of resident i: adj[adjStart[i]:adjStart[i+1]]
	adj       []int32
	blocked   []bool // first*len(surnames)+last: a well-known person's name
	names     map[string]bool
	giftCount int
}

// generate builds the community a plan describes, drawing from rng.
func generate(p *plan, rng *rand.Rand) *Graph {
	b := newBuilder(p, rng)
	b.addPlaceNodes()
	b.addResidents()
	b.addTies()
	b.addRunBy()
	return b.finish()
}

// addRunBy ties each group to the organisation that runs it. It comes after every other
// draw, so the rest of a plan's community is the same with or without these ties.
func (b *builder) addRunBy() {
	for i, gr := range b.p.groups {
		for j, o := range b.p.orgs {
			if gr.runBy != "" && o.key == gr.runBy {
				b.add(runBy, 0, b.groupNode[i], b.orgNode[j], 0, 0)
			}
		}
	}
}

func newBuilder(p *plan, rng *rand.Rand) *builder {
	residents := p.alters
	for _, a := range p.areas {
		residents += a.residents
	}
	fixed := len(p.waves) + len(p.areas) + len(interests) + len(p.orgs) + len(p.places) +
		len(p.groups) + len(p.strangers)
	b := &builder{
		p:       p,
		rng:     rng,
		g:       &Graph{Nodes: make([]Node, 0, fixed+residents+residents/4+16)},
		edges:   make([]edge, 0, 3*fixed+residents*15*len(p.waves)+64),
		props:   make(map[propKey]map[string]any),
		people:  make([]resident, 0, residents),
		ranges:  make([][2]int32, len(p.areas)),
		blocked: blockedPairs(),
	}
	if p.uniqueNames {
		b.names = make(map[string]bool, residents)
	}
	return b
}

func blockedPairs() []bool {
	blocked := make([]bool, len(firstNames)*len(surnames))
	for _, name := range blockedNames {
		first, last, _ := strings.Cut(name, " ")
		for i, f := range firstNames {
			for j, s := range surnames {
				if f == first && s == last {
					blocked[i*len(surnames)+j] = true
				}
			}
		}
	}
	return blocked
}

// addNode appends a node and returns its index.
func (b *builder) addNode(label, externalID string, props map[string]any) int32 {
	if len(b.g.Nodes) >= maxNodes {
		panic("seed: too many nodes")
	}
	props["externalId"] = externalID
	b.g.Nodes = append(b.g.Nodes, Node{Label: label, ID: nodeid.FromKey(label, externalID), Props: props})
	return int32(len(b.g.Nodes) - 1)
}

// addPlaceNodes adds the waves, areas, interests, organisations, places, groups and
// familiar strangers with the ties that place them.
func (b *builder) addPlaceNodes() {
	for _, w := range b.p.waves {
		i := b.addNode(labelWave, w.key, map[string]any{
			"name": w.name, "collectedOn": w.collectedOn.Format(time.DateOnly)})
		b.waveIDs = append(b.waveIDs, b.g.Nodes[i].ID)
	}
	b.addAreas()
	b.interestIndex = make(map[string]int, len(interests))
	for i, in := range interests {
		b.interestIndex[in.name] = i
		key := b.p.prefix + "-interest-" + strings.ReplaceAll(in.name, " ", "-")
		b.interestNode = append(b.interestNode, b.addNode(labelInterest, key, map[string]any{"name": in.name}))
	}
	b.addOrgs()
	b.addPlaces()
	b.addGroups()
	b.addStrangers()
}

func (b *builder) addAreas() {
	b.under = make([][]int, len(b.p.areas))
	for i, a := range b.p.areas {
		b.areaNode = append(b.areaNode, b.addNode(labelArea, a.key, map[string]any{"name": a.name}))
		if a.residents > 0 {
			b.populated = append(b.populated, i)
			for x := i; x >= 0; x = b.p.areas[x].parent {
				b.under[x] = append(b.under[x], i)
			}
		}
	}
	for i, a := range b.p.areas {
		if a.parent >= 0 {
			b.add(in, 0, b.areaNode[i], b.areaNode[a.parent], 0, 0)
		}
	}
	b.pools = make([]pool, len(b.p.areas))
}

func (b *builder) addOrgs() {
	for i, o := range b.p.orgs {
		n := b.addNode(labelOrganisation, o.key, map[string]any{
			"name": o.name, "sector": o.kind.sector, "isAuthority": o.kind.authority, "public": o.public})
		b.orgNode = append(b.orgNode, n)
		b.add(in, 0, n, b.areaNode[o.area], 0, 0)
		for _, a := range b.served(o.area) {
			b.pools[a].orgs = append(b.pools[a].orgs, i)
		}
	}
}

func (b *builder) addPlaces() {
	for i, pl := range b.p.places {
		n := b.addNode(labelPlace, pl.key, map[string]any{
			"name": pl.name, "kind": pl.kind.kind, "category": pl.kind.category, "public": pl.public})
		b.placeNode = append(b.placeNode, n)
		b.add(in, 0, n, b.areaNode[pl.area], 0, 0)
		for _, a := range b.served(pl.area) {
			p := &b.pools[a]
			p.places = append(p.places, i)
			p.placeCum = appendCum(p.placeCum, pl.kind.weight*nearness(a, pl.area))
		}
	}
}

func (b *builder) addGroups() {
	b.members = make([][]int32, len(b.p.groups))
	for i, gr := range b.p.groups {
		n := b.addNode(labelGroup, gr.key, map[string]any{
			"name": gr.name, "activity": gr.kind.activity, "openness": gr.kind.openness,
			"sensitive": gr.kind.sensitive, "public": gr.public})
		b.groupNode = append(b.groupNode, n)
		b.add(in, 0, n, b.areaNode[gr.area], 0, 0)
		if gr.place >= 0 {
			b.add(meetsAt, 0, n, b.placeNode[gr.place], 0, 0)
		}
		for _, name := range gr.kind.interests {
			b.add(interestedIn, 0, n, b.interestNode[b.interestIndex[name]], 0, 0)
		}
		if i == b.p.forming {
			continue // nobody can join it before it forms
		}
		for _, a := range b.served(gr.area) {
			p := &b.pools[a]
			p.groups = append(p.groups, i)
			p.groupCum = appendCum(p.groupCum, gr.weight*nearness(a, gr.area))
		}
	}
}

func (b *builder) addStrangers() {
	for i, s := range b.p.strangers {
		props := map[string]any{"role": strangerRoles[s.role].role}
		if s.displayName != "" {
			props["displayName"] = s.displayName
		}
		n := b.addNode(labelFamiliarStranger, s.key, props)
		b.strangerNode = append(b.strangerNode, n)
		b.add(in, 0, n, b.areaNode[s.area], 0, 0)
		for _, a := range b.served(s.area) {
			b.pools[a].strangers = append(b.pools[a].strangers, i)
		}
	}
}

// served lists the populated areas whose residents use what is in area: those inside
// it or, in a village-wide plan, every one.
func (b *builder) served(area int) []int {
	if b.p.villageWide {
		for b.p.areas[area].parent >= 0 {
			area = b.p.areas[area].parent
		}
	}
	return b.under[area]
}

// nearness favours what is in a resident's own area over the rest of the village.
func nearness(home, area int) float64 {
	if home == area {
		return 3
	}
	return 1
}

// addResidents makes the households, sorts residents into classes, gives some of them
// roles, adds the survey alters and then the Person nodes.
func (b *builder) addResidents() {
	b.personBase = int32(len(b.g.Nodes))
	for _, a := range b.populated {
		b.addHouseholds(a, b.p.areas[a].residents)
	}
	b.classify()
	b.assignStaff()
	b.addAlters()
	b.fillPools()
	for i := range b.people {
		b.addPerson(int32(i))
	}
	for i, r := range b.people {
		if r.class != classAlter {
			b.add(livesIn, 0, b.person(int32(i)), b.areaNode[r.area], 0, 0)
		}
	}
}

func (b *builder) person(i int32) int32 { return b.personBase + i }

// addHouseholds fills an area with n residents in households.
func (b *builder) addHouseholds(area, n int) {
	lo := int32(len(b.people))
	for left := n; left > 0; {
		hh := pickIndex(b.rng, []float64{17, 27, 20, 12, 24})
		size := min(householdSize(b.rng, hh), left)
		start := int32(len(b.people))
		last := uint8(b.rng.IntN(len(surnames)))
		for k := range size {
			r := resident{area: int32(area), hhStart: start, link: -1, hhSize: uint8(size), hh: uint8(hh), last: last}
			switch {
			case k == 0:
				r.age = firstAge(b.rng, hh, size)
			case k == 1 && hh != hhSingleParent:
				r.age = b.people[start].age
			default:
				r.age = age16
			}
			if hh == hhCouple && k == 1 && b.rng.Float64() < 0.3 {
				r.last = uint8(b.rng.IntN(len(surnames)))
			}
			r.first = b.firstName(r.last)
			b.people = append(b.people, r)
		}
		left -= size
	}
	b.ranges[area] = [2]int32{lo, int32(len(b.people))}
}

func householdSize(rng *rand.Rand, hh int) int {
	switch hh {
	case hhCouple:
		return 2
	case hhFamily:
		return 2 + pickIndex(rng, []float64{5, 3, 2})
	case hhSingleParent:
		return 1 + pickIndex(rng, []float64{6, 4})
	}
	return 1
}

// firstAge draws the age band of a household's first member. Only residents aged 16
// or more are surveyed, so a household of more than its adults has children of 16-24
// and older parents.
func firstAge(rng *rand.Rand, hh, size int) uint8 {
	var w []float64
	switch {
	case hh == hhSingle:
		w = []float64{30, 45, 25}
	case hh == hhCouple:
		w = []float64{0, 30, 30, 25, 15}
	case hh == hhFamily && size == 2, hh == hhSingleParent && size == 1:
		w = []float64{15, 70, 15}
	case hh == hhFamily, hh == hhSingleParent:
		w = []float64{0, 40, 60}
	default:
		w = []float64{0, 0, 0, 45, 55}
	}
	return uint8(pickIndex(rng, w))
}

// firstName draws a first name that, with the surname, names no well-known person and,
// when names must be unique, nobody else.
func (b *builder) firstName(last uint8) uint8 {
	var first int
	for range 50 {
		first = b.rng.IntN(len(firstNames))
		if b.blocked[first*len(surnames)+int(last)] {
			continue
		}
		if b.names == nil {
			return uint8(first)
		}
		name := firstNames[first] + " " + surnames[last]
		if !b.names[name] {
			b.names[name] = true
			return uint8(first)
		}
	}
	return uint8(first)
}

// classify picks the isolates, the nearly isolated, the closed circles, the hubs, the
// mavens and the salespeople.
func (b *builder) classify() {
	n := float64(len(b.people))
	s := b.p.shares
	all := [2]int32{0, int32(len(b.people))}
	b.choose(all, int(s.isolate*n+0.5), lonelyOdds, func(i int32) { b.people[i].class = classIsolate })
	b.choose(all, int(s.near*n+0.5), lonelyOdds, func(i int32) { b.people[i].class = classNear })
	b.makeEnclaves(int(s.enclave*n + 0.5))
	for _, f := range []struct {
		share float64
		flag  uint8
	}{{s.hub, flagHub}, {s.maven, flagMaven}, {s.sales, flagSales}} {
		b.choose(all, int(f.share*n+0.5), plainOdds, func(i int32) { b.people[i].flags |= f.flag })
	}
	for i := range b.people {
		if r := &b.people[i]; r.class == classOpen && b.rng.Float64() < 0.3 {
			r.flags |= flagFriendsOnly
		}
	}
}

// lonelyOdds weights who is isolated: people living alone, single parents most.
func lonelyOdds(r *resident) float64 {
	if r.class != classOpen || r.hhSize != 1 {
		return 0
	}
	switch r.hh {
	case hhSingleParent:
		return 1
	case hhOlderAlone:
		return 0.7
	case hhSingle:
		return 0.45
	}
	return 0.3
}

// plainOdds accepts any open resident without a special part.
func plainOdds(r *resident) float64 {
	if r.class != classOpen || r.flags&^flagFriendsOnly != 0 || r.role != 0 {
		return 0
	}
	return 1
}

// choose marks up to count residents with ordinals in span, accepting each one drawn
// with probability odds(r); odds must be 0 for a resident already marked.
func (b *builder) choose(span [2]int32, count int, odds func(*resident) float64, mark func(i int32)) {
	n := int(span[1] - span[0])
	for tries := 0; count > 0 && n > 0 && tries < 50*n+1000; tries++ {
		i := span[0] + int32(b.rng.IntN(n))
		if p := odds(&b.people[i]); p > 0 && b.rng.Float64() < p {
			mark(i)
			count--
		}
	}
}

// makeEnclaves forms closed circles of three to eight residents from neighbouring
// households: they know and trust only one another.
func (b *builder) makeEnclaves(target int) {
	n := len(b.people)
	for made, tries := 0, 0; made < target && n > 0 && tries < 100*target; tries++ {
		start := int32(b.rng.IntN(n))
		end := b.circleEnd(start, 3+b.rng.IntN(3))
		if end-start < 3 {
			continue
		}
		for i := start; i < end; i++ {
			r := &b.people[i]
			r.class, r.link, r.circle = classEnclave, start, uint8(end-start)
		}
		made += int(end - start)
	}
}

// circleEnd returns the end of a run of whole open households from start, in one area,
// of at least want residents, or start if there is none.
func (b *builder) circleEnd(start int32, want int) int32 {
	if b.people[start].hhStart != start {
		return start
	}
	end := start
	for int(end-start) < want && int(end) < len(b.people) {
		h := b.people[end]
		if h.area != b.people[start].area {
			break
		}
		for i := end; i < end+int32(h.hhSize); i++ {
			if b.people[i].class != classOpen {
				return start
			}
		}
		end += int32(h.hhSize)
	}
	return end
}

// assignStaff gives organisations' roles to working-age open residents of their areas;
// authority roles make the resident an authority, and councillors are connectors too.
func (b *builder) assignStaff() {
	for o, org := range b.p.orgs {
		areas := b.under[org.area]
		for _, role := range org.kind.staff {
			if len(areas) == 0 {
				break
			}
			span := b.ranges[areas[b.rng.IntN(len(areas))]]
			var chosen int32 = -1
			b.choose(span, 1, staffOdds, func(i int32) { chosen = i })
			if chosen < 0 {
				continue
			}
			r := &b.people[chosen]
			r.role = uint8(roleIndex(role))
			if authorityRoles[role] {
				r.flags |= flagAuthority
			}
			if role == "councillor" {
				r.flags |= flagHub
			}
			b.add(worksFor, 0, b.person(chosen), b.orgNode[o], 0, 0)
		}
	}
}

func staffOdds(r *resident) float64 {
	if plainOdds(r) == 0 || r.age < age25 || r.age > age45 {
		return 0
	}
	return 1
}

func roleIndex(role string) int {
	for i, r := range roleNames {
		if r == role {
			return i
		}
	}
	panic("seed: unknown role " + role)
}

// addAlters adds Person records for names respondents gave that may be a resident
// already recorded: same first name, the surname shortened to an initial.
func (b *builder) addAlters() {
	n := len(b.people)
	if n == 0 {
		return
	}
	for range b.p.alters {
		twin := int32(b.rng.IntN(n))
		t := b.people[twin]
		b.people = append(b.people, resident{
			area: t.area, hhStart: int32(len(b.people)), link: twin, hhSize: 1,
			class: classAlter, first: t.first, last: t.last})
	}
}

// fillPools lists each populated area's open residents, and the mavens and authority
// staff its residents can reach.
func (b *builder) fillPools() {
	for i, r := range b.people {
		if r.class != classOpen {
			continue
		}
		b.pools[r.area].open = append(b.pools[r.area].open, int32(i))
		b.open = append(b.open, int32(i))
		if r.flags&flagAuthority != 0 {
			b.authority = append(b.authority, int32(i))
		}
		if r.flags&(flagMaven|flagAuthority) == 0 {
			continue
		}
		for _, a := range b.served(int(r.area)) {
			p := &b.pools[a]
			if r.flags&flagMaven != 0 {
				p.mavens = append(p.mavens, int32(i))
			}
			if r.flags&flagAuthority != 0 {
				p.staff = append(p.staff, int32(i))
			}
		}
	}
}

// addPerson adds resident i's Person node; wellbeing comes later, from their ties.
func (b *builder) addPerson(i int32) {
	r := b.people[i]
	key := b.p.prefix + "-person-" + padded(int(i)+1, b.p.personDigits)
	props := make(map[string]any, 8)
	props["pseudonym"] = pseudonym(key)
	props["isAuthority"] = r.flags&flagAuthority != 0
	if r.class == classAlter {
		props["displayName"] = firstNames[r.first] + " " + surnames[r.last][:1] + "."
	} else {
		props["displayName"] = firstNames[r.first] + " " + surnames[r.last]
		props["householdType"] = householdTypes[r.hh]
		props["ageBand"] = ageBands[r.age]
		if b.rng.Float64() < 0.4 {
			props["contact"] = "07700 900" + padded(b.rng.IntN(1000), 3)
		}
		addConsent(props, key)
	}
	if r.role != 0 {
		props["roles"] = []string{roleNames[r.role]}
	}
	b.addNode(labelPerson, key, props)
}

// consentShares are the shares of surveyed residents who consent to each purpose.
var consentShares = []struct {
	purpose string
	share   float64
}{{"Analysis", 0.9}, {"Suggestions", 0.5}, {"Contact", 0.8}, {"Wellbeing", 0.7}}

// consentGiven is when the survey recorded consent.
var consentGiven = time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)

// addConsent records a surveyed resident's consent per purpose, decided by a hash of their
// key rather than the generator's random stream, so the rest of the community is unchanged.
// Consent to contact is asked only of people who gave a contact.
func addConsent(props map[string]any, key string) {
	sum := sha256.Sum256([]byte("consent\x00" + key))
	for i, c := range consentShares {
		if c.purpose == "Contact" && props["contact"] == nil {
			continue
		}
		given := float64(sum[i])/256 < c.share
		props["consent"+c.purpose] = given
		props["consent"+c.purpose+"At"] = consentGiven
		props["consent"+c.purpose+"How"] = "survey consent form"
	}
}

// pseudonym is "R-" and six hex digits of a hash of the externalId: stable, and not the
// name.
func pseudonym(externalID string) string {
	sum := sha256.Sum256([]byte("pseudonym\x00" + externalID))
	return "R-" + strings.ToUpper(hex.EncodeToString(sum[:3]))
}

// padded formats n in decimal with at least width digits.
func padded(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}

func appendCum(cum []float64, w float64) []float64 {
	total := 0.0
	if len(cum) > 0 {
		total = cum[len(cum)-1]
	}
	return append(cum, total+w)
}
