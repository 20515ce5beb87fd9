package cypher

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// PrivacyBudgetLabel is the label of the nodes that count what each analyst has spent of
// their privacy budget in one period: (:PrivacyBudget {key, subject, period, spent}),
// spent in millionths of ε. They live in Neo4j so that every instance serving Kith draws
// on the same budget.
const PrivacyBudgetLabel = "PrivacyBudget"

// budgetKey names one analyst's budget in one period.
func budgetKey(subject, period string) string { return period + "|" + subject }

// SpendPrivacy charges cost to the subject's budget for the period, unless that would take
// what they spent past limit: it reports what is spent after the call and whether the
// charge was made. The charge is one write transaction that locks the budget's node before
// reading it, so calls through any number of instances at once never spend more than
// limit between them.
func (s *Store) SpendPrivacy(ctx context.Context, subject, period string, cost, limit int64) (spent int64, charged bool, err error) {
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return s.run(ctx, tx, `MERGE (b:`+PrivacyBudgetLabel+` {key: $key})
ON CREATE SET b.subject = $subject, b.period = $period, b.spent = 0
SET b.chargedAt = datetime()
WITH b, b.spent + $cost <= $limit AS fits
SET b.spent = CASE WHEN fits THEN b.spent + $cost ELSE b.spent END
RETURN b.spent, fits`, map[string]any{"key": budgetKey(subject, period), "subject": subject, "period": period,
			"cost": cost, "limit": limit})
	})
	if err != nil {
		return 0, false, err
	}
	v := res.([]*neo4j.Record)[0].Values
	return v[0].(int64), v[1].(bool), nil
}

// PrivacySpent returns what the subject has spent of their budget for the period.
func (s *Store) PrivacySpent(ctx context.Context, subject, period string) (int64, error) {
	recs, err := s.query(ctx, `OPTIONAL MATCH (b:`+PrivacyBudgetLabel+` {key: $key}) RETURN coalesce(b.spent, 0)`,
		map[string]any{"key": budgetKey(subject, period)})
	if err != nil {
		return 0, err
	}
	return recs[0].Values[0].(int64), nil
}
