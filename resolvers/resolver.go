// Package resolvers holds Kith's GraphQL resolvers, one file per schema file. A root
// resolver turns the request's selection set into one store call (one Cypher statement);
// the resolvers of nested fields read what that call already fetched.
package resolvers

import "kith/cypher"

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	Store *cypher.Store
}
