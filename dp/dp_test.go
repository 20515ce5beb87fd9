package dp

import (
	"math"
	"math/big"
	mrand "math/rand/v2"
	"testing"
	"time"
)

// seeded is a deterministic source for tests; production draws from crypto/rand.
func seeded(seed byte) *mrand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return mrand.NewChaCha8(s)
}

// TestDiscreteLaplace draws many samples and compares them with the distribution's
// probabilities (a chi-square statistic over the central values, the tails pooled) and
// variance, 2p/(1−p)² with p = exp(−1/scale).
func TestDiscreteLaplace(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scale *big.Rat
		n     int
	}{
		{"count noise at ε 1 (scale 2)", big.NewRat(2, 1), 40000},
		{"sum noise at ε 1 (scale 56)", big.NewRat(56, 1), 40000},
		{"a fractional scale (10/3)", big.NewRat(10, 3), 40000},
		{"a small scale (1/4)", big.NewRat(1, 4), 40000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := seeded(7)
			scale, _ := tc.scale.Float64()
			p := math.Exp(-1 / scale)
			pmf := func(x int64) float64 { return (1 - p) / (1 + p) * math.Pow(p, math.Abs(float64(x))) }
			// Central values whose expected count is at least 20; the rest pooled per side.
			k := int64(0)
			for float64(tc.n)*pmf(k+1) >= 20 {
				k++
			}
			counts := map[int64]int{}
			var sum, sumSq float64
			for range tc.n {
				x, err := DiscreteLaplace(r, tc.scale)
				if err != nil {
					t.Fatal(err)
				}
				sum += float64(x)
				sumSq += float64(x) * float64(x)
				counts[min(max(x, -k-1), k+1)]++
			}
			chi2, df := 0.0, -1
			for x := -k - 1; x <= k+1; x++ {
				want := float64(tc.n) * pmf(x)
				if x == -k-1 || x == k+1 {
					want = float64(tc.n) * math.Pow(p, float64(k+1)) / (1 + p) // P(X ≥ k+1)
				}
				d := float64(counts[x]) - want
				chi2 += d * d / want
				df++
			}
			// The chi-square distribution's mean is df and its deviation sqrt(2 df): six
			// deviations above is beyond any chance.
			if limit := float64(df) + 6*math.Sqrt(2*float64(df)); chi2 > limit {
				t.Errorf("chi-square %.1f over %d degrees of freedom (limit %.1f): the samples do not follow the distribution", chi2, df, limit)
			}
			mean, variance := sum/float64(tc.n), sumSq/float64(tc.n)-(sum/float64(tc.n))*(sum/float64(tc.n))
			want := 2 * p / ((1 - p) * (1 - p))
			if math.Abs(variance-want) > 0.06*want {
				t.Errorf("variance %.3f, want %.3f", variance, want)
			}
			if se := math.Sqrt(want / float64(tc.n)); math.Abs(mean) > 6*se {
				t.Errorf("mean %.3f is not 0 (standard error %.3f)", mean, se)
			}
		})
	}
}

// TestBernoulliExp checks the frequency of successes against exp(−γ).
func TestBernoulliExp(t *testing.T) {
	r := seeded(3)
	for _, g := range []*big.Rat{big.NewRat(0, 1), big.NewRat(1, 3), big.NewRat(9, 10), big.NewRat(1, 1)} {
		const n = 40000
		hits := 0
		for range n {
			ok, err := bernoulliExp(r, g)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				hits++
			}
		}
		gf, _ := g.Float64()
		want := math.Exp(-gf)
		if se := math.Sqrt(want * (1 - want) / n); math.Abs(float64(hits)/n-want) > 6*se+1e-9 {
			t.Errorf("γ %v: success rate %.4f, want %.4f", g, float64(hits)/n, want)
		}
	}
}

