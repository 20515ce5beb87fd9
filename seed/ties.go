package seed

import (
	"slices"
	"time"
)

// fieldDays is how many days a survey wave, or a round of mapping, takes.
const fieldDays = 14

// add records a tie between node indexes, drawing the day it was recorded. A KNOWS tie
// always runs from the lower index, so each pair of people has one.
func (b *builder) add(k kind, wave uint8, from, to int32, attr uint8, extra uint16) {
	if from == to {
		return
	}
	if k == knows && from > to {
		from, to = to, from
	}
	b.edges = append(b.edges, newEdge(k, wave, from, to, attr, uint8(b.rng.IntN(fieldDays)), extra))
}

// knows records that residents i and j know each other.
func (b *builder) knows(wave uint8, i, j int32, attr uint8) {
	b.add(knows, wave, b.person(i), b.person(j), attr, 0)
}

// addTies generates the ties of wave 1, the ties outside waves and, if the plan has a
// second wave, the changes that wave records.
func (b *builder) addTies() {
	b.addMemberships(1)
	b.addKnows(1)
	b.buildAdjacency()
	b.addTrusts(1)
	b.addInfo(1)
	b.addEncouragement(1)
	b.addUses(1)
	b.addInterests(1)
	b.addGifts()
	b.addSees()
	b.addNearTies(1)
	b.addAlterTies(1)
	if len(b.p.waves) > 1 {
		b.addSecondWave()
	}
}

// addMemberships has residents join groups, mostly in their own area, with a heavy
// tail: most people belong to nothing or one group, a few to many.
func (b *builder) addMemberships(wave uint8) {
	for i := range b.people {
		r := &b.people[i]
		if r.class != classOpen && r.class != classEnclave {
			continue
		}
		for range b.membershipCount(r) {
			g, ok := b.pickGroup(b.nearbyArea(int(r.area)), int32(i))
			if !ok {
				continue
			}
			role := uint8(member)
			if b.rng.Float64() < 0.1 {
				role = volunteer
			}
			b.join(wave, int32(i), g, role)
		}
	}
	for g := range b.p.groups {
		if g != b.p.forming {
			b.addOrganiser(wave, g)
		}
	}
}

// membershipCount draws how many groups a resident joins: none for many, more for
// connectors, fewer for single parents and older people living alone.
func (b *builder) membershipCount(r *resident) int {
	none := 0.3
	switch {
	case r.class == classEnclave:
		none = 0.75
	case r.flags&flagHub != 0:
		none = 0.05
	case r.hh == hhSingleParent:
		none = 0.7
	case r.hh == hhOlderAlone:
		none = 0.5
	}
	if b.rng.Float64() < none {
		return 0
	}
	if r.class == classEnclave {
		return 1
	}
	n := 1
	for n < 8 && b.rng.Float64() < 0.38 {
		n++
	}
	if r.flags&flagHub != 0 {
		n += 2
	}
	return n
}

// nearbyArea is usually the area itself, sometimes the next one along.
func (b *builder) nearbyArea(area int) int {
	if len(b.populated) < 2 || b.rng.Float64() >= 0.15 {
		return area
	}
	i, _ := slices.BinarySearch(b.populated, area)
	if i+1 < len(b.populated) && (i == 0 || b.rng.IntN(2) == 0) {
		return b.populated[i+1]
	}
	return b.populated[i-1]
}

// pickGroup draws a group of the area, by popularity, that would have resident i.
func (b *builder) pickGroup(area int, i int32) (int, bool) {
	p := &b.pools[area]
	if len(p.groups) == 0 {
		return 0, false
	}
	for range 4 {
		g := p.groups[pickWeighted(b.rng, p.groupCum)]
		if b.fits(b.p.groups[g].kind.audience, i) {
			return g, true
		}
	}
	return 0, false
}

// fits reports whether resident i belongs to a group's audience.
func (b *builder) fits(audience int, i int32) bool {
	r := b.people[i]
	switch audience {
	case parents:
		parent := (r.hh == hhSingleParent && i == r.hhStart) || (r.hh == hhFamily && i-r.hhStart < 2)
		return parent && r.age <= age25
	case olderPeople:
		return r.age >= age65
	}
	return true
}

