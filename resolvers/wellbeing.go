package resolvers

import (
	"context"
	"crypto/rand"
	"io"
	"time"

	"kith/apierr"
	"kith/auth"
	"kith/cypher"
	"kith/dp"
	"kith/graph/model"
)

// This file is the one place where exact wellbeing aggregates (cypher.Wellbeing, from
// wellbeingSummary's statement or networkSummary's projection) become answers. Callers who
// may read the scores one by one get them exactly: admins, and workers, whose scope counts
// only people in their areas who consented to wellbeing being recorded, the same people
// whose Person.wellbeing they read. Analysts, whose scope pseudonymises, never read a
// score, so they get noise (differential privacy, package dp) and pay for it from a budget
// kept in Neo4j; docs/aggregates.md explains why noise and not suppression alone.

// Privacy says how analysts' wellbeing aggregates are protected.
type Privacy struct {
	// Epsilon is the privacy loss of one summary, in dp.MicroEpsilon units.
	Epsilon int64
	// Budget is what one analyst may spend in a period.
	Budget dp.Budget
	// Noise is the source of randomness; nil means crypto/rand.Reader. Only tests set it,
	// to a seeded source.
	Noise io.Reader
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
}

func (p Privacy) noise() io.Reader {
	if p.Noise != nil {
		return p.Noise
	}
	return rand.Reader
}

func (p Privacy) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// noisyWellbeing reports whether the caller gets wellbeing only with noise: a caller whose
// scope pseudonymises (analysts; see scopeOf) never reads a score.
func noisyWellbeing(ctx context.Context) bool { return scopeOf(ctx).Pseudonymise }

// releaseWellbeing turns exact aggregates into answers, one list per partition: the sets
// of one partition must hold different people (the groups of one grouping), so that one
// person's score reaches one set of it. An analyst is charged one summary's ε per
// partition, all at once, before anything is drawn; once their budget would be overspent
// the call fails with FORBIDDEN and releases nothing.
func (r *Resolver) releaseWellbeing(ctx context.Context, partitions ...[]cypher.Wellbeing) ([][]*model.WellbeingSummary, error) {
	k := max(r.MinGroup, 1)
	out := make([][]*model.WellbeingSummary, len(partitions))
	if !noisyWellbeing(ctx) {
		for i, part := range partitions {
			for _, w := range part {
				s := &model.WellbeingSummary{People: w.People, Scored: w.Scored, MinGroup: k, Suppressed: w.Scored < k}
				if !s.Suppressed {
					mean := float64(w.Sum) / float64(w.Scored)
					s.Mean = &mean
				}
				out[i] = append(out[i], s)
			}
		}
		return out, nil
	}
	if len(partitions) == 0 {
		return out, nil
	}
	if err := r.spend(ctx, int64(len(partitions))*r.Privacy.Epsilon); err != nil {
		return nil, err
	}
	lo, hi := r.Store.WellbeingRange()
	m := dp.Mean{Lo: lo, Hi: hi, Epsilon: r.Privacy.Epsilon, MinCount: k}
	for i, part := range partitions {
		for _, w := range part {
			rel, err := m.Release(r.Privacy.noise(), w.Scored, w.Sum)
			if err != nil {
				return nil, err
			}
			s := &model.WellbeingSummary{People: w.People, Scored: rel.Count, Mean: rel.Mean, Suppressed: rel.Suppressed, MinGroup: k,
				Noise: &model.WellbeingNoise{Epsilon: rel.Epsilon, CountScale: rel.CountScale, SumScale: rel.SumScale}}
			if !rel.Suppressed {
				e := rel.MeanError
				s.Noise.MeanError = &e
			}
			out[i] = append(out[i], s)
		}
	}
	return out, nil
}

// spend charges cost (micro-ε) to the caller's budget for the current period.
func (r *Resolver) spend(ctx context.Context, cost int64) error {
	p := auth.FromContext(ctx)
	if p == nil || p.Subject == "" {
		return apierr.Forbidden("", "wellbeing summaries need a caller with a subject, whose privacy budget they spend")
	}
	b := r.Privacy.Budget
	period, ends := b.Window(r.Privacy.now())
	spent, ok, err := r.Store.SpendPrivacy(ctx, p.Subject, period, cost, b.Limit)
	if err != nil {
		return err
	}
	if !ok {
		renews := "it does not renew"
		if !ends.IsZero() {
			renews = "it renews at " + ends.Format(time.RFC3339)
		}
		return apierr.Forbidden("privacyBudget", "privacy budget spent: this answer needs ε %g, and %g of %g is left this period; %s",
			float64(cost)/dp.MicroEpsilon, float64(b.Limit-spent)/dp.MicroEpsilon, float64(b.Limit)/dp.MicroEpsilon, renews)
	}
	return nil
}

// privacyBudget reports the caller's budget, nil for callers whose summaries are exact.
func (r *Resolver) privacyBudget(ctx context.Context) (*model.PrivacyBudget, error) {
	p := auth.FromContext(ctx)
	if !noisyWellbeing(ctx) || p == nil {
		return nil, nil
	}
	b := r.Privacy.Budget
	period, ends := b.Window(r.Privacy.now())
	spent, err := r.Store.PrivacySpent(ctx, p.Subject, period)
	if err != nil {
		return nil, err
	}
	out := &model.PrivacyBudget{PerSummary: float64(r.Privacy.Epsilon) / dp.MicroEpsilon, Limit: float64(b.Limit) / dp.MicroEpsilon,
		Spent: float64(spent) / dp.MicroEpsilon, Remaining: float64(max(b.Limit-spent, 0)) / dp.MicroEpsilon}
	if !ends.IsZero() {
		out.RenewsAt = &ends
	}
	return out, nil
}