// TestMeanRelease checks a release's promises: the mean within the range, the count never
// below 0, suppression below MinCount by the noisy count, and the stated error bound
// holding in at least 95% of releases.
func TestMeanRelease(t *testing.T) {
	r := seeded(11)
	for _, tc := range []struct {
		name    string
		epsilon int64
		scores  []int
	}{
		{"ten people at ε 1", MicroEpsilon, []int{7, 12, 15, 20, 21, 22, 25, 30, 33, 35}},
		{"forty people at ε 0.5", MicroEpsilon / 2, repeat([]int{14, 18, 27, 31}, 10)},
		{"a hundred people at ε 2, all at the top", 2 * MicroEpsilon, repeat([]int{35}, 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Mean{Lo: 7, Hi: 35, Epsilon: tc.epsilon, MinCount: 5}
			var sum int64
			for _, s := range tc.scores {
				sum += int64(s)
			}
			exact := float64(sum) / float64(len(tc.scores))
			const n = 2000
			released, covered := 0, 0
			for range n {
				rel, err := m.Release(r, len(tc.scores), sum)
				if err != nil {
					t.Fatal(err)
				}
				if rel.Count < 0 || rel.Epsilon != float64(tc.epsilon)/MicroEpsilon {
					t.Fatalf("release %+v", rel)
				}
				if rel.Suppressed != (rel.Mean == nil) || (rel.Suppressed && rel.Count >= m.MinCount) {
					t.Fatalf("suppression does not follow the noisy count: %+v", rel)
				}
				if rel.Suppressed {
					continue
				}
				released++
				if *rel.Mean < 7 || *rel.Mean > 35 {
					t.Fatalf("mean %v outside the range", *rel.Mean)
				}
				if math.Abs(*rel.Mean-exact) <= rel.MeanError+1e-9 { // the bound can be met exactly
					covered++
				}
			}
			if released < n/2 {
				t.Fatalf("only %d of %d releases gave a mean", released, n)
			}
			if share := float64(covered) / float64(released); share < 0.95 {
				t.Errorf("the error bound held in %.3f of releases, promised at least 0.95", share)
			}
		})
	}
	for _, bad := range []Mean{{Lo: 7, Hi: 7, Epsilon: 1, MinCount: 1}, {Lo: 7, Hi: 35, Epsilon: 0, MinCount: 1}, {Lo: 7, Hi: 35, Epsilon: 1, MinCount: 0}} {
		if _, err := bad.Release(r, 10, 200); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}

func repeat(xs []int, n int) []int {
	var out []int
	for range n {
		out = append(out, xs...)
	}
	return out
}

// TestBudgetWindow checks that periods are cut the same way at every instant inside one,
// and that a budget without a period never renews.
func TestBudgetWindow(t *testing.T) {
	day := 24 * time.Hour
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, tc := range []struct {
		name     string
		b        Budget
		a, b2    time.Time
		same     bool
		wantsEnd bool
	}{
		{"one day: morning and evening", Budget{Limit: 1, Period: day}, at("2026-12-04T01:00:00Z"), at("2026-12-04T23:00:00Z"), true, true},
		{"one day: either side of midnight", Budget{Limit: 1, Period: day}, at("2026-12-04T23:59:00Z"), at("2026-12-05T00:01:00Z"), false, true},
		{"time zones do not matter", Budget{Limit: 1, Period: day}, at("2026-12-04T10:00:00+09:00"), at("2026-12-04T00:30:00Z"), true, true},
		{"never renews", Budget{Limit: 1}, at("2026-01-01T00:00:00Z"), at("2031-06-01T00:00:00Z"), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k1, end := tc.b.Window(tc.a)
			k2, _ := tc.b.Window(tc.b2)
			if (k1 == k2) != tc.same {
				t.Errorf("windows %q and %q", k1, k2)
			}
			if end.IsZero() == tc.wantsEnd || (tc.wantsEnd && !end.After(tc.a)) {
				t.Errorf("end %v for %v", end, tc.a)
			}
		})
	}
	if err := (Budget{Limit: Micro(10), Period: day}).Check(Micro(1)); err != nil {
		t.Error(err)
	}
	for _, bad := range []struct {
		b   Budget
		eps int64
	}{{Budget{Limit: Micro(0.5), Period: day}, Micro(1)}, {Budget{Limit: Micro(1), Period: day}, 0}, {Budget{Limit: Micro(1), Period: -day}, Micro(1)}} {
		if err := bad.b.Check(bad.eps); err == nil {
			t.Errorf("%+v with ε %d accepted", bad.b, bad.eps)
		}
	}
}
