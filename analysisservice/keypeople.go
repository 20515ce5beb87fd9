package analysisservice

import (
	"context"
	"fmt"

	"kith/analysis"
	"kith/apierr"
	"kith/cypher"
)

// Role is a key-people role, named as the GraphQL enum KeyRole names it.
type Role string

// The roles.
const (
	Connector   Role = "CONNECTOR"
	Maven       Role = "MAVEN"
	Salesperson Role = "SALESPERSON"
)

// MaxCandidates is the most candidates KeyPeople returns.
const MaxCandidates = 500

// KeyPeopleResult ranks candidates for one role.
type KeyPeopleResult struct {
	Role       Role
	Candidates []analysis.Candidate
	// Eligible counts the people the percentiles are taken over.
	Eligible int
	// Scope is the scope read, with the role's default kinds filled in.
	Scope Scope
	// Nodes and Ties describe the graph; Version is its graph version.
	Nodes, Ties int
	Version     string
}

// RoleScope fills in the tie kinds a role reads when the scope names none: every
// person-to-person kind for connectors; GETS_INFO_FROM and TRUSTS for advice for mavens
// (ties from the one who asks to the one asked); ENCOURAGES for salespeople (from the one
// who encourages to the one encouraged).
func RoleScope(sc Scope, role Role) Scope {
	if sc.Kinds != nil {
		return sc
	}
	switch role {
	case Maven:
		sc.Kinds = []string{"GETS_INFO_FROM", "TRUSTS"}
		if sc.TrustPurposes == nil {
			sc.TrustPurposes = []string{"ADVICE"}
		}
	case Salesperson:
		sc.Kinds = []string{"ENCOURAGES"}
	}
	return sc
}

// KeyPeople ranks the people of the scope as candidates for the role (see
// analysis.Graph.Connectors, Mavens and Salespeople), at most first of them. Only people
// are candidates, and percentiles are taken among the people of the graph. Mavens'
// betweenness is estimated from a sample when sampling.K is set.
func (s *Service) KeyPeople(ctx context.Context, access cypher.Scope, sc Scope, role Role, first int, sampling Sampling) (*KeyPeopleResult, error) {
	if first < 0 || first > MaxCandidates {
		return nil, apierr.BadUserInput("first", "must be between 0 and %d", MaxCandidates)
	}
	if err := sampling.check("sample"); err != nil {
		return nil, err
	}
	switch role {
	case Connector, Maven, Salesperson:
	default:
		return nil, apierr.BadUserInput("role", "%q is not a key-people role", role)
	}
	sc = RoleScope(sc, role)
	name := fmt.Sprintf("keypeople=%s;first=%d;%s", role, first, sampling.key())
	v, err := s.result(ctx, access, sc, name, func(ctx context.Context, g *Graph) (any, error) {
		eligible := 0
		for _, n := range g.Nodes {
			if n.Label == "Person" {
				eligible++
			}
		}
		o := analysis.KeyPeopleOptions{
			Limit:    first,
			Eligible: func(id string, _ map[string]string) bool { return g.Label(id) == "Person" },
		}
		if sampling.K != nil && *sampling.K < g.G.NodeCount() {
			o.Sample = &analysis.Sample{K: *sampling.K, Seed: sampling.Seed}
		}
		var cands []analysis.Candidate
		var err error
		switch role {
		case Connector:
			cands, err = g.G.Connectors(ctx, o)
		case Maven:
			cands, err = g.G.Mavens(ctx, o)
		case Salesperson:
			cands, err = g.G.Salespeople(ctx, o)
		}
		if err != nil {
			return nil, fmt.Errorf("key people %s: %w", role, err)
		}
		if first == 0 {
			cands = nil
		}
		return &KeyPeopleResult{Role: role, Candidates: cands, Eligible: eligible, Scope: sc,
			Nodes: g.G.NodeCount(), Ties: g.G.TieCount(), Version: g.Version}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*KeyPeopleResult), nil
}
