package server

import (
	"github.com/vektah/gqlparser/v2/ast"

	"kith/analysisservice"
	"kith/cypher"
	"kith/resolvers"
)

// Parts are what a server runs over besides its store, built by the composition root (kith
// serve) with Compose and handed to New in Config.Parts: the resolvers, the analysis
// service with its cache, the research copy and the caches of parsed and persisted
// queries. New wires the server's own hooks into the resolvers: write pending audit
// records before an erasure, empty the caches after it, poll revocations after a
// revocation.
type Parts struct {
	Resolver *resolvers.Resolver
	Analysis *analysisservice.Service
	// Research is the research copy, nil when Config.ResearchStore is not set.
	Research *cypher.ResearchCopy
	caches   *caches
}

// Compose builds the parts of a server over store from cfg; New composes them itself when
// Config.Parts is nil (tests).
func Compose(cfg Config, store *cypher.Store) *Parts {
	p := &Parts{Analysis: analysisservice.New(store, analysisservice.Options{Telemetry: cfg.Telemetry})}
	if cfg.ResearchStore != nil {
		p.Research = cypher.NewResearchCopy(store, cfg.ResearchStore, cfg.Pseudonyms)
	}
	p.caches = &caches{queries: newCache[*ast.QueryDocument](1000), persisted: newCache[string](1000), analyses: p.Analysis}
	p.Resolver = &resolvers.Resolver{Store: store, MinGroup: cfg.MinGroup, Privacy: cfg.privacy(), Analysis: p.Analysis,
		ResearchCopy: p.Research, ImportLimits: cfg.importLimits(), Matcher: cfg.Matcher, Live: cfg.liveConfig()}
	return p
}
