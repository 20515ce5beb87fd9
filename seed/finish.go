package seed

import (
	"math"
	"time"
)

// finish sorts the ties, drops duplicates, sets each resident's wellbeing from their
// ties and writes the ties out.
func (b *builder) finish() *Graph {
	b.edges = sortUnique(b.edges)
	b.setWellbeing()
	ties := make([]Tie, len(b.edges))
	nodes := b.g.Nodes
	for i, e := range b.edges {
		ties[i] = Tie{
			Kind:  kindNames[e.kind()],
			From:  nodes[e.from()].ID,
			To:    nodes[e.to()].ID,
			Props: b.tieProps(e),
		}
	}
	b.g.Ties = ties
	b.edges = nil
	return b.g
}

// setWellbeing gives every surveyed resident (all but the alters others named) an
// observation in each wave: a short WEMWBS score (7 to 35), higher with more social ties
// in that wave, lower for single parents and older people living alone, with noise; their
// household type, age band and an employment status. The person keeps the latest wave's
// values, as cypher.Store.RecordObservations leaves them.
func (b *builder) setWellbeing() {
	waves := max(len(b.p.waves), 1)
	degree := make([][]uint16, waves)
	for w := range degree {
		degree[w] = make([]uint16, len(b.people))
	}
	for _, e := range b.edges {
		w := int(e.wave())
		if !e.kind().social() || w == 0 || w > waves {
			continue
		}
		for _, node := range []int32{e.from(), e.to()} {
			if i := node - b.personBase; i >= 0 && int(i) < len(b.people) {
				degree[w-1][i] = min(degree[w-1][i]+1, 100)
			}
		}
	}
	for i, r := range b.people {
		if r.class == classAlter {
			continue
		}
		props := b.g.Nodes[b.person(int32(i))].Props
		employment := b.employment(r)
		for w := range waves {
			score := 16 + 0.9*float64(min(degree[w][i], 10)) + 3.5*b.rng.NormFloat64()
			switch r.hh {
			case hhSingleParent:
				score -= 2.5
			case hhOlderAlone:
				score -= 1
			}
			wellbeing := int64(min(max(math.Round(score), 7), 35))
			props["wellbeing"] = wellbeing
			if w >= len(b.p.waves) {
				continue // no wave to observe it in
			}
			spec := b.p.waves[w]
			b.g.Observations = append(b.g.Observations, Observation{
				PersonID: b.g.Nodes[b.person(int32(i))].ID, WaveID: b.waveIDs[w].(string),
				RecordedAt: spec.collectedOn.Add(time.Duration(b.rng.IntN(fieldDays))*24*time.Hour + 10*time.Hour),
				SWEMWBSRaw: int(wellbeing), Employment: employment,
				Household: householdTypes[r.hh], AgeBand: ageBands[r.age],
			})
		}
	}
}

// employment draws a resident's employment status from their age band.
func (b *builder) employment(r resident) string {
	x := b.rng.Float64()
	switch {
	case r.age >= age65:
		return "RETIRED"
	case r.age == age16 && x < 0.5:
		return "STUDENT"
	case x < 0.6:
		return "EMPLOYED"
	case x < 0.7:
		return "SELF_EMPLOYED"
	case x < 0.8:
		return "UNEMPLOYED"
	case x < 0.9:
		return "LONG_TERM_SICK_OR_DISABLED"
	default:
		return "CARER"
	}
}

// propKey is everything a tie's properties depend on; ties with equal keys share a map.
type propKey struct {
	k               kind
	wave, attr, day uint8
	extra           uint16
}

// tieProps returns the properties of e, shared with every tie that has the same key.
func (b *builder) tieProps(e edge) map[string]any {
	key := propKey{e.kind(), e.wave(), e.attr(), e.day(), e.extra()}
	if m, ok := b.props[key]; ok {
		return m
	}
	m := b.makeTieProps(key)
	b.props[key] = m
	return m
}

// makeTieProps builds the properties for a key: provenance and the kind's own.
func (b *builder) makeTieProps(key propKey) map[string]any {
	m := make(map[string]any, 5)
	source, at := b.source(key.k), b.p.mappedOn
	if key.wave > 0 {
		w := b.p.waves[key.wave-1]
		source, at = w.source, w.collectedOn
		m["wave"] = b.waveIDs[key.wave-1]
	}
	m["source"] = source
	m["recordedAt"] = at.Add(time.Duration(key.day)*24*time.Hour + 10*time.Hour)
	switch key.k {
	case knows:
		m["strength"] = strengths[key.attr]
	case trusts:
		m["for"] = trustFor[key.attr]
	case memberOf:
		m["role"] = memberRoles[key.attr]
		m["since"] = date(1970+int(key.extra/12), time.Month(key.extra%12+1), 1).Format(time.DateOnly)
	case uses, sees:
		m["frequency"] = frequencies[key.attr]
	case possiblySameAs:
		m["score"] = float64(key.extra) / 100
	}
	return m
}

// source names who recorded ties of a kind outside the survey waves.
func (b *builder) source(k kind) string {
	switch k {
	case sees:
		return "worker observation"
	case offers:
		return "good days conversation"
	case possiblySameAs:
		return "alter matching"
	}
	return b.p.mappingSource
}
