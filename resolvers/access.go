package resolvers

import (
	"context"

	"kith/auth"
	"kith/cypher"
)

// scopeOf turns the caller's verified roles into the store's Scope: what people they may
// read and write, and what of them they see. The most generous role wins. A request
// without a principal (which the server never lets through) sees nobody.
//
//	admin      everything
//	worker     people living in their areas (or areas inside them); contact and wellbeing
//	           only with the person's consent; sensitive memberships only in their areas
//	analyst    people who consented to analysis, pseudonymised: no names, contacts or
//	           wellbeing, no memberships of sensitive groups
//	partner    nobody; suggestions make their own scope (suggestionScope)
func scopeOf(ctx context.Context) cypher.Scope {
	p := auth.FromContext(ctx)
	switch {
	case p == nil:
		return cypher.Scope{None: true}
	case p.Has(auth.Admin):
		return cypher.Scope{}
	case p.Has(auth.Worker):
		areas := append([]string{}, p.Areas...)
		return cypher.Scope{Areas: areas, RespectConsent: true}
	case p.Has(auth.Analyst):
		return cypher.AnalystScope()
	}
	return cypher.Scope{None: true, Pseudonymise: true, HideSensitive: true}
}

// suggestionScope is the scope of suggestions: people who consented to suggestions, and for
// a worker (who is neither admin nor partner) only those living in their areas. A partner
// app serves people wherever they live, so their consent is the only gate.
func suggestionScope(ctx context.Context) cypher.Scope {
	s := cypher.Scope{Consent: cypher.ConsentSuggestions}
	if p := auth.FromContext(ctx); p == nil {
		s.None = true
	} else if p.Has(auth.Worker) && !p.Has(auth.Admin) && !p.Has(auth.Partner) {
		s.Areas = append([]string{}, p.Areas...)
	}
	return s
}
