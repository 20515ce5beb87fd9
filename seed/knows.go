package seed

import "slices"

// addKnows makes the acquaintance network: households, neighbours along the street
// (a small world within each area), a few ties to other areas, connectors' many ties,
// ties between members of the same group (triadic closure) and the closed circles.
func (b *builder) addKnows(wave uint8) {
	b.knowHouseholds(wave)
	b.knowNeighbours(wave)
	b.knowFarAway(wave)
	b.knowFromHubs(wave)
	b.knowFromGroups(wave)
	b.knowCircles(wave)
}

// knowHouseholds has the members of each household know one another well.
func (b *builder) knowHouseholds(wave uint8) {
	for i, r := range b.people {
		if r.class != classOpen && r.class != classEnclave {
			continue
		}
		for j := r.hhStart; j < int32(i); j++ {
			if b.people[j].class == r.class {
				b.knows(wave, j, int32(i), strong)
			}
		}
	}
}

// sociability thins the neighbourly ties of those who have least time or mobility.
func sociability(r resident) float64 {
	switch r.hh {
	case hhSingleParent:
		return 0.6
	case hhOlderAlone:
		return 0.85
	}
	return 1
}

// knowNeighbours links each open resident with the next two along the street and
// sometimes the third, some ties rewired to a random resident of the area (a
// Watts–Strogatz small world).
func (b *builder) knowNeighbours(wave uint8) {
	reach := [4]float64{0, 1, 1, 0.4}
	for _, a := range b.populated {
		open := b.pools[a].open
		n := len(open)
		for i, u := range open {
			for d := 1; d <= 3 && d < n; d++ {
				v := open[(i+d)%n]
				if b.rng.Float64() >= reach[d]*sociability(b.people[u])*sociability(b.people[v]) {
					continue
				}
				if b.rng.Float64() < 0.15 {
					v = open[b.rng.IntN(n)]
				}
				s := uint8(weak)
				if d == 1 && b.rng.Float64() < 0.45 {
					s = strong
				}
				b.knows(wave, u, v, s)
			}
		}
	}
}

// knowFarAway gives a few residents an acquaintance anywhere: the bridges.
func (b *builder) knowFarAway(wave uint8) {
	for _, u := range b.open {
		if b.rng.Float64() < 0.06 {
			b.knows(wave, u, b.open[b.rng.IntN(len(b.open))], weak)
		}
	}
}

// knowFromHubs gives each connector 12 to 36 more acquaintances, most in their area.
func (b *builder) knowFromHubs(wave uint8) {
	for _, u := range b.open {
		if b.people[u].flags&flagHub == 0 {
			continue
		}
		local := b.pools[b.people[u].area].open
		for range 12 + b.rng.IntN(25) {
			v := b.open[b.rng.IntN(len(b.open))]
			if b.rng.Float64() < 0.75 {
				v = local[b.rng.IntN(len(local))]
			}
			s := uint8(weak)
			if b.rng.Float64() < 0.2 {
				s = strong
			}
			b.knows(wave, u, v, s)
		}
	}
}

// knowFromGroups has each member know one or two other members of each group.
func (b *builder) knowFromGroups(wave uint8) {
	for _, ms := range b.members {
		if len(ms) < 2 {
			continue
		}
		for _, u := range ms {
			for range 1 + b.rng.IntN(2) {
				s := uint8(weak)
				if b.rng.Float64() < 0.2 {
					s = strong
				}
				b.knows(wave, u, ms[b.rng.IntN(len(ms))], s)
			}
		}
	}
}

// knowCircles has the members of each closed circle all know one another.
func (b *builder) knowCircles(wave uint8) {
	for i, r := range b.people {
		if r.class != classEnclave || r.link != int32(i) {
			continue
		}
		end := int32(i) + int32(r.circle)
		for u := int32(i); u < end; u++ {
			for v := u + 1; v < end; v++ {
				s := uint8(weak)
				if b.rng.Float64() < 0.6 {
					s = strong
				}
				b.knows(wave, u, v, s)
			}
		}
	}
}

// buildAdjacency indexes the KNOWS ties recorded so far by resident.
func (b *builder) buildAdjacency() {
	base := uint64(b.personBase)
	pairs := make([]uint64, 0, len(b.edges)/2)
	for _, e := range b.edges {
		if e.kind() == knows {
			pairs = append(pairs, (uint64(e.from())-base)<<32|(uint64(e.to())-base))
		}
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	start := make([]int32, len(b.people)+1)
	for _, p := range pairs {
		start[p>>32+1]++
		start[uint32(p)+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	adj := make([]int32, start[len(b.people)])
	next := slices.Clone(start[:len(b.people)])
	for _, p := range pairs {
		u, v := int32(p>>32), int32(uint32(p))
		adj[next[u]], adj[next[v]] = v, u
		next[u]++
		next[v]++
	}
	b.adjStart, b.adj = start, adj
}

// friend draws someone resident i knows.
func (b *builder) friend(i int32) (int32, bool) {
	lo, hi := b.adjStart[i], b.adjStart[i+1]
	if lo == hi {
		return 0, false
	}
	return b.adj[lo+int32(b.rng.IntN(int(hi-lo)))], true
}
