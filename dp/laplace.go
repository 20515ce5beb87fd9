// Package dp releases aggregates of special-category data (wellbeing scores) with
// differential privacy: exact integer noise from the discrete Laplace distribution, drawn
// with the exact sampler of Canonne, Kamath and Steinke ("The Discrete Gaussian for
// Differential Privacy", NeurIPS 2020, Algorithms 1 and 2), so no floating-point
// arithmetic touches the noise (Mironov's attack on floating-point Laplace noise does not
// apply). The randomness comes from an io.Reader: crypto/rand.Reader in production.
//
// docs/aggregates.md explains the mechanism, the guarantee and its limits.
package dp

import (
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
)

var (
	bigOne = big.NewInt(1)
	bigTwo = big.NewInt(2)
	ratOne = big.NewRat(1, 1)
)

// bernoulli returns true with probability num/den (0 ≤ num ≤ den, den > 0).
func bernoulli(r io.Reader, num, den *big.Int) (bool, error) {
	u, err := rand.Int(r, den)
	if err != nil {
		return false, fmt.Errorf("dp: randomness: %w", err)
	}
	return u.Cmp(num) < 0, nil
}

// bernoulliExp returns true with probability exp(-g), for a rational g in [0, 1]
// (Canonne, Kamath and Steinke, Algorithm 1): the number of Bernoulli(g/k) successes in a
// row, for k = 1, 2, ..., is even with exactly that probability.
func bernoulliExp(r io.Reader, g *big.Rat) (bool, error) {
	k := int64(1)
	for {
		den := new(big.Int).Mul(g.Denom(), big.NewInt(k))
		ok, err := bernoulli(r, g.Num(), den)
		if err != nil {
			return false, err
		}
		if !ok {
			return k%2 == 1, nil
		}
		k++
	}
}

// DiscreteLaplace draws an integer X with P(X = x) ∝ exp(-|x|/scale), for a rational
// scale > 0 (Canonne, Kamath and Steinke, Algorithm 2). Added to an integer query whose
// value one person can move by at most Δ, with scale = Δ/ε, it gives ε-differential
// privacy.
func DiscreteLaplace(r io.Reader, scale *big.Rat) (int64, error) {
	if scale.Sign() <= 0 {
		return 0, fmt.Errorf("dp: scale must be positive")
	}
	t, s := scale.Num(), scale.Denom() // scale = t/s
	for {
		u, err := rand.Int(r, t)
		if err != nil {
			return 0, fmt.Errorf("dp: randomness: %w", err)
		}
		keep, err := bernoulliExp(r, new(big.Rat).SetFrac(u, t))
		if err != nil {
			return 0, err
		}
		if !keep {
			continue
		}
		v := int64(0)
		for {
			more, err := bernoulliExp(r, ratOne)
			if err != nil {
				return 0, err
			}
			if !more {
				break
			}
			v++
		}
		x := new(big.Int).Add(u, new(big.Int).Mul(t, big.NewInt(v)))
		y := x.Quo(x, s)
		negative, err := bernoulli(r, bigOne, bigTwo)
		if err != nil {
			return 0, err
		}
		if negative && y.Sign() == 0 {
			continue
		}
		if !y.IsInt64() {
			continue // beyond 2^63: never in practice; drawing again keeps the distribution's shape
		}
		if negative {
			return -y.Int64(), nil
		}
		return y.Int64(), nil
	}
}
