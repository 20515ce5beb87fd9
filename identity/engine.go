package identity

import (
	"math"
	"sort"
	"strings"
)

// Known is a person already recorded, as the matcher compares them.
type Known struct {
	PersonID  string
	Name      string
	Role      string
	AreaID    string
	AgeBand   string
	Household string
	// SourceKeys are the source keys of the mentions already resolved to them: a mention
	// with one of them is them (re-import).
	SourceKeys []string
}

// Engine is the Fellegi–Sunter matcher without a database: it resolves a batch of
// mentions against known people and against each other.
type Engine struct {
	cfg  Config
	nick nicknames
}

// NewEngine returns an engine with the thresholds of cfg.
func NewEngine(cfg Config) *Engine {
	return &Engine{cfg: cfg, nick: loadNicknames()}
}

// Input is what one resolution needs beside the mentions.
type Input struct {
	Known []Known
	// Neighbours returns the areas next to an area (the area itself not included).
	Neighbours func(area string) []string
	// NewID returns the id of a new person recorded with the label (Person,
	// FamiliarStranger; "" means Person).
	NewID func(label string) string
}

// cluster is one person: a known person and/or the mentions resolved to them so far.
type cluster struct {
	personID string
	members  []*record
}

// index finds candidate clusters by blocking keys within an area.
type index struct {
	byArea map[string]map[string][]int
	// records counts, per area, the records of the batch and the known people: the
	// population a mention's prior is taken over.
	records map[string]int
}

// add files cluster c under the keys in r's area, and returns the keys whose lists grew.
func (ix *index) add(r *record, c int, keys []string) (grown []string) {
	m := ix.byArea[r.area]
	if m == nil {
		m = map[string][]int{}
		ix.byArea[r.area] = m
	}
	for _, k := range keys {
		l := m[k]
		if len(l) == 0 || l[len(l)-1] != c {
			m[k] = append(l, c)
			grown = append(grown, k)
		}
	}
	return grown
}

// blockKeys are the keys under which a record is filed and looked up: surname prefix,
// surname consonant skeleton, canonical given name, role. A pair that shares none is
// never compared.
func (e *Engine) blockKeys(r *record) []string {
	var keys []string
	if r.role != "" {
		return []string{"r:" + r.role}
	}
	addSurname := func(s string) {
		keys = append(keys, "s:"+prefix(s, 3), "k:"+prefix(skeleton(s), 3))
	}
	addGiven := func(g string) {
		keys = append(keys, "g:"+e.nick.canonical(g))
	}
	if r.name.surname != "" {
		addSurname(r.name.surname)
	}
	if r.name.given != "" {
		addGiven(r.name.given)
	}
	if r.name.single != "" {
		addSurname(r.name.single)
		addGiven(r.name.single)
	}
	return keys
}

