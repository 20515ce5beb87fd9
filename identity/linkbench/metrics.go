// Package linkbench measures identity resolution on a generated survey (gensurvey):
// Kith's matcher and Splink on the same records, timed, and scored against the survey's
// ground truth with pairwise and B-cubed precision, recall and F1.
package linkbench

// Quality is how well a clustering of mentions matches the truth.
type Quality struct {
	PairPrecision, PairRecall, PairF1       float64
	BCubedPrecision, BCubedRecall, BCubedF1 float64
}

// Score compares predicted clusters with true ones; both map each mention key to a
// cluster label. Pairwise: over pairs of mentions put together. B-cubed: per mention, the
// share of its predicted cluster that is truly its person (precision) and the share of its
// person that is in its predicted cluster (recall), averaged over mentions.
func Score(pred, truth map[string]string) Quality {
	type cell struct{ p, t string }
	cells := map[cell]int{}
	predSize, truthSize := map[string]int{}, map[string]int{}
	for k, t := range truth {
		p := pred[k]
		if p == "" {
			p = "missing:" + k
		}
		cells[cell{p, t}]++
		predSize[p]++
		truthSize[t]++
	}
	pairs := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var tp, predPairs, truePairs, bp, br float64
	for c, n := range cells {
		tp += pairs(n)
		bp += float64(n) * float64(n) / float64(predSize[c.p])
		br += float64(n) * float64(n) / float64(truthSize[c.t])
	}
	for _, n := range predSize {
		predPairs += pairs(n)
	}
	for _, n := range truthSize {
		truePairs += pairs(n)
	}
	var q Quality
	q.PairPrecision, q.PairRecall = ratio(tp, predPairs), ratio(tp, truePairs)
	q.PairF1 = f1(q.PairPrecision, q.PairRecall)
	n := float64(len(truth))
	q.BCubedPrecision, q.BCubedRecall = ratio(bp, n), ratio(br, n)
	q.BCubedF1 = f1(q.BCubedPrecision, q.BCubedRecall)
	return q
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 1
	}
	return a / b
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
