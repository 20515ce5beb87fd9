package model

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"kith/apierr"
	"kith/pseudonym"
)

// MarshalID writes an ID as the caller sees it: the live id, or, for a caller who works on
// pseudonymised data, their role's pseudonymous id for it (pseudonym.FromContext). Every ID
// the API sends passes here: node and tie ids, ids of related nodes, analysis outputs.
func MarshalID(id string) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(ctx context.Context, w io.Writer) error {
		graphql.MarshalString(pseudonym.FromContext(ctx).Encode(id)).MarshalGQL(w)
		return nil
	})
}

// UnmarshalID reads an ID the caller sent and turns it into a live id: for a caller who
// works on pseudonymised data, it must be one of their role's pseudonymous ids; a live id,
// or another role's pseudonym, is refused (BAD_USER_INPUT naming the argument) whether or
// not it names anyone. Every ID the API receives passes here: arguments, ids in where
// filters and in inputs.
func UnmarshalID(ctx context.Context, v any) (string, error) {
	s, err := graphql.UnmarshalID(v)
	if err != nil {
		return "", apierr.BadUserInput(argPath(ctx), "expected an id")
	}
	live, ok := pseudonym.FromContext(ctx).Decode(s)
	if !ok {
		return "", apierr.BadUserInput(argPath(ctx), "is not an id your role was given: ids differ per role")
	}
	return live, nil
}

// argPath names the argument being read, as in "where.id.eq" or "ids[2]": the path below
// the field whose arguments they are.
func argPath(ctx context.Context) string {
	path := graphql.GetPath(ctx)
	if fc := graphql.GetFieldContext(ctx); fc != nil && len(fc.Path()) <= len(path) {
		path = path[len(fc.Path()):]
	}
	var sb strings.Builder
	for _, e := range path {
		switch e := e.(type) {
		case ast.PathIndex:
			sb.WriteString("[" + strconv.Itoa(int(e)) + "]")
		case ast.PathName:
			if sb.Len() > 0 {
				sb.WriteByte('.')
			}
			sb.WriteString(string(e))
		}
	}
	return sb.String()
}