// join makes resident i a member of group g; members often share the group's interest
// and use the place where it meets.
func (b *builder) join(wave uint8, i int32, g int, role uint8) {
	gr := b.p.groups[g]
	b.add(memberOf, wave, b.person(i), b.groupNode[g], role, b.since(wave, gr.founded))
	if b.people[i].class == classOpen {
		b.members[g] = append(b.members[g], i)
	}
	if len(gr.kind.interests) > 0 && b.rng.Float64() < 0.4 {
		in := b.interestIndex[gr.kind.interests[b.rng.IntN(len(gr.kind.interests))]]
		b.add(interestedIn, wave, b.person(i), b.interestNode[in], 0, 0)
	}
	if gr.place >= 0 && b.rng.Float64() < 0.35 {
		b.add(uses, wave, b.person(i), b.placeNode[gr.place], weekly, 0)
	}
}

// since draws the month a member joined, as months since January 1970: after the
// group was founded (or 1980) and before the month of the wave. People remember the
// month, not the day, so "since" is the first of the month.
func (b *builder) since(wave uint8, founded time.Time) uint16 {
	lo := max(months(founded), months(date(1980, time.January, 1)))
	hi := months(b.p.waves[wave-1].collectedOn)
	if hi <= lo {
		return uint16(lo)
	}
	return uint16(lo + b.rng.IntN(hi-lo))
}

// months counts the months from January 1970 to t's month.
func months(t time.Time) int {
	return (t.Year()-1970)*12 + int(t.Month()) - 1
}

// addOrganiser makes one member of group g, preferably a connector, its organiser, or
// an open resident of its area if it has no members. It returns the organiser, or -1.
func (b *builder) addOrganiser(wave uint8, g int) int32 {
	ms := b.members[g]
	o := int32(-1)
	if len(ms) > 0 {
		o = ms[b.rng.IntN(len(ms))]
		for _, m := range ms[:min(len(ms), 12)] {
			if b.people[m].flags&flagHub != 0 {
				o = m
				break
			}
		}
	} else if areas := b.under[b.p.groups[g].area]; len(areas) > 0 {
		open := b.pools[areas[b.rng.IntN(len(areas))]].open
		if len(open) > 0 {
			o = open[b.rng.IntN(len(open))]
			b.members[g] = append(b.members[g], o)
		}
	}
	if o >= 0 {
		gr := b.p.groups[g]
		b.add(memberOf, wave, b.person(o), b.groupNode[g], organiser, b.since(wave, gr.founded))
	}
	return o
}

// addTrusts records whom residents go to for help, advice or support: mostly people
// they know, sometimes a councillor, GP or other authority, an organisation or a
// familiar stranger. The closed circles trust only their own.
func (b *builder) addTrusts(wave uint8) {
	for i, r := range b.people {
		u := int32(i)
		switch r.class {
		case classOpen:
			lambda := 2.3
			if r.hh == hhSingleParent {
				lambda = 1.2
			}
			for range poisson(b.rng, lambda) {
				if to, ok := b.trustee(u); ok {
					b.add(trusts, wave, b.person(u), to, uint8(pickIndex(b.rng, []float64{4, 3, 3})), 0)
				}
			}
		case classEnclave:
			for range 1 + b.rng.IntN(2) {
				v := r.link + int32(b.rng.IntN(int(r.circle)))
				b.add(trusts, wave, b.person(u), b.person(v), uint8(b.rng.IntN(3)), 0)
			}
		}
	}
}

// trustee draws the node an open resident trusts.
func (b *builder) trustee(u int32) (int32, bool) {
	p := &b.pools[b.people[u].area]
	switch x := b.rng.Float64(); {
	case x < 0.6:
		if v, ok := b.friend(u); ok {
			return b.person(v), true
		}
	case x < 0.72:
		v, ok := pickFrom(b.rng, p.staff)
		if !ok {
			v, ok = pickFrom(b.rng, b.authority)
		}
		if ok {
			return b.person(v), true
		}
	case x < 0.86:
		if o, ok := pickFrom(b.rng, p.orgs); ok {
			return b.orgNode[o], true
		}
	default:
		if s, ok := pickFrom(b.rng, p.strangers); ok {
			return b.strangerNode[s], true
		}
	}
	return 0, false
}

