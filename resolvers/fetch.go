package resolvers

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"kith/cypher"
	"kith/graph/model"
	"kith/pseudonym"
)

// selectionOf converts a gqlgen selection set into the store's Selection, recursively.
// Fields of interface type collect every fragment's fields (satisfies nil).
//
// A wave argument is an ID the caller sent, turned into the live id as every ID argument is
// (graph/model/id.go): for an analyst, one of their role's ids; one that is not stays as
// "not a wave id", which the store refuses with BAD_USER_INPUT naming the field.
func selectionOf(ctx context.Context, op *graphql.OperationContext, set ast.SelectionSet, typeName string) *cypher.Selection {
	var satisfies []string
	if typeName != "" {
		satisfies = []string{typeName}
	}
	sel := &cypher.Selection{}
	for _, f := range graphql.CollectFields(op, set, satisfies) {
		field := cypher.Field{Name: f.Name, Alias: f.Alias, Args: f.ArgumentMap(op.Variables)}
		if w, ok := field.Args["wave"].(string); ok {
			live, ok := pseudonym.FromContext(ctx).Decode(w)
			if !ok {
				live = "not a wave id"
			}
			field.Args["wave"] = live
		}
		if len(f.Selections) > 0 && f.Definition != nil {
			sub := f.Definition.Type.Name()
			if interfaces[sub] {
				sub = ""
			}
			field.Sub = selectionOf(ctx, op, f.Selections, sub)
		}
		sel.Fields = append(sel.Fields, field)
	}
	return sel
}

// interfaces are the schema's interface types (a test keeps this list true): a field of
// one of them collects the fields of every fragment.
var interfaces = map[string]bool{"Node": true}

// fieldSelection is the selection on the value of the field being resolved.
func fieldSelection(ctx context.Context, typeName string) *cypher.Selection {
	fc := graphql.GetFieldContext(ctx)
	return selectionOf(ctx, graphql.GetOperationContext(ctx), fc.Field.Selections, typeName)
}

// connectionSelection reads a connection's selection: what to fetch of each node (under
// edges.node and nodes, merged) and whether totalCount is asked for.
func connectionSelection(ctx context.Context, typeName string) (*cypher.Selection, bool) {
	op := graphql.GetOperationContext(ctx)
	fc := graphql.GetFieldContext(ctx)
	node := &cypher.Selection{}
	total := false
	for _, f := range graphql.CollectFields(op, fc.Field.Selections, nil) {
		switch f.Name {
		case "totalCount":
			total = true
		case "nodes":
			node.Fields = append(node.Fields, selectionOf(ctx, op, f.Selections, typeName).Fields...)
		case "edges":
			for _, e := range graphql.CollectFields(op, f.Selections, nil) {
				if e.Name == "node" {
					node.Fields = append(node.Fields, selectionOf(ctx, op, e.Selections, typeName).Fields...)
				}
			}
		}
	}
	return node, total
}

// decodeAll decodes store records into models of type T.
func decodeAll[T any](recs []*cypher.Record) ([]T, error) {
	out := make([]T, 0, len(recs))
	for _, r := range recs {
		v, err := model.DecodeAs[T](r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// loaded returns the raw value the store fetched for the field being resolved.
func loaded(ctx context.Context, l model.Loaded) (any, error) {
	alias := graphql.GetFieldContext(ctx).Field.Alias
	v, ok := l.Rel[alias]
	if !ok {
		return nil, fmt.Errorf("field %s was not fetched with its parent", alias)
	}
	return v, nil
}

// loadedList resolves a list-valued relation field from what its parent fetched.
func loadedList[T any](ctx context.Context, l model.Loaded) ([]T, error) {
	v, err := loaded(ctx, l)
	if err != nil {
		return nil, err
	}
	recs, _ := v.([]*cypher.Record)
	return decodeAll[T](recs)
}

// loadedOne resolves a single-valued relation field from what its parent fetched.
func loadedOne[T any](ctx context.Context, l model.Loaded) (T, error) {
	var zero T
	v, err := loaded(ctx, l)
	if err != nil {
		return zero, err
	}
	rec, _ := v.(*cypher.Record)
	return model.DecodeAs[T](rec)
}

// list runs a connection query for one label and decodes the page's records into T.
func list[T any](ctx context.Context, r *Resolver, label string, first *int, after *string, last *int, before *string,
	where map[string]any, orderBy []map[string]any) (*cypher.Page, []T, error) {
	sel, total := connectionSelection(ctx, label)
	args := cypher.ListArgs{
		PageArgs: cypher.PageArgs{First: first, After: after, Last: last, Before: before},
		Where:    where, OrderBy: orderBy,
		Scope: scopeOf(ctx),
	}
	p, err := r.Store.List(ctx, label, args, sel, total)
	if err != nil {
		return nil, nil, err
	}
	nodes, err := decodeAll[T](p.Records)
	return p, nodes, err
}

// create, update and remove run a batch mutation on one label and decode the result.
func create[T any](ctx context.Context, r *Resolver, label string, input []map[string]any) ([]T, error) {
	recs, err := r.Store.CreateNodes(ctx, scopeOf(ctx), label, input, fieldSelection(ctx, label))
	if err != nil {
		return nil, err
	}
	return decodeAll[T](recs)
}

func update[T any](ctx context.Context, r *Resolver, label string, input []map[string]any) ([]T, error) {
	recs, err := r.Store.UpdateNodes(ctx, scopeOf(ctx), label, input, fieldSelection(ctx, label))
	if err != nil {
		return nil, err
	}
	return decodeAll[T](recs)
}

func remove(ctx context.Context, r *Resolver, label string, ids []string) (*model.DeleteResult, error) {
	n, err := r.Store.DeleteNodes(ctx, scopeOf(ctx), label, ids)
	if err != nil {
		return nil, err
	}
	return &model.DeleteResult{Count: n, DeletedIds: ids}, nil
}

// childSelection finds, below the field being resolved, every field reached by following
// path (by field name, whatever the aliases) and merges their selections. typeName is the
// type of the last field ("" for an interface). found is false when the path is not
// selected at all.
func childSelection(ctx context.Context, typeName string, path ...string) (sel *cypher.Selection, found bool) {
	op := graphql.GetOperationContext(ctx)
	sets := []ast.SelectionSet{graphql.GetFieldContext(ctx).Field.Selections}
	for _, name := range path {
		var next []ast.SelectionSet
		for _, set := range sets {
			for _, f := range graphql.CollectFields(op, set, nil) {
				if f.Name == name {
					next = append(next, f.Selections)
				}
			}
		}
		sets = next
	}
	sel = &cypher.Selection{}
	for _, set := range sets {
		sel.Fields = append(sel.Fields, selectionOf(ctx, op, set, typeName).Fields...)
	}
	return sel, len(sets) > 0
}

// pageArgs collects Relay paging arguments.
func pageArgs(first *int, after *string, last *int, before *string) cypher.PageArgs {
	return cypher.PageArgs{First: first, After: after, Last: last, Before: before}
}