func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// skeleton keeps a name's consonants, without repeats (Mohammed, Muhammad → mhmd).
func skeleton(s string) string {
	var b strings.Builder
	var last rune
	for i, r := range s {
		if i > 0 && strings.ContainsRune("aeiouy ", r) {
			continue
		}
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}

// Resolve decides, for each mention in order, whether it is a known person, a person
// named earlier in the batch, or a new person (with candidates to queue). Decisions are in
// the order of the mentions.
func (e *Engine) Resolve(in Input, mentions []Mention) []Decision {
	return e.NewPool(in).Resolve(mentions)
}

// Pool is the people a series of batches is resolved against: the known people and every
// mention resolved so far, indexed for blocking. An import opens one pool for all its
// interviews (so the people are read and indexed once, not once per interview); each
// interview's batch is kept with Commit when its transaction commits, or undone with
// Rollback when it does not.
type Pool struct {
	e        *Engine
	in       Input
	freq     *frequencies
	sc       *scorer
	ix       *index
	clusters []*cluster
	bySource map[string]int
	// undo reverses, last first, what the batches since the last Commit did.
	undo []func()
}

// NewPool indexes the known people of in.
func (e *Engine) NewPool(in Input) *Pool {
	p := &Pool{e: e, in: in, freq: &frequencies{given: map[string]int{}, surname: map[string]int{}},
		ix: &index{byArea: map[string]map[string][]int{}, records: map[string]int{}}, bySource: map[string]int{}}
	p.sc = &scorer{nick: e.nick, freq: p.freq}
	known := make([]record, len(in.Known))
	for i, k := range in.Known {
		known[i] = prepare(Mention{Name: k.Name, Role: k.Role, AreaID: k.AreaID, AgeBand: k.AgeBand, Household: k.Household})
		known[i].personID = k.PersonID
		p.freq.add(&known[i], e.nick)
		p.ix.records[known[i].area]++
	}
	for i := range known {
		c := len(p.clusters)
		p.clusters = append(p.clusters, &cluster{personID: known[i].personID, members: []*record{&known[i]}})
		p.ix.add(&known[i], c, e.blockKeys(&known[i]))
		for _, k := range in.Known[i].SourceKeys {
			p.bySource[k] = c
		}
	}
	return p
}

// Commit keeps the batches resolved since the last Commit or Rollback.
func (p *Pool) Commit() { p.undo = p.undo[:0] }

// Rollback forgets the batches resolved since the last Commit, as if they had never been.
func (p *Pool) Rollback() {
	for i := len(p.undo) - 1; i >= 0; i-- {
		p.undo[i]()
	}
	p.undo = p.undo[:0]
}

// Resolve decides, for each mention in order, whether it is a pooled person (known, or
// resolved in an earlier batch), a person named earlier in the batch, or a new person,
// and adds the mentions to the pool (until a Rollback).
func (p *Pool) Resolve(mentions []Mention) []Decision {
	e, ix := p.e, p.ix
	recs := make([]record, len(mentions))
	for i, m := range mentions {
		recs[i] = prepare(m)
		r := &recs[i]
		p.freq.add(r, e.nick)
		ix.records[r.area]++
		p.undo = append(p.undo, func() { p.freq.remove(r, e.nick); ix.records[r.area]-- })
	}
	out := make([]Decision, len(mentions))
	for i := range recs {
		r := &recs[i]
		keys := e.blockKeys(r)
		if c, ok := p.bySource[r.key]; ok && r.key != "" {
			out[i] = Decision{Kind: Linked, PersonID: p.clusters[c].personID, Score: 1, Reasons: []string{"same source key"}}
			p.join(c, r)
			continue
		}
		cands := e.candidates(p.sc, ix, p.clusters, r, keys, p.in)
		d := e.decide(cands)
		var c int
		if d.Kind == Linked {
			c = cands[0].cluster
			p.join(c, r)
		} else {
			d.PersonID = p.in.NewID(mentions[i].Label)
			c = len(p.clusters)
			p.clusters = append(p.clusters, &cluster{personID: d.PersonID, members: []*record{r}})
			p.undo = append(p.undo, func() { p.clusters = p.clusters[:c] })
		}
		p.index(r, c, keys)
		if r.key != "" {
			old, had := p.bySource[r.key]
			p.bySource[r.key] = c
			p.undo = append(p.undo, func() {
				if had {
					p.bySource[r.key] = old
				} else {
					delete(p.bySource, r.key)
				}
			})
		}
		out[i] = d
	}
	return out
}

// join adds r to cluster c.
func (p *Pool) join(c int, r *record) {
	cl := p.clusters[c]
	n := len(cl.members)
	cl.members = append(cl.members, r)
	p.undo = append(p.undo, func() { cl.members = cl.members[:n] })
}

// index files r under its keys in cluster c.
func (p *Pool) index(r *record, c int, keys []string) {
	grown := p.ix.add(r, c, keys)
	area := r.area
	p.undo = append(p.undo, func() {
		m := p.ix.byArea[area]
		for _, k := range grown {
			m[k] = m[k][:len(m[k])-1]
		}
	})
}

type scored struct {
	cluster int
	weight  float64
	Candidate
}

// candidates scores r against every cluster that shares a blocking key with it in its
// area or a neighbouring one, best first.
func (e *Engine) candidates(sc *scorer, ix *index, clusters []*cluster, r *record, keys []string, in Input) []scored {
	areas := []string{r.area}
	if in.Neighbours != nil && r.area != "" {
		areas = append(areas, in.Neighbours(r.area)...)
	}
	seen := map[int]bool{}
	var found []int
	population := 0
	for _, a := range areas {
		population += ix.records[a]
		m := ix.byArea[a]
		for _, k := range keys {
			for _, c := range m[k] {
				if !seen[c] {
					seen[c] = true
					found = append(found, c)
				}
			}
		}
	}
	// The prior odds that r is one given candidate: one of everyone recorded nearby, or,
	// for a service named by role, one of its holders found (or someone not recorded yet).
	prior := -math.Log2(math.Max(float64(population)/2.5, 2))
	if r.role != "" {
		prior = -math.Log2(float64(len(found) + 1))
	}
	var out []scored
	for _, c := range found {
		if s, ok := e.scoreCluster(sc, clusters[c], r, prior); ok {
			s.cluster = c
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].PersonID < out[j].PersonID
	})
	return out
}

// scoreCluster is the best pair score of r against the cluster's members; any member r
// cannot be rules the cluster out.
func (e *Engine) scoreCluster(sc *scorer, c *cluster, r *record, prior float64) (scored, bool) {
	best := scored{Candidate: Candidate{PersonID: c.personID, Score: -1}}
	var bestMember *record
	for _, m := range c.members {
		w, reasons, ok := sc.compare(r, m, prior, false)
		if !ok {
			if reasons[0] == noName {
				continue
			}
			return scored{}, false
		}
		if p := prob(w); p > best.Score {
			best.Score, best.weight, bestMember = p, w, m
		}
	}
	if bestMember == nil {
		return best, false
	}
	if best.Score >= e.cfg.Queue {
		_, best.Reasons, _ = sc.compare(r, bestMember, prior, true)
	}
	return best, true
}

// decide links to the best candidate when, of all the people the mention may be (each
// candidate, or someone not recorded), it is the one with probability at least Link: its
// odds 2^w against one plus the odds of every candidate, so that two likely candidates
// keep each other from being linked. Otherwise it queues every candidate whose own score
// (the pair alone) is at least Queue; with none, the mention is a new person.
func (e *Engine) decide(cands []scored) Decision {
	var queued []Candidate
	odds := 1.0
	for _, c := range cands {
		odds += math.Exp2(c.weight)
		if c.Score >= e.cfg.Queue {
			queued = append(queued, c.Candidate)
		}
	}
	if len(cands) > 0 {
		if p := math.Exp2(cands[0].weight) / odds; p >= e.cfg.Link {
			return Decision{Kind: Linked, PersonID: cands[0].PersonID, Score: p, Reasons: cands[0].Reasons}
		}
	}
	if len(queued) > 0 {
		return Decision{Kind: Queued, Score: queued[0].Score, Reasons: queued[0].Reasons, Candidates: queued}
	}
	return Decision{Kind: New}
}
