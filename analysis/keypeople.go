package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// KeyPeopleOptions configures Connectors, Mavens and Salespeople. The Graph
// itself decides which ties count: build it from the tie kinds the question is
// about (all person–person ties for connectors, TRUSTS{for: ADVICE} and
// GETS_INFO_FROM for mavens, ENCOURAGES for salespeople).
type KeyPeopleOptions struct {
	// Limit is the largest number of candidates returned; 0 returns every
	// candidate. Negative is an error.
	Limit int
	// Eligible, if not nil, restricts both the candidates and the population
	// the percentiles are computed over to the nodes it accepts (for example
	// nodes whose "label" attribute is "Person"). It is given the node's id and
	// attributes (nil when it has none), and must not modify them.
	Eligible func(id string, attrs map[string]string) bool
	// Sample, if not nil, estimates the mavens' betweenness from Sample.K
	// sources (see Betweenness) for large Graphs.
	Sample *Sample
	// Hops is the salespeople's reach radius; 0 means 2 (the people they
	// encourage and the people those encourage). Negative is an error.
	Hops int
}

// Candidate is a node put forward for a key-people role, with the scores that
// put it there. It is a candidate for a person to judge, not a verdict.
type Candidate struct {
	ID string
	// Rank is the 1-based position in the returned list.
	Rank int
	// Score is the role's combined score in [0, 1], as the role documents.
	Score float64
	// Components are the measures the Score combines, in the role's order.
	Components []Component
}

// Component is one measure behind a Candidate's Score.
type Component struct {
	// Name is the measure: "degree", "inDegree", "betweenness",
	// "constraint", "reach" or "eigenvector".
	Name string
	// Value is the node's value on the measure.
	Value float64
	// Percentile is the node's mid-rank percentile among the eligible nodes:
	// the share of the others with a lower value plus half the share with an
	// equal one, in [0, 1], higher meaning more of what the role looks for
	// (for constraint, lower constraint; nodes without ties count as the most
	// constrained). A single eligible node has percentile 1.
	Percentile float64
}

func (o KeyPeopleOptions) check() error {
	switch {
	case o.Limit < 0:
		return fmt.Errorf("%w: limit %d < 0", ErrInvalidOption, o.Limit)
	case o.Hops < 0:
		return fmt.Errorf("%w: hops %d < 0", ErrInvalidOption, o.Hops)
	}
	return o.Sample.check()
}

// eligible returns the node indexes the options admit, in index order.
func (g *Graph) eligible(o KeyPeopleOptions) []int32 {
	var out []int32
	for u := range int32(len(g.ids)) {
		if o.Eligible == nil || o.Eligible(g.ids[u], g.attrs[u]) {
			out = append(out, u)
		}
	}
	return out
}

// measure is one component's values over all node indexes; higher is better
// after rankValue (which may differ from the reported value).
type measure struct {
	name      string
	value     []float64
	rankValue []float64 // nil: rank by value
}

// rankCandidates scores the eligible nodes that pass keep by the geometric
// mean of their component percentiles and returns them best first.
func (g *Graph) rankCandidates(o KeyPeopleOptions, pop []int32, keep func(u int32) bool, ms []measure) []Candidate {
	pct := make([][]float64, len(ms))
	for i, m := range ms {
		rv := m.rankValue
		if rv == nil {
			rv = m.value
		}
		vals := make([]float64, len(pop))
		for j, u := range pop {
			vals[j] = rv[u]
		}
		pct[i] = percentRanks(vals)
	}
	var out []Candidate
	for j, u := range pop {
		if !keep(u) {
			continue
		}
		c := Candidate{ID: g.ids[u], Score: 1}
		for i, m := range ms {
			c.Components = append(c.Components, Component{Name: m.name, Value: finite(m.value[u]), Percentile: pct[i][j]})
			c.Score *= pct[i][j]
		}
		c.Score = math.Pow(c.Score, 1/float64(len(ms)))
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Components[0].Value, a.Components[0].Value); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if o.Limit > 0 && len(out) > o.Limit {
		out = out[:o.Limit]
	}
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// Connectors returns connector (network hub) candidates: eligible nodes with
// at least one tie, ranked by total degree (in plus out in a directed Graph).
// The one component is "degree" (the tie count) and the Score is its
// percentile among the eligible nodes. It returns an error wrapping
// ErrInvalidOption for bad options.
func (g *Graph) Connectors(ctx context.Context, o KeyPeopleOptions) ([]Candidate, error) {
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("connectors: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connectors: %w", err)
	}
	v := g.view()
	deg := make([]float64, v.n)
	for u := range int32(v.n) {
		deg[u] = float64(degree(v, u, Total))
	}
	keep := func(u int32) bool { return deg[u] > 0 }
	return g.rankCandidates(o, g.eligible(o), keep, []measure{{name: "degree", value: deg}}), nil
}