// addInfo records where residents find out what's going on: some only from friends,
// the rest from mavens, places (the online group, the hub, the library...), groups,
// organisations and familiar strangers.
func (b *builder) addInfo(wave uint8) {
	for i, r := range b.people {
		u := int32(i)
		var n int
		switch r.class {
		case classOpen:
			n = poisson(b.rng, 1.7)
		case classEnclave:
			n = poisson(b.rng, 0.8)
		}
		for range n {
			if to, ok := b.informant(u); ok {
				b.add(getsInfoFrom, wave, b.person(u), to, 0, 0)
			}
		}
	}
}

// informant draws the node a resident gets information from.
func (b *builder) informant(u int32) (int32, bool) {
	r := b.people[u]
	p := &b.pools[r.area]
	x := b.rng.Float64()
	if r.class == classEnclave {
		x = 0.35 + 0.5*x // no people: places, groups, organisations, strangers
	}
	if r.flags&flagFriendsOnly != 0 {
		x = 1
	}
	switch {
	case x < 0.32:
		if v, ok := pickFrom(b.rng, p.mavens); ok {
			return b.person(v), true
		}
	case x < 0.57:
		if len(p.places) > 0 {
			return b.placeNode[p.places[pickWeighted(b.rng, p.placeCum)]], true
		}
	case x < 0.67:
		if len(p.groups) > 0 {
			return b.groupNode[p.groups[pickWeighted(b.rng, p.groupCum)]], true
		}
	case x < 0.79:
		if o, ok := pickFrom(b.rng, p.orgs); ok {
			return b.orgNode[o], true
		}
	case x < 0.85:
		if s, ok := pickFrom(b.rng, p.strangers); ok {
			return b.strangerNode[s], true
		}
	default:
		if v, ok := b.friend(u); ok {
			return b.person(v), true
		}
	}
	return 0, false
}

// addEncouragement records who gets whom to try things: salespeople encourage twelve to
// thirty people, others now and then encourage a friend.
func (b *builder) addEncouragement(wave uint8) {
	for i, r := range b.people {
		u := int32(i)
		switch {
		case r.class == classOpen && r.flags&flagSales != 0:
			local := b.pools[r.area].open
			for range 12 + b.rng.IntN(19) {
				v, ok := b.friend(u)
				if !ok || b.rng.Float64() < 0.7 {
					v = local[b.rng.IntN(len(local))]
				}
				b.add(encourages, wave, b.person(u), b.person(v), 0, 0)
			}
		case r.class == classOpen && b.rng.Float64() < 0.2:
			if v, ok := b.friend(u); ok {
				b.add(encourages, wave, b.person(u), b.person(v), 0, 0)
			}
		case r.class == classEnclave && b.rng.Float64() < 0.3:
			v := r.link + int32(b.rng.IntN(int(r.circle)))
			b.add(encourages, wave, b.person(u), b.person(v), 0, 0)
		}
	}
}

// addUses records the places residents use, and how often; even isolated people go to
// the shop or the park now and then.
func (b *builder) addUses(wave uint8) {
	for i, r := range b.people {
		p := &b.pools[r.area]
		if len(p.places) == 0 {
			continue
		}
		var n int
		switch r.class {
		case classOpen:
			n = poisson(b.rng, 1.3)
		case classEnclave:
			n = poisson(b.rng, 1)
		case classNear:
			n = poisson(b.rng, 0.5)
		case classIsolate:
			n = b.rng.IntN(2)
		}
		for range n {
			pl := p.places[pickWeighted(b.rng, p.placeCum)]
			freq := uint8(pickIndex(b.rng, []float64{15, 45, 25, 15}))
			if r.class == classIsolate {
				freq = rarely
			}
			b.add(uses, wave, b.person(int32(i)), b.placeNode[pl], freq, 0)
		}
	}
}

// addInterests records residents' interests, the popular ones most often.
func (b *builder) addInterests(wave uint8) {
	cum := make([]float64, 0, len(interests))
	for _, in := range interests {
		cum = appendCum(cum, in.weight)
	}
	for i, r := range b.people {
		if r.class == classAlter {
			continue
		}
		for range poisson(b.rng, 0.9) {
			b.add(interestedIn, wave, b.person(int32(i)), b.interestNode[pickWeighted(b.rng, cum)], 0, 0)
		}
	}
}

