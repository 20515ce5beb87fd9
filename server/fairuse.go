package server

import (
	"context"
	"net/http"
	"sync"

	"kith/cypher"
)

// This file shares Neo4j fairly: each request, and each token across its requests, may
// run only so many statements at once (Config.MaxStatementsPerRequest, ...PerToken), so
// that one caller's thousand aliases queue behind each other instead of holding every
// connection of the pool while other callers wait.

// tokenGates hands out one gate per token, kept while a request of the token runs.
type tokenGates struct {
	perToken int
	mu       sync.Mutex
	gates    map[string]*tokenGate
}

type tokenGate struct {
	gate  *cypher.Gate
	users int
}

func newTokenGates(perToken int) *tokenGates {
	return &tokenGates{perToken: perToken, gates: map[string]*tokenGate{}}
}

// enter returns a context whose statements take a slot of the token's gate and of a gate
// of the request's own, and the function that ends the request's use of the token's gate.
func (t *tokenGates) enter(ctx context.Context, token string, perRequest int) (context.Context, func()) {
	t.mu.Lock()
	g := t.gates[token]
	if g == nil {
		g = &tokenGate{gate: cypher.NewGate(t.perToken, "this token")}
		t.gates[token] = g
	}
	g.users++
	t.mu.Unlock()
	ctx = cypher.WithGates(ctx, cypher.NewGate(perRequest, "this request"), g.gate)
	return ctx, func() {
		t.mu.Lock()
		if g.users--; g.users == 0 {
			delete(t.gates, token)
		}
		t.mu.Unlock()
	}
}

// fairUse bounds the statements the request, and its token over all its requests, run at
// once (tokenGates).
func (s *Server) fairUse(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, leave := s.gates.enter(r.Context(), tokenOf(r.Context()), s.cfg.MaxStatementsPerRequest)
		defer leave()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
