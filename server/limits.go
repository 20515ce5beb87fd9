package server

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kith/auth"
	"kith/cypher"
)

// This file holds the limits on one GraphQL operation, checked before anything runs:
// schema introspection (development or administrators only), depth and cost.

// introspectionGate allows introspection when the server is in development mode or the
// caller is an administrator.
type introspectionGate struct{ always bool }

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = introspectionGate{}

// ExtensionName names the extension.
func (introspectionGate) ExtensionName() string { return "KithIntrospection" }

// Validate accepts any schema.
func (introspectionGate) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext turns introspection on for the callers allowed it.
func (g introspectionGate) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	op.DisableIntrospection = !g.allows(ctx)
	return nil
}

// allows reports whether the caller may see the schema: by introspection, and in the
// suggestions of validation errors (presentError).
func (g introspectionGate) allows(ctx context.Context) bool {
	return g.always || principal(ctx).Has(auth.Admin)
}

// depthLimit refuses operations nested deeper than max fields. Introspection fields are
// not counted: their depth is the schema's, not the data's.
type depthLimit struct{ max int }

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = depthLimit{}

// ExtensionName names the extension.
func (depthLimit) ExtensionName() string { return "KithDepthLimit" }

// Validate accepts any schema.
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext measures the operation's depth.
func (d depthLimit) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	if n := depth(op.Operation.SelectionSet, map[string]bool{}); n > d.max {
		err := gqlerror.Errorf("the operation is nested %d fields deep; at most %d are allowed", n, d.max)
		err.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

// depth is the deepest chain of fields in set, through fragments (each fragment is
// followed once per chain: validation has already refused cycles).
func depth(set ast.SelectionSet, seen map[string]bool) int {
	best := 0
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + depth(s.SelectionSet, seen)
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, seen)
		case *ast.FragmentSpread:
			if s.Definition == nil || seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			d = depth(s.Definition.SelectionSet, seen)
			delete(seen, s.Name)
		}
		best = max(best, d)
	}
	return best
}

// costed gives list fields a cost that grows with how many items they may return: a
// field with a first, last or ids argument, or a connection, costs 1 plus its items
// times the cost of one item. gqlgen's complexity extension adds these costs up.
type costed struct {
	graphql.ExecutableSchema
	defaultPage int
}

// Complexity returns the cost of one field, given the cost of its selection. Each relation
// filter (some, none) in its where argument multiplies the cost again: the store walks the
// relation for every candidate.
func (c costed) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	n, isList := c.items(typeName, field, args)
	if !isList {
		return c.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
	}
	cost := safeCost(1, safeMul(n, max(child, 1)))
	return safeMul(cost, 1+relationFilters(args["where"])), true
}

// sizeArgs are the arguments that bound how many items a field reads or returns, with the
// most the store accepts: a page (first, last), an ego network's nodes (maxNodes), routes
// (k). Past the most the store refuses the argument itself, with its name.
var sizeArgs = []struct {
	name string
	most int
}{{"first", cypher.MaxNested}, {"last", cypher.MaxNested}, {"maxNodes", cypher.MaxEgoNodes}, {"k", cypher.MaxRoutes}}

// items returns how many items a list field may return, or a question read.
func (c costed) items(typeName, field string, args map[string]any) (int, bool) {
	for _, name := range []string{"ids", "people"} {
		if ids, ok := args[name].([]any); ok {
			if name == "people" {
				// reach explores from each person: count a page of people for each.
				return safeMul(len(ids), c.defaultPage), true
			}
			return len(ids), true
		}
	}
	for _, a := range sizeArgs {
		if n, ok := intValue(args[a.name]); ok {
			return min(max(n, 0), a.most), true
		}
	}
	if def := c.Schema().Types[typeName]; def != nil {
		if f := def.Fields.ForName(field); f != nil && strings.HasSuffix(f.Type.Name(), "Connection") {
			return c.defaultPage, true
		}
	}
	return 0, false
}

func intValue(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

const maxCost = 1 << 40

// relationFilters counts the relation filters (some, none) in a where argument.
func relationFilters(where any) int {
	n := 0
	switch w := where.(type) {
	case map[string]any:
		for k, v := range w {
			if k == "some" || k == "none" {
				n++
			}
			n += relationFilters(v)
		}
	case []any:
		for _, v := range w {
			n += relationFilters(v)
		}
	}
	return min(n, 64)
}

func safeMul(a, b int) int {
	if a != 0 && b > maxCost/a {
		return maxCost
	}
	return a * b
}

func safeCost(a, b int) int {
	if a+b > maxCost {
		return maxCost
	}
	return a + b
}
