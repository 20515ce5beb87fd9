package dp

import (
	"fmt"
	"io"
	"math"
	"math/big"
)

// MicroEpsilon is the unit privacy loss is counted in: one millionth of ε, so that budgets
// add up exactly.
const MicroEpsilon = 1_000_000

// Mean releases the mean of integer scores bounded to [Lo, Hi] with ε-differential
// privacy towards any one person's score (whether it is there, and so what it is): half of
// ε buys a noisy count of the scores, the other half a noisy sum of the scores measured
// from the middle of the range. The mean is given only when the noisy count reaches
// MinCount, so a decision to withhold depends on the noise as well.
type Mean struct {
	// Lo and Hi bound every score; a score outside is counted as the bound.
	Lo, Hi int
	// Epsilon is the privacy loss of one release, in MicroEpsilon units (at least 1).
	Epsilon int64
	// MinCount is the smallest noisy count whose mean is given (at least 1).
	MinCount int
}

// Release is one noisy mean.
type Release struct {
	// Count is the noisy number of scores (never below 0).
	Count int
	// Mean is the noisy mean, within [Lo, Hi]; nil when Suppressed.
	Mean *float64
	// Suppressed is set when the noisy count is below MinCount.
	Suppressed bool
	// Epsilon is the privacy loss of the release (ε, not micro-ε).
	Epsilon float64
	// CountScale and SumScale are the scales of the discrete Laplace noise added to the
	// count and to the centred sum (the sum of 2·score − Lo − Hi).
	CountScale, SumScale float64
	// MeanError is a bound that holds with probability at least 0.95: |Mean − exact
	// mean| ≤ MeanError. 0 when Suppressed.
	MeanError float64
}

// check validates the mechanism's parameters.
func (m Mean) check() error {
	if m.Hi <= m.Lo || m.Epsilon < 1 || m.MinCount < 1 {
		return fmt.Errorf("dp: mean needs Lo < Hi, Epsilon ≥ 1 micro-ε and MinCount ≥ 1, not %+v", m)
	}
	return nil
}

// scales returns the noise scales: the count moves by at most 1 when a score comes or
// goes, the centred sum by at most Hi − Lo; each gets ε/2.
func (m Mean) scales() (count, sum *big.Rat) {
	half := big.NewRat(m.Epsilon, 2*MicroEpsilon) // ε/2
	count = new(big.Rat).Inv(half)
	sum = new(big.Rat).Mul(big.NewRat(int64(m.Hi-m.Lo), 1), count)
	return count, sum
}

// Release adds noise to the exact count of scores and their exact sum (each score already
// bounded to [Lo, Hi]) and returns the noisy mean, drawing randomness from r.
func (m Mean) Release(r io.Reader, count int, sum int64) (Release, error) {
	if err := m.check(); err != nil {
		return Release{}, err
	}
	cs, ss := m.scales()
	nc, err := DiscreteLaplace(r, cs)
	if err != nil {
		return Release{}, err
	}
	ns, err := DiscreteLaplace(r, ss)
	if err != nil {
		return Release{}, err
	}
	centred := 2*sum - int64(count)*int64(m.Lo+m.Hi)
	noisyCount := int64(count) + nc
	out := Release{Count: int(max(noisyCount, 0)), Epsilon: float64(m.Epsilon) / MicroEpsilon}
	out.CountScale, _ = cs.Float64()
	out.SumScale, _ = ss.Float64()
	if noisyCount < int64(m.MinCount) {
		out.Suppressed = true
		return out, nil
	}
	mean := float64(m.Lo+m.Hi)/2 + float64(centred+ns)/(2*float64(noisyCount))
	mean = min(max(mean, float64(m.Lo)), float64(m.Hi))
	out.Mean = &mean
	// The error before clamping is (Ns − d·Nc) / (2·noisy count), where d, the exact mean's
	// centred double, lies within ±(Hi − Lo): each noise stays within its 0.975 bound with
	// probability 0.975, so both do with at least 0.95. Clamping only brings the mean nearer.
	out.MeanError = (tail975(out.SumScale) + float64(m.Hi-m.Lo)*tail975(out.CountScale)) / (2 * float64(noisyCount))
	return out, nil
}

// tail975 is the smallest k with P(|X| > k) ≤ 0.025 for X discrete Laplace of the scale:
// P(|X| ≥ j) = 2p^j/(1+p) with p = exp(−1/scale), for j ≥ 1.
func tail975(scale float64) float64 {
	p := math.Exp(-1 / scale)
	j := math.Ceil(math.Log(0.025*(1+p)/2) / math.Log(p))
	return max(j-1, 0)
}
