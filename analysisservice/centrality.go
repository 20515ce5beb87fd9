package analysisservice

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"kith/analysis"
	"kith/apierr"
	"kith/cypher"
)

// Measure is a centrality measure, named as the GraphQL enum CentralityMeasure names it.
type Measure string

// The centrality measures.
const (
	Degree      Measure = "DEGREE"
	InDegree    Measure = "IN_DEGREE"
	OutDegree   Measure = "OUT_DEGREE"
	Betweenness Measure = "BETWEENNESS"
	Closeness   Measure = "CLOSENESS"
	Harmonic    Measure = "HARMONIC"
	Eigenvector Measure = "EIGENVECTOR"
	PageRank    Measure = "PAGERANK"
)

// Measures lists every measure.
func Measures() []Measure {
	return []Measure{Degree, InDegree, OutDegree, Betweenness, Closeness, Harmonic, Eigenvector, PageRank}
}

// property is the lower-case name a measure's stored score is named after.
func (m Measure) property() string { return strings.ToLower(string(m)) }

// sampled reports whether the measure can be estimated from a sample of sources.
func (m Measure) sampled() bool { return m == Betweenness || m == Closeness || m == Harmonic }

// Confidence is the probability with which a sampled estimate's error bound holds.
const Confidence = 0.95

// Sampling asks for an estimate from K sources drawn with Seed; K nil means exact.
type Sampling struct {
	K    *int
	Seed uint64
}

func (s Sampling) key() string {
	if s.K == nil {
		return "exact"
	}
	return fmt.Sprintf("sample=%d;seed=%d", *s.K, s.Seed)
}

// check validates the sampling for field names sample.
func (s Sampling) check(field string) error {
	if s.K != nil && *s.K < 1 {
		return apierr.BadUserInput(field, "must be at least 1 (the number of source nodes to sample)")
	}
	return nil
}

// CentralityResult is one measure over every node of a graph.
type CentralityResult struct {
	Measure Measure
	// Ranked holds every node's score, highest first, equal scores in id order.
	Ranked []analysis.Score
	// Sampled is set when the scores are estimates from SampleSize sources.
	Sampled    bool
	SampleSize int
	// ErrorBound, when not nil, bounds every sampled score's error with probability
	// Confidence (BETWEENNESS and HARMONIC; see analysis.SampleBound).
	ErrorBound *float64
	// Converged is false when an iterative measure stopped at its iteration limit; the
	// scores are then its last iterate.
	Converged bool
	// Nodes and Ties describe the graph; Version is its graph version.
	Nodes, Ties int
	Version     string
}

// Centrality computes one measure over the scope's graph. Scores follow package
// analysis's definitions (networkx's), normalised as the GraphQL schema states: degrees
// divided by n-1, betweenness by (n-1)(n-2), harmonic centrality divided by n-1,
// eigenvector scaled to unit length, PageRank summing to 1. Weighted scopes read a tie's
// weight as strength: path measures take 1/weight as its length, eigenvector and
// PageRank follow ties in proportion to weight.
func (s *Service) Centrality(ctx context.Context, access cypher.Scope, sc Scope, m Measure, sampling Sampling) (*CentralityResult, error) {
	if err := sampling.check("sample"); err != nil {
		return nil, err
	}
	if sampling.K != nil && !m.sampled() {
		return nil, apierr.BadUserInput("sample", "applies only to BETWEENNESS, CLOSENESS and HARMONIC")
	}
	if !m.valid() {
		return nil, apierr.BadUserInput("measure", "%q is not a centrality measure", m)
	}
	v, err := s.result(ctx, access, sc, "centrality="+string(m)+";"+sampling.key(), func(ctx context.Context, g *Graph) (any, error) {
		return centrality(ctx, g, m, sampling)
	})
	if err != nil {
		return nil, err
	}
	return v.(*CentralityResult), nil
}

func (m Measure) valid() bool {
	for _, x := range Measures() {
		if x == m {
			return true
		}
	}
	return false
}

// lengths is how long ties are for path measures.
func lengths(weighted bool) analysis.Length {
	if weighted {
		return analysis.InverseWeight
	}
	return analysis.Hops
}

// weights says whether measures that read weights do.
func weights(weighted bool) analysis.Weights {
	if weighted {
		return analysis.Weighted
	}
	return analysis.Unweighted
}

// centrality computes one measure on a graph.
func centrality(ctx context.Context, g *Graph, m Measure, sampling Sampling) (*CentralityResult, error) {
	n := g.G.NodeCount()
	res := &CentralityResult{Measure: m, Converged: true, Nodes: n, Ties: g.G.TieCount(), Version: g.Version}
	var sample *analysis.Sample
	if sampling.K != nil && *sampling.K < n {
		sample = &analysis.Sample{K: *sampling.K, Seed: sampling.Seed}
		res.Sampled, res.SampleSize = true, sample.K
	}
	var scores analysis.Scores
	var err error
	switch m {
	case Degree:
		scores, err = g.G.DegreeCentrality(analysis.Total)
	case InDegree:
		scores, err = g.G.DegreeCentrality(analysis.In)
	case OutDegree:
		scores, err = g.G.DegreeCentrality(analysis.Out)
	case Betweenness:
		scores, err = g.G.Betweenness(ctx, analysis.BetweennessOptions{Length: lengths(g.Scope.Weighted), Sample: sample})
	case Closeness:
		scores, err = g.G.Closeness(ctx, analysis.ClosenessOptions{Length: lengths(g.Scope.Weighted), Sample: sample})
	case Harmonic:
		scores, err = g.G.Harmonic(ctx, analysis.ClosenessOptions{Length: lengths(g.Scope.Weighted), Sample: sample})
		if err == nil && n > 1 {
			for id, v := range scores {
				scores[id] = v / float64(n-1)
			}
		}
	case Eigenvector:
		scores, err = g.G.Eigenvector(analysis.EigenvectorOptions{Weights: weights(g.Scope.Weighted)})
	case PageRank:
		scores, err = g.G.PageRank(analysis.PageRankOptions{Weights: weights(g.Scope.Weighted)})
	default:
		return nil, apierr.BadUserInput("measure", "%q is not a centrality measure", m)
	}
	if errors.Is(err, analysis.ErrNoConvergence) {
		res.Converged, err = false, nil
	}
	if err != nil {
		return nil, fmt.Errorf("centrality %s: %w", m, err)
	}
	if res.Sampled && (m == Betweenness || m == Harmonic) {
		bound, err := analysis.SampleBound(n, sample.K, Confidence)
		if err != nil {
			return nil, fmt.Errorf("centrality %s: %w", m, err)
		}
		if m == Harmonic && g.Scope.Weighted {
			// Lengths are 1/weight: the shortest tie is 1/(largest weight) long.
			bound *= maxWeight(g)
		}
		res.ErrorBound = &bound
	}
	res.Ranked = scores.Ranked()
	return res, nil
}

// maxWeight returns the largest tie weight of the graph (1 without ties).
func maxWeight(g *Graph) float64 {
	w := 1.0
	for _, t := range g.G.Ties() {
		w = max(w, t.Weight)
	}
	return w
}
