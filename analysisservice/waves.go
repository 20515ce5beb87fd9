package analysisservice

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"kith/analysis"
	"kith/apierr"
	"kith/cypher"
)

// NodeWaveChange is one node's change between two waves.
type NodeWaveChange struct {
	// NodeChange is the node's change, without the lists of ties (Gained and Lost are
	// nil); TiesGained and TiesLost count them.
	analysis.NodeChange
	TiesGained, TiesLost int
	// PageRankBefore and PageRankAfter are the node's PageRank in each wave's graph.
	PageRankBefore, PageRankAfter float64
}

// WavesResult compares the ties of two waves.
type WavesResult struct {
	TiesBefore, TiesAfter, Common, Gained, Lost int
	Jaccard                                     float64
	// Nodes are the nodes with a tie in either wave, the largest absolute degree change
	// first, then by id.
	Nodes []NodeWaveChange
	// NodeCount counts the nodes read (the same in both waves); Version is the graph
	// version.
	NodeCount int
	Version   string
}

// CompareWaves compares the scope's graph in two waves: the same nodes, with the ties
// recorded in before and in after (see analysis.CompareWaves). The scope must not name a
// wave of its own.
func (s *Service) CompareWaves(ctx context.Context, access cypher.Scope, sc Scope, before, after string) (*WavesResult, error) {
	if sc.WaveID != "" {
		return nil, apierr.BadUserInput("scope.waveId", "must be left out: compareWaves reads the waves named by before and after")
	}
	scB, scA := sc, sc
	scB.WaveID, scB.WaveField = before, "before"
	scA.WaveID, scA.WaveField = after, "after"
	if _, err := s.store.ProjectionVersion(ctx, scA.ProjectionSpec); err != nil {
		return nil, err
	}
	name := "waves;after=" + after
	v, err := s.result(ctx, access, scB, name, func(ctx context.Context, gb *Graph) (any, error) {
		ga, err := s.graphAt(ctx, access, scA, gb.Version)
		if err != nil {
			return nil, err
		}
		cmpr, err := analysis.CompareWaves(gb.G, ga.G)
		if err != nil {
			return nil, fmt.Errorf("compare waves: %w", err)
		}
		prB, err := centrality(ctx, gb, PageRank, Sampling{})
		if err != nil {
			return nil, err
		}
		prA, err := centrality(ctx, ga, PageRank, Sampling{})
		if err != nil {
			return nil, err
		}
		rankB, rankA := scoreMap(prB.Ranked), scoreMap(prA.Ranked)
		res := &WavesResult{TiesBefore: cmpr.TiesBefore, TiesAfter: cmpr.TiesAfter, Common: cmpr.Common,
			Gained: len(cmpr.Gained), Lost: len(cmpr.Lost), Jaccard: cmpr.Jaccard, NodeCount: gb.G.NodeCount(), Version: gb.Version}
		for _, n := range cmpr.Nodes {
			if n.DegreeBefore == 0 && n.DegreeAfter == 0 {
				continue
			}
			c := NodeWaveChange{NodeChange: n, TiesGained: len(n.Gained), TiesLost: len(n.Lost),
				PageRankBefore: rankB[n.ID], PageRankAfter: rankA[n.ID]}
			c.Gained, c.Lost = nil, nil
			res.Nodes = append(res.Nodes, c)
		}
		slices.SortFunc(res.Nodes, func(a, b NodeWaveChange) int {
			return cmp.Or(cmp.Compare(abs(b.DegreeChange), abs(a.DegreeChange)), cmp.Compare(a.ID, b.ID))
		})
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*WavesResult), nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// scoreMap turns ranked scores back into a map.
func scoreMap(ranked []analysis.Score) map[string]float64 {
	m := make(map[string]float64, len(ranked))
	for _, s := range ranked {
		m[s.ID] = s.Value
	}
	return m
}
