package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Scores maps node ids to the value of one measure. Every node of the Graph has
// an entry; no value is NaN or ±Inf.
type Scores map[string]float64

// Score is one node's value on a measure.
type Score struct {
	ID    string
	Value float64
}

// Ranked returns the scores from highest to lowest, equal values in id order.
func (s Scores) Ranked() []Score {
	out := make([]Score, 0, len(s))
	for id, v := range s {
		out = append(out, Score{ID: id, Value: v})
	}
	slices.SortFunc(out, func(a, b Score) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// scores maps per-index values to ids, replacing any NaN or ±Inf by 0.
func (g *Graph) scores(vals []float64) Scores {
	s := make(Scores, len(vals))
	for i, x := range vals {
		s[g.ids[i]] = finite(x)
	}
	return s
}

// finite returns x, or 0 if x is NaN or ±Inf.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// Weights says whether a measure reads tie weights.
type Weights int

const (
	// Unweighted counts every tie as 1.
	Unweighted Weights = iota
	// Weighted reads tie weights as strengths, as the measure documents.
	Weighted
)

func (w Weights) check() error {
	if w != Unweighted && w != Weighted {
		return fmt.Errorf("%w: weights %d", ErrInvalidOption, w)
	}
	return nil
}

// Direction selects which ties of a directed Graph count towards a degree. In
// an undirected Graph all three are the plain degree.
type Direction int

const (
	// Total counts ties in both directions: in-degree plus out-degree.
	Total Direction = iota
	// In counts ties pointing at the node.
	In
	// Out counts ties leaving the node.
	Out
)

func (d Direction) check() error {
	if d != Total && d != In && d != Out {
		return fmt.Errorf("%w: direction %d", ErrInvalidOption, d)
	}
	return nil
}

// percentRanks returns each value's mid-rank percentile among vals: the share
// of the other values below it plus half the share equal to it, so the unique
// highest scores 1, the unique lowest 0 and a value shared by all 0.5. A single
// value scores 1.
func percentRanks(vals []float64) []float64 {
	n := len(vals)
	out := make([]float64, n)
	if n == 1 {
		out[0] = 1
	}
	if n <= 1 {
		return out
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(vals[a], vals[b]) })
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && vals[idx[hi]] == vals[idx[lo]] {
			hi++
		}
		p := (float64(lo) + 0.5*float64(hi-lo-1)) / float64(n-1)
		for _, i := range idx[lo:hi] {
			out[i] = p
		}
		lo = hi
	}
	return out
}
