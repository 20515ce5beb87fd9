package server_test

import (
	"testing"

	"kith/cypher"
	"kith/internal/neo4jtest"
	"kith/server"
)

// TestComposedParts serves through parts built outside the server, as kith serve builds
// them: the server runs its resolvers and wires its hooks into them.
func TestComposedParts(t *testing.T) {
	var parts *server.Parts
	e := setupWith(t, func(cfg *server.Config) {
		parts = server.Compose(*cfg, cypher.New(neo4jtest.Driver(t, neo4jtest.URI(t)), cypher.Options{}))
		cfg.Parts = parts
	})
	r := parts.Resolver
	if r.BeforeErase == nil || r.AfterErase == nil || r.AfterRevoke == nil {
		t.Fatal("the server did not wire its erasure and revocation hooks into the composed resolvers")
	}
	if r.Analysis != parts.Analysis || r.Analysis == nil {
		t.Fatal("the composed resolvers do not use the composed analysis service")
	}
	var got struct{ Communities struct{ Count int } }
	e.ok(`{ communities { count } }`, nil, &got)
}
