package server

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"kith/access"
	"kith/auth"
)

// rootFields returns the kind ("query", "mutation" or "subscription") of the field of ctx
// when it is a root field of schema other than introspection, and false otherwise.
func rootFields(schema *ast.Schema) func(fc *graphql.FieldContext) (string, bool) {
	roots := map[string]string{}
	if schema.Query != nil {
		roots[schema.Query.Name] = "query"
	}
	if schema.Mutation != nil {
		roots[schema.Mutation.Name] = "mutation"
	}
	if schema.Subscription != nil {
		roots[schema.Subscription.Name] = "subscription"
	}
	return func(fc *graphql.FieldContext) (string, bool) {
		kind, ok := roots[fc.Object]
		return kind, ok && !strings.HasPrefix(fc.Field.Name, "__")
	}
}

// authorise checks every root field (of Query and Mutation) against its @auth, or its
// type's, and, failing both, lets only admins through.
func (s *Server) authorise(schema *ast.Schema) graphql.FieldMiddleware {
	root := rootFields(schema)
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if _, ok := root(fc); !ok {
			return next(ctx)
		}
		p := principal(ctx)
		roles, ok := requiredRoles(fc.Field.Definition.Directives)
		if !ok && fc.Field.ObjectDefinition != nil {
			roles, ok = requiredRoles(fc.Field.ObjectDefinition.Directives)
		}
		if !ok {
			roles = []auth.Role{auth.Admin}
		}
		if !access.Allowed(p, roles) {
			s.log.InfoContext(ctx, "forbidden", "request_id", RequestID(ctx), "field", fc.Field.Name, "sub", p.Subject)
			return nil, refusal(p, fc.Field.Name, roles)
		}
		return next(ctx)
	}
}
