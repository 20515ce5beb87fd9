// Package auth verifies the bearer tokens (JWTs) that callers present and says who the
// caller is: a Principal with roles and, for community workers, the areas they cover.
//
// Tokens are signed with HS256 (a shared secret) or with RS256 or ES256 (a public key in a
// PEM file or a JWKS file). The algorithm is pinned to the key: a token signed with "none",
// or an HS256 token whose secret is the RSA public key, is refused. exp, nbf, iss and aud
// are checked and exp is required. Refusals carry a reason a person can read and never
// quote the token.
package auth

import (
	"context"
	"slices"
	"time"
)

// Role is what a caller may do. A token carries one or more.
type Role string

// The roles Kith knows.
const (
	// Admin may do everything, including erasure and configuration.
	Admin Role = "admin"
	// Worker (a community worker) reads and writes people, ties and groups in their areas.
	Worker Role = "worker"
	// Analyst reads pseudonymised data: no names, no contacts, wellbeing only in aggregate.
	Analyst Role = "analyst"
	// Partner (a partner app) may call only the suggestion queries.
	Partner Role = "partner"
	// Researcher is a grant, on top of analyst, for the read-only Cypher endpoint.
	Researcher Role = "researcher"
)

// Roles lists every role, in the order the documentation gives them.
func Roles() []Role { return []Role{Admin, Worker, Analyst, Partner, Researcher} }

// Known reports whether r is one of the roles Kith knows.
func (r Role) Known() bool { return slices.Contains(Roles(), r) }

// Principal is the verified caller of one request.
type Principal struct {
	// Subject is the token's sub claim: who the caller is, as the issuer names them. It is
	// what the audit trail records.
	Subject string
	// Roles are the roles the token grants.
	Roles []Role
	// Areas are the ids of the areas a worker covers (an area includes the areas inside it).
	Areas []string
	// IssuedAt is the token's iat claim; zero when it has none. A revocation of the subject
	// (server: revokeTokens) refuses the tokens issued before it.
	IssuedAt time.Time
}

// Has reports whether the principal holds the role.
func (p *Principal) Has(r Role) bool { return p != nil && slices.Contains(p.Roles, r) }

// HasAny reports whether the principal holds at least one of the roles.
func (p *Principal) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

type ctxKey struct{}

// WithPrincipal returns a context carrying the principal.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of the request ctx belongs to, or nil when the
// request carried no verified token.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}
