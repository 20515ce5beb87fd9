package seed

// addSecondWave records wave 2 a year on: most wave-1 survey ties again, some dropped,
// and new ones, above all the group that formed between the waves (a mothers' group
// for single parents, as in Murton).
func (b *builder) addSecondWave() {
	for _, e := range b.edges {
		if e.wave() == 1 && e.kind().fromSurvey() && b.rng.Float64() >= 0.08 {
			b.edges = append(b.edges, e.inWave(2))
		}
	}
	for g := range b.members {
		b.members[g] = b.members[g][:0]
	}
	b.formGroup(2)
	b.addNewTies(2)
}

// formGroup recruits the forming group's members from open parents in its areas; they
// get to know one another, the organiser encourages them and some of them others.
func (b *builder) formGroup(wave uint8) {
	g := b.p.forming
	if g < 0 {
		return
	}
	for _, a := range b.served(b.p.groups[g].area) {
		for _, u := range b.pools[a].open {
			r := b.people[u]
			odds := 0.1
			if r.hh == hhSingleParent {
				odds = 0.65
			}
			if b.fits(parents, u) && b.rng.Float64() < odds {
				b.join(wave, u, g, member)
			}
		}
	}
	o := b.addOrganiser(wave, g)
	ms := b.members[g]
	if o < 0 || len(ms) < 2 {
		return
	}
	for _, u := range ms {
		for range 2 + b.rng.IntN(2) {
			b.knows(wave, u, ms[b.rng.IntN(len(ms))], weak)
		}
		b.add(encourages, wave, b.person(o), b.person(u), 0, 0)
		if v, ok := b.friend(u); ok && b.rng.Float64() < 0.3 {
			b.add(encourages, wave, b.person(u), b.person(v), 0, 0)
		}
		if b.rng.Float64() < 0.3 {
			b.add(getsInfoFrom, wave, b.person(u), b.groupNode[g], 0, 0)
		}
	}
}

// addNewTies adds the acquaintances and memberships that are new in a wave.
func (b *builder) addNewTies(wave uint8) {
	for _, u := range b.open {
		if b.rng.Float64() < 0.12 {
			local := b.pools[b.people[u].area].open
			b.knows(wave, u, local[b.rng.IntN(len(local))], weak)
		}
		if b.rng.Float64() < 0.05 {
			if g, ok := b.pickGroup(int(b.people[u].area), u); ok {
				b.join(wave, u, g, member)
			}
		}
	}
}
