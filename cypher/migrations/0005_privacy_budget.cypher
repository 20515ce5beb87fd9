// 0005: analysts' privacy budgets (cypher/privacy_budget.go), one node per analyst and
// period, found by its key; the constraint also keeps two instances that charge the same
// new budget at once from making two nodes of it.
CREATE CONSTRAINT privacy_budget_key IF NOT EXISTS FOR (b:PrivacyBudget) REQUIRE b.key IS UNIQUE;