// addGifts gives about one resident in five a gift of the head, heart or hands, each
// its own Gift node.
func (b *builder) addGifts() {
	for i, r := range b.people {
		if r.class == classAlter || b.rng.Float64() >= 0.2 {
			continue
		}
		for range 1 + pickIndex(b.rng, []float64{85, 15}) {
			g := &gifts[b.rng.IntN(len(gifts))]
			b.giftCount++
			key := b.p.prefix + "-gift-" + padded(b.giftCount, b.p.personDigits)
			n := b.addNode(labelGift, key, map[string]any{
				"kind": g.kind, "description": g.descriptions[b.rng.IntN(len(g.descriptions))]})
			b.add(offers, 0, b.person(int32(i)), n, 0, 0)
		}
	}
}

// addSees records which familiar strangers see which residents. Everyone isolated or
// nearly so is seen by one, the postman if there is one: often their only contact.
func (b *builder) addSees() {
	for i, r := range b.people {
		p := &b.pools[r.area]
		if r.class == classAlter || len(p.strangers) == 0 {
			continue
		}
		lonely := r.class == classIsolate || r.class == classNear
		if !lonely && b.rng.Float64() >= 0.4 {
			continue
		}
		s := p.strangers[b.rng.IntN(len(p.strangers))]
		for try := 0; lonely && try < 4 && b.p.strangers[s].role != 0; try++ {
			s = p.strangers[b.rng.IntN(len(p.strangers))]
		}
		freq := strangerRoles[b.p.strangers[s].role].frequency
		if b.rng.Float64() < 0.3 {
			freq = min(freq+1, rarely)
		}
		b.add(sees, 0, b.strangerNode[s], b.person(int32(i)), freq, 0)
	}
}

// addNearTies gives each nearly isolated resident their one tie: a relative they know,
// someone (or the postman) they trust, a place they hear news from, or a group.
func (b *builder) addNearTies(wave uint8) {
	for i, r := range b.people {
		if r.class != classNear {
			continue
		}
		u, p := b.person(int32(i)), &b.pools[r.area]
		v, hasNeighbour := pickFrom(b.rng, p.open)
		switch x := b.rng.Float64(); {
		case x < 0.3 && hasNeighbour:
			b.add(knows, wave, u, b.person(v), strong, 0)
		case x < 0.5 && len(p.strangers) > 0 && b.rng.IntN(2) == 0:
			b.add(trusts, wave, u, b.strangerNode[p.strangers[0]], 0, 0)
		case x < 0.5 && hasNeighbour:
			b.add(trusts, wave, u, b.person(v), 0, 0)
		case x < 0.8 && len(p.places) > 0:
			b.add(getsInfoFrom, wave, u, b.placeNode[p.places[pickWeighted(b.rng, p.placeCum)]], 0, 0)
		case len(p.groups) > 0:
			g := p.groups[pickWeighted(b.rng, p.groupCum)]
			b.add(memberOf, wave, u, b.groupNode[g], member, b.since(wave, b.p.groups[g].founded))
		}
	}
}

// addAlterTies has an open resident of the twin's area name each alter, and links the
// alter to the residents it may be: the twin, and anyone else there with that first
// name, with a lower score.
func (b *builder) addAlterTies(wave uint8) {
	for i, r := range b.people {
		if r.class != classAlter {
			continue
		}
		u := b.person(int32(i))
		v, ok := pickFrom(b.rng, b.pools[r.area].open)
		for try := 0; ok && v == r.link && try < 3; try++ {
			v, ok = pickFrom(b.rng, b.pools[r.area].open)
		}
		if ok && v != r.link {
			if b.rng.Float64() < 0.7 {
				b.add(knows, wave, b.person(v), u, weak, 0)
			} else {
				b.add(trusts, wave, b.person(v), u, 0, 0)
			}
		}
		b.add(possiblySameAs, 0, u, b.person(r.link), 0, uint16(55+b.rng.IntN(41)))
		span := b.ranges[r.area]
		for j := span[0]; j < span[1]; j++ {
			if j != r.link && b.people[j].first == r.first {
				b.add(possiblySameAs, 0, u, b.person(j), 0, uint16(15+b.rng.IntN(30)))
				break
			}
		}
	}
}
