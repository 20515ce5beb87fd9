package server

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"kith/access"
	"kith/apierr"
	"kith/auth"
	"kith/graph/model"
	"kith/pseudonym"
)

// This file enforces the access rules the schema declares (schema/auth.graphqls):
//
//   - @auth(requires: [...]) on a field, or on the Query or Mutation type as the default
//     for their fields: the caller must hold one of the roles (admins hold them all). A root
//     field with neither is for admins only, so a new query is closed until someone opens
//     it. Partners are refused everything today: no root field lists PARTNER. The
//     suggestion queries will open it with @auth(requires: [ADMIN, WORKER, PARTNER]).
//   - @sensitive(kind: ...) on a field: a role that may not see the kind gets null (for a
//     name, an analyst gets the pseudonym) and never the value; the reads of roles that may
//     are noted for the audit trail.
//
// Which people a caller reaches, and what the store returns of them, is narrowed again in
// the store by the Scope the resolvers make; package access maps a caller to both.

// idCodec is the ids the caller works with (access.IDRole): nil for the live ids.
func (s *Server) idCodec(p *auth.Principal) *pseudonym.Codec {
	if role, ok := access.IDRole(p); ok {
		return s.cfg.Pseudonyms.For(string(role))
	}
	return nil
}

// rolesOf turns the schema's Role enum values into auth roles.
func rolesOf(values []model.Role) []auth.Role {
	out := make([]auth.Role, len(values))
	for i, v := range values {
		out[i] = auth.Role(strings.ToLower(string(v)))
	}
	return out
}

// refusal explains why a field is refused to the caller.
func refusal(p *auth.Principal, field string, roles []auth.Role) error {
	if p == nil {
		return apierr.Unauthenticated("a bearer token is required", nil)
	}
	if p.Has(auth.Partner) && !slices.Contains(roles, auth.Partner) {
		return apierr.Forbidden(field, "partner apps may use only the suggestion queries")
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return apierr.Forbidden(field, "needs the role %s; your token grants %s", strings.Join(names, " or "), strings.Join(roleNames(p), ", "))
}

// authDirective implements @auth on fields.
func authDirective(ctx context.Context, _ any, next graphql.Resolver, requires []model.Role) (any, error) {
	roles := rolesOf(requires)
	p := principal(ctx)
	if !access.Allowed(p, roles) {
		return nil, refusal(p, fieldName(ctx), roles)
	}
	return next(ctx)
}

func fieldName(ctx context.Context) string {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Field.Name
	}
	return ""
}

// requiredRoles reads an @auth directive's roles from a list of directives.
func requiredRoles(dirs ast.DirectiveList) ([]auth.Role, bool) {
	d := dirs.ForName("auth")
	if d == nil {
		return nil, false
	}
	arg := d.Arguments.ForName("requires")
	if arg == nil || arg.Value == nil {
		return nil, true
	}
	var roles []auth.Role
	for _, c := range arg.Value.Children {
		roles = append(roles, auth.Role(strings.ToLower(c.Value.Raw)))
	}
	return roles, true
}

// sensitiveDirective implements @sensitive: what each role gets of a sensitive field.
func sensitiveDirective(ctx context.Context, obj any, next graphql.Resolver, kind model.SensitiveKind) (any, error) {
	if access.SeesSensitive(principal(ctx)) {
		res, err := next(ctx)
		if err == nil && !isNil(res) {
			readLogFrom(ctx).note(nodeID(obj), strings.ToLower(string(kind)))
		}
		return res, err
	}
	switch kind {
	case model.SensitiveKindName:
		// Never a name: a pseudonymising caller gets their role's own pseudonym of a person
		// (not the stored one, which workers see beside the name), the role of a familiar
		// stranger.
		var name *string
		if person, ok := obj.(*model.Person); ok {
			if n := pseudonym.FromContext(ctx).Name(person.ID); n != "" {
				name = &n
			}
		}
		if fieldName(ctx) == "label" {
			switch n := obj.(type) {
			case *model.Person:
				if name != nil {
					return *name, nil
				}
				return "", nil
			case *model.FamiliarStranger:
				return n.Role, nil
			}
			return "", nil
		}
		return name, nil
	case model.SensitiveKindMembership:
		if g, ok := obj.(*model.Group); ok && g.Sensitive {
			return []*model.Membership{}, nil
		}
		res, err := next(ctx)
		if err != nil {
			return nil, err
		}
		list, ok := res.([]*model.Membership)
		if !ok {
			return nil, fmt.Errorf("@sensitive(MEMBERSHIP) on a field of %T", res)
		}
		out := list[:0:0]
		for _, m := range list {
			if !m.GroupSensitive {
				out = append(out, m)
			}
		}
		return out, nil
	}
	return nil, nil
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *string:
		return x == nil
	case *int:
		return x == nil
	case *float64:
		return x == nil
	}
	return false
}

// nodeID is the id of the node a sensitive field belongs to.
func nodeID(obj any) string {
	switch n := obj.(type) {
	case *model.Person:
		return n.ID
	case *model.Group:
		return n.ID
	case *model.FamiliarStranger:
		return n.ID
	case *model.Observation:
		return n.PersonID
	case *model.HelpMatch:
		return n.PersonID
	case *model.VolunteerMatch:
		return n.PersonID
	case *model.Companion:
		return n.PersonID
	}
	return ""
}
