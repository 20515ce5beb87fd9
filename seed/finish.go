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

// setWellbeing gives every surveyed resident a short WEMWBS score (7 to 35): higher
// with more social ties in wave 1, lower for single parents and older people living
// alone, with noise.
func (b *builder) setWellbeing() {
	degree := make([]uint16, len(b.people))
	count := func(node int32) {
		if i := node - b.personBase; i >= 0 && int(i) < len(b.people) {
			degree[i] = min(degree[i]+1, 100)
		}
	}
	for _, e := range b.edges {
		if e.kind().social() && e.wave() == 1 {
			count(e.from())
			count(e.to())
		}
	}
	for i, r := range b.people {
		if r.class == classAlter {
			continue
		}
		w := 16 + 0.9*float64(min(degree[i], 10)) + 3.5*b.rng.NormFloat64()
		switch r.hh {
		case hhSingleParent:
			w -= 2.5
		case hhOlderAlone:
			w -= 1
		}
		b.g.Nodes[b.person(int32(i))].Props["wellbeing"] = int64(min(max(math.Round(w), 7), 35))
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