// Mavens returns maven (knowledge broker) candidates from a Graph of advice and
// information ties pointing from the one who asks to the one asked (R
// GETS_INFO_FROM M, R TRUSTS{for: ADVICE} M). Candidates are eligible nodes
// with in-degree at least 1. Three components, each a percentile p among the
// eligible nodes:
//
//   - "inDegree": how many come to the node for advice or information;
//   - "betweenness": normalised betweenness (Hops; sampled if o.Sample is set),
//     how often the node lies on the routes information takes;
//   - "constraint": Burt's constraint (Unweighted), percentile of lowness, so
//     contacts who do not know each other score high.
//
// The Score is the geometric mean (p_in · p_betweenness · p_constraint)^(1/3):
// a maven must be high on all three, and one low component pulls the Score
// down more than an average would. It returns an error wrapping
// ErrInvalidOption for bad options, or ctx's error if ctx is done first.
func (g *Graph) Mavens(ctx context.Context, o KeyPeopleOptions) ([]Candidate, error) {
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("mavens: %w", err)
	}
	v := g.view()
	in := make([]float64, v.n)
	for u := range int32(v.n) {
		in[u] = float64(degree(v, u, In))
	}
	// Shared with Betweenness through the Graph's memo: asking for both costs
	// one sweep.
	bet, err := g.betweennessValues(ctx, BetweennessOptions{Sample: o.Sample})
	if err != nil {
		return nil, fmt.Errorf("mavens: %w", err)
	}
	cons := g.structuralHoles(false, false)
	low := make([]float64, v.n)
	for u := range int32(v.n) {
		if len(v.nbr(u)) == 0 {
			low[u] = math.Inf(-1) // no ties: not a broker at all
		} else {
			low[u] = -cons[u]
		}
	}
	keep := func(u int32) bool { return in[u] > 0 }
	return g.rankCandidates(o, g.eligible(o), keep, []measure{
		{name: "inDegree", value: in},
		{name: "betweenness", value: bet},
		{name: "constraint", value: cons, rankValue: low},
	}), nil
}

// Salespeople returns salesperson (persuader) candidates from a Graph of
// ENCOURAGES ties pointing from the one who encourages to the one encouraged
// (if your ties record "R named P as someone who gets them to try things" as
// R→P, pass g.Reverse()). Candidates are eligible nodes with out-degree at
// least 1. Two components, each a percentile p among the eligible nodes:
//
//   - "reach": the share of the other n-1 nodes reachable along ties in at
//     most o.Hops steps (default 2): the people the node can set moving;
//   - "eigenvector": eigenvector centrality along out-ties (networkx's
//     definition on the reversed Graph, Unweighted): high when the node
//     encourages people who are themselves persuasive. If the power iteration
//     does not converge in 1000 steps the last iterate is used.
//
// The Score is the geometric mean sqrt(p_reach · p_eigenvector). It returns
// an error wrapping ErrInvalidOption for bad options, or ctx's error if ctx
// is done first.
func (g *Graph) Salespeople(ctx context.Context, o KeyPeopleOptions) ([]Candidate, error) {
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("salespeople: %w", err)
	}
	hops := o.Hops
	if hops == 0 {
		hops = 2
	}
	v := g.view()
	n := v.n
	reach, err := sumOverSources(ctx, n, g.sources(nil),
		func() *search { return newSearch(n, v.forward(nil), false) },
		func(s *search, srcs []int32, acc []float64) {
			for _, src := range srcs {
				acc[src] = s.reach(src, hops)
			}
		})
	if err != nil {
		return nil, fmt.Errorf("salespeople: %w", err)
	}
	if n > 1 {
		for u := range reach {
			reach[u] /= float64(n - 1)
		}
	}
	eig, _ := eigenvector(v, false, true, 1000, 1e-9) // last iterate if not converged
	keep := func(u int32) bool { return v.outDeg(u) > 0 }
	return g.rankCandidates(o, g.eligible(o), keep, []measure{
		{name: "reach", value: reach},
		{name: "eigenvector", value: eig},
	}), nil
}

// reach returns the number of nodes other than src within hops steps of src
// (a breadth-first search that stops expanding at depth hops).
func (s *search) reach(src int32, hops int) float64 {
	s.reset()
	off, to, hop := s.a.off, s.a.to, s.hop
	q := append(s.order, src)
	hop[src] = 0
	limit := int32(hops)
	for h := 0; h < len(q); h++ {
		u := q[h]
		if hop[u] >= limit {
			break
		}
		for _, x := range to[off[u]:off[u+1]] {
			if hop[x] < 0 {
				hop[x] = hop[u] + 1
				q = append(q, x)
			}
		}
	}
	s.order = q
	return float64(len(q) - 1)
}
