package resolvers

import (
	"context"

	"kith/access"
	"kith/auth"
	"kith/cypher"
)

// scopeOf is the store's Scope of the caller (package access says what each role sees).
func scopeOf(ctx context.Context) cypher.Scope { return access.Scope(auth.FromContext(ctx)) }

// suggestionScope is the Scope of suggestions for the caller (access.SuggestionScope).
func suggestionScope(ctx context.Context) cypher.Scope {
	return access.SuggestionScope(auth.FromContext(ctx))
}
