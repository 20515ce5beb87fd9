package dp

import (
	"fmt"
	"time"
)

// Budget is how much privacy loss one analyst may spend in a period, in MicroEpsilon units.
type Budget struct {
	// Limit is what may be spent in one period.
	Limit int64
	// Period is how long a budget lasts. Periods are cut from a fixed origin (Go's zero
	// time, January 1 of year 1, UTC), so every instance cuts the same ones. 0: the budget
	// never renews.
	Period time.Duration
}

// Window returns the period that holds t: a key naming it, and when it ends (the zero
// time when the budget never renews).
func (b Budget) Window(t time.Time) (key string, end time.Time) {
	if b.Period <= 0 {
		return "always", time.Time{}
	}
	start := t.UTC().Truncate(b.Period)
	return start.Format(time.RFC3339), start.Add(b.Period)
}

// Micro converts ε to MicroEpsilon units, rounding to the nearest.
func Micro(epsilon float64) int64 {
	return int64(epsilon*MicroEpsilon + 0.5)
}

// Check validates a privacy loss per release against the budget.
func (b Budget) Check(perRelease int64) error {
	if perRelease < 1 {
		return fmt.Errorf("dp: epsilon per summary must be positive (at least 0.000001)")
	}
	if b.Limit < perRelease {
		return fmt.Errorf("dp: the budget (%g) must hold at least one summary (%g)", float64(b.Limit)/MicroEpsilon, float64(perRelease)/MicroEpsilon)
	}
	if b.Period < 0 {
		return fmt.Errorf("dp: the budget's period must not be negative")
	}
	return nil
}
