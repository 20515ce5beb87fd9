package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"kith/apierr"
)

// This file bounds the work of reading an operation before gqlgen parses and validates
// it, which no deadline can interrupt: validation compares fields pairwise and follows
// every fragment spread, so a kilobyte of nested fragments, or a few thousand repeats of
// one field, would keep a core busy for minutes. The document is parsed once here with a
// token limit (linear), and its size after expanding fragments is counted with each
// fragment's size computed once; a document over any bound is refused with what was
// measured. A document gqlgen has cached has passed already.

// Bounds are the most an operation's document may hold.
type Bounds struct {
	// Tokens bounds the lexical tokens of the document (names, punctuation, values).
	Tokens int
	// Fields bounds the fields of an operation once every fragment spread is replaced by
	// its fragment's fields.
	Fields int
	// Aliases bounds the aliased fields of the document.
	Aliases int
	// Directives bounds the directives used in the document.
	Directives int
}

// DefaultBounds are generous for any dashboard, and keep validation within milliseconds.
func DefaultBounds() Bounds {
	return Bounds{Tokens: 15_000, Fields: 2_000, Aliases: 200, Directives: 200}
}

// operationBounds is the gqlgen extension that enforces Bounds.
type operationBounds struct {
	bounds Bounds
	parsed graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = operationBounds{}

// ExtensionName names the extension.
func (operationBounds) ExtensionName() string { return "KithOperationBounds" }

// Validate accepts any schema.
func (operationBounds) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters measures the document before gqlgen reads it.
func (o operationBounds) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil // a persisted-query hash alone: checked when its text arrives
	}
	if _, ok := o.parsed.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, o.bounds.Tokens)
	if err != nil {
		if gerr, ok := err.(*gqlerror.Error); ok && isTokenLimit(gerr) {
			return tooLarge("has more than %d tokens", o.bounds.Tokens)
		}
		return nil // gqlgen reports the syntax error itself
	}
	m := measure(doc)
	switch {
	case m.aliases > o.bounds.Aliases:
		return tooLarge("has %d aliased fields; at most %d are allowed", m.aliases, o.bounds.Aliases)
	case m.directives > o.bounds.Directives:
		return tooLarge("has %d directives; at most %d are allowed", m.directives, o.bounds.Directives)
	case m.fields > o.bounds.Fields:
		return tooLarge("has %s fields once its fragments are expanded; at most %d are allowed", countText(m.fields), o.bounds.Fields)
	}
	return nil
}

func isTokenLimit(err *gqlerror.Error) bool {
	return strings.HasPrefix(err.Message, "exceeded token limit")
}

func tooLarge(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf("the operation "+format, args...)
	err.Extensions = map[string]any{"code": string(apierr.CodeBadUserInput)}
	return err
}

func countText(n int) string {
	if n >= saturated {
		return fmt.Sprintf("more than %d", saturated)
	}
	return fmt.Sprint(n)
}

// saturated is where counts stop growing: an operation of 2^60 fields is as refused as
// one of 2^61, and the sum must not overflow.
const saturated = 1 << 40

type docMeasure struct{ fields, aliases, directives int }

// measure counts the document's aliases and directives as written, and the fields of its
// largest operation with fragments expanded (each fragment's expanded size computed once;
// a fragment that spreads itself counts nothing more, as validation refuses it).
func measure(doc *ast.QueryDocument) docMeasure {
	var m docMeasure
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if s.Alias != "" && s.Alias != s.Name {
					m.aliases++
				}
				m.directives += len(s.Directives)
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				m.directives += len(s.Directives)
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				m.directives += len(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		m.directives += len(op.Directives)
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		m.directives += len(f.Directives)
		walk(f.SelectionSet)
	}
	sizes := map[string]int{}
	const inProgress = -1
	var size func(set ast.SelectionSet) int
	size = func(set ast.SelectionSet) int {
		n := 0
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				n = add(n, add(1, size(s.SelectionSet)))
			case *ast.InlineFragment:
				n = add(n, size(s.SelectionSet))
			case *ast.FragmentSpread:
				known, ok := sizes[s.Name]
				switch {
				case ok && known == inProgress:
				case ok:
					n = add(n, known)
				default:
					f := doc.Fragments.ForName(s.Name)
					if f == nil {
						continue
					}
					sizes[s.Name] = inProgress
					k := size(f.SelectionSet)
					sizes[s.Name] = k
					n = add(n, k)
				}
			}
		}
		return n
	}
	for _, op := range doc.Operations {
		m.fields = max(m.fields, size(op.SelectionSet))
	}
	return m
}

func add(a, b int) int { return min(a+b, saturated) }
