package seed

import (
	"math"
	"math/rand/v2"
	"slices"
)

// pickFrom draws an element of a non-empty list.
func pickFrom[T any](rng *rand.Rand, list []T) (T, bool) {
	var zero T
	if len(list) == 0 {
		return zero, false
	}
	return list[rng.IntN(len(list))], true
}

// pickIndex draws an index with probability proportional to its weight.
func pickIndex(rng *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// pickWeighted draws an index into a non-empty list of cumulative weights.
func pickWeighted(rng *rand.Rand, cum []float64) int {
	i, _ := slices.BinarySearch(cum, rng.Float64()*cum[len(cum)-1])
	return min(i, len(cum)-1)
}

// poisson draws from a Poisson distribution with a small mean (Knuth's method).
func poisson(rng *rand.Rand, mean float64) int {
	limit, p, k := math.Exp(-mean), rng.Float64(), 0
	for p > limit {
		p *= rng.Float64()
		k++
	}
	return k
}
