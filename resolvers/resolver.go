// Package resolvers holds Kith's GraphQL resolvers, one file per schema file. A root
// resolver turns the request's selection set into one store call (one Cypher statement);
// the resolvers of nested fields read what that call already fetched.
package resolvers

import (
	"kith/analysisservice"
	"kith/cypher"
	"kith/survey"
)

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	Store *cypher.Store
	// MinGroup is the smallest group whose wellbeing is shown as an aggregate (k).
	MinGroup int
	// Privacy protects analysts' wellbeing aggregates (wellbeing.go).
	Privacy Privacy
	// BeforeErase, when set, is called before a person is erased (to write pending audit
	// records, which may name them); AfterErase after, to drop what caches may still hold
	// of them.
	// AfterRevoke, when set, is called after tokens are revoked, so that this instance
	// refuses them from its next request.
	AfterRevoke             func()
	BeforeErase, AfterErase func()
	// Analysis computes and caches network analyses (schema/analysis.graphqls); when nil,
	// each analysis request computes afresh, without a cache.
	Analysis *analysisservice.Service
	// ResearchCopy is the research copy refreshResearchCopy refreshes; nil when none is
	// configured.
	ResearchCopy *cypher.ResearchCopy
	// Matcher resolves the people a survey import names (nil: survey.ExactNameMatcher);
	// ImportLimits bound what an import reads (zero: survey.DefaultLimits).
	Matcher      survey.Matcher
	ImportLimits survey.Limits
	// Live configures subscriptions (dashboard.go).
	Live Live
}
