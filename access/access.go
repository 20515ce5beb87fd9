// Package access is the one place that maps a caller (a verified auth.Principal) to what
// they may see: the store's Scope (which people, and what of them), the scope of
// suggestions, the ids they work with (live or their role's pseudonymous ids), whether
// they see sensitive fields as stored, and which roles a field's @auth lets through. The
// server's directives and the resolvers ask it; the store applies the Scope it gives.
//
//	admin      everything
//	worker     people living in their areas (or areas inside them); contact and wellbeing
//	           only with the person's consent; sensitive memberships only in their areas
//	analyst    people who consented to analysis, pseudonymised: no names, contacts or
//	           wellbeing, no memberships of sensitive groups; pseudonymous ids
//	researcher the research copy only (pseudonymous ids); no people through the API
//	partner    nobody; suggestions make their own scope (SuggestionScope)
package access

import (
	"kith/auth"
	"kith/cypher"
)

// Scope is the store's Scope of a caller: what people they may read and write, and what of
// them they see. The most generous role wins. No principal (which the server never lets
// through) sees nobody.
func Scope(p *auth.Principal) cypher.Scope {
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

// SuggestionScope is the scope of suggestions: people who consented to suggestions, and
// for a worker (who is neither admin nor partner) only those living in their areas. A
// partner app serves people wherever they live, so their consent is the only gate.
func SuggestionScope(p *auth.Principal) cypher.Scope {
	s := cypher.Scope{Consent: cypher.ConsentSuggestions}
	if p == nil {
		s.None = true
	} else if p.Has(auth.Worker) && !p.Has(auth.Admin) && !p.Has(auth.Partner) {
		s.Areas = append([]string{}, p.Areas...)
	}
	return s
}

// IDRole is the role whose pseudonymous ids a caller works with, and false for the live
// ids. Admins, workers and partner apps use the live ids; a caller who reads only
// pseudonymised data (an analyst or a researcher who is neither admin nor worker) gets
// their role's, so that nothing they are sent joins back to what another role sees. It
// follows Scope: whoever it pseudonymises gets pseudonymous ids.
func IDRole(p *auth.Principal) (auth.Role, bool) {
	switch {
	case p == nil || p.HasAny(auth.Admin, auth.Worker):
		return "", false
	case p.Has(auth.Analyst):
		return auth.Analyst, true
	case p.Has(auth.Researcher):
		return auth.Researcher, true
	}
	return "", false
}

// SeesSensitive reports whether a caller gets @sensitive fields as stored (their reads are
// then noted for the audit trail): admins and workers, within the Scope.
func SeesSensitive(p *auth.Principal) bool { return p.HasAny(auth.Admin, auth.Worker) }

// Allowed reports whether a caller may use a field that requires one of roles (admins hold
// them all).
func Allowed(p *auth.Principal, roles []auth.Role) bool {
	return p.Has(auth.Admin) || p.HasAny(roles...)
}

// ExportScope is the Scope of a caller's exports (GET /export), and false when their role
// may not export. Admins and workers export what they read through the API; analysts, and
// researchers (whose research copy holds what analysts see), export the analyst's view:
// consenting people only, pseudonymised, without sensitive memberships. Whoever it
// pseudonymises also gets ids of that export's own (package export), never the live ones.
func ExportScope(p *auth.Principal) (cypher.Scope, bool) {
	switch {
	case p == nil:
		return cypher.Scope{None: true}, false
	case p.HasAny(auth.Admin, auth.Worker, auth.Analyst):
		return Scope(p), true
	case p.Has(auth.Researcher):
		return cypher.AnalystScope(), true
	}
	return cypher.Scope{None: true}, false
}
