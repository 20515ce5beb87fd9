package analysisservice

import (
	"context"
	"fmt"
	"slices"

	"kith/analysis"
	"kith/apierr"
	"kith/cypher"
)

// MaxAuthorityHops is the longest route to authority NetworkSummary looks for.
const MaxAuthorityHops = 6

// AuthorityReach counts the people with a route to authority.
type AuthorityReach struct {
	// Authorities counts the authority nodes (isAuthority people and organisations) in
	// the graph.
	Authorities int
	// People counts the people who are not authorities themselves; Reachable those of
	// them with a route of at most MaxHops ties to an authority.
	People, Reachable int
	Share             float64
	MaxHops           int
}

// GroupSummary describes the people of one group.
type GroupSummary struct {
	// Key is the group key ("" for people with no value); Name what to call it.
	Key, Name string
	People    int
	// Isolates counts the people of the group without ties.
	Isolates      int
	IsolateShare  float64
	AverageDegree float64
	// Wellbeing is exact; results hold it in memory only, and the API releases it
	// (resolvers/wellbeing.go).
	Wellbeing cypher.Wellbeing
}

// SummaryResult describes a whole graph.
type SummaryResult struct {
	analysis.Summary
	// MaxCore is the largest k such that the graph has a k-core (0 without ties).
	MaxCore   int
	Authority AuthorityReach
	// Wellbeing is over every person of the graph.
	Wellbeing cypher.Wellbeing
	// By is the grouping of Groups (empty when none was asked for).
	By      GroupBy
	Groups  []GroupSummary
	Version string
}

// Summary describes the scope's graph (see analysis.Graph.Summary), with its largest
// k-core, the share of people with a route to authority of at most authorityHops ties
// (following ties in their direction when directed: the person can go to someone who
// can go to the authority), exact wellbeing, and the same per group when o.By is set.
// Each person is in one group at most.
func (s *Service) Summary(ctx context.Context, access cypher.Scope, sc Scope, o GroupOptions, authorityHops int) (*SummaryResult, error) {
	if o.By != "" {
		if err := o.check(); err != nil {
			return nil, err
		}
	}
	if authorityHops < 1 || authorityHops > MaxAuthorityHops {
		return nil, apierr.BadUserInput("authorityHops", "must be between 1 and %d", MaxAuthorityHops)
	}
	name := fmt.Sprintf("summary;%s;hops=%d", o.key(), authorityHops)
	v, err := s.result(ctx, access, sc, name, func(ctx context.Context, g *Graph) (any, error) {
		res := &SummaryResult{Summary: g.G.Summary(), By: o.By, Version: g.Version}
		for _, k := range g.G.CoreNumbers() {
			res.MaxCore = max(res.MaxCore, k)
		}
		res.Authority = authorityReach(g, authorityHops)
		degree, err := g.G.Degrees(analysis.Total)
		if err != nil {
			return nil, fmt.Errorf("summary: %w", err)
		}
		var people []int
		for i, n := range g.Nodes {
			if n.Label == "Person" {
				people = append(people, i)
			}
		}
		lo, hi := s.store.WellbeingRange()
		res.Wellbeing = wellbeing(g, people, lo, hi)
		if o.By == "" {
			return res, nil
		}
		gr, err := grouping(g, o)
		if err != nil {
			return nil, err
		}
		members := map[string][]int{}
		for _, i := range people {
			k := gr.Of[g.Nodes[i].ID]
			members[k] = append(members[k], i)
		}
		for _, k := range sortedKeys(members) {
			ms := members[k]
			gs := GroupSummary{Key: k, Name: gr.Names[k], People: len(ms), Wellbeing: wellbeing(g, ms, lo, hi)}
			total := 0
			for _, i := range ms {
				d := degree[g.Nodes[i].ID]
				total += d
				if d == 0 {
					gs.Isolates++
				}
			}
			gs.IsolateShare = share(gs.Isolates, gs.People)
			gs.AverageDegree = float64(total) / float64(len(ms))
			res.Groups = append(res.Groups, gs)
		}
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*SummaryResult), nil
}

// wellbeing adds up the scores of the people at the given node indexes, each bounded to
// [lo, hi].
func wellbeing(g *Graph, people []int, lo, hi int) cypher.Wellbeing {
	w := cypher.Wellbeing{People: len(people)}
	for _, i := range people {
		if n := g.Nodes[i]; n.HasWellbeing {
			w.Scored++
			w.Sum += int64(min(max(n.Wellbeing, lo), hi))
		}
	}
	return w
}

// share is part/whole, 0 for an empty whole.
func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// authorityReach runs a breadth-first search from every authority node at once along
// ties backwards (so it finds who can reach them), up to maxHops ties.
func authorityReach(g *Graph, maxHops int) AuthorityReach {
	n := len(g.Nodes)
	r := AuthorityReach{MaxHops: maxHops}
	// in[v] lists the nodes with a tie to v (both ends of an undirected tie).
	start := make([]int32, n+1)
	count := func(v int32) { start[v+1]++ }
	for i := range g.from {
		count(g.to[i])
		if !g.Scope.Directed {
			count(g.from[i])
		}
	}
	for v := range n {
		start[v+1] += start[v]
	}
	in := make([]int32, start[n])
	fill := slices.Clone(start[:n])
	for i := range g.from {
		a, b := g.from[i], g.to[i]
		in[fill[b]], fill[b] = a, fill[b]+1
		if !g.Scope.Directed {
			in[fill[a]], fill[a] = b, fill[a]+1
		}
	}
	dist := make([]int, n)
	var frontier []int32
	for v, node := range g.Nodes {
		dist[v] = -1
		if node.IsAuthority {
			dist[v] = 0
			frontier = append(frontier, int32(v))
			r.Authorities++
		}
	}
	for hop := 1; hop <= maxHops && len(frontier) > 0; hop++ {
		var next []int32
		for _, v := range frontier {
			for _, u := range in[start[v]:start[v+1]] {
				if dist[u] < 0 {
					dist[u] = hop
					next = append(next, u)
				}
			}
		}
		frontier = next
	}
	for v, node := range g.Nodes {
		if node.Label != "Person" || node.IsAuthority {
			continue
		}
		r.People++
		if dist[v] > 0 {
			r.Reachable++
		}
	}
	r.Share = share(r.Reachable, r.People)
	return r
}
