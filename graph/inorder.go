// Package graph is the gqlgen executor for Kith's schema: generated.go is generated from
// schema/*.graphqls by `make generate`, models live in graph/model.
//
// # Below a root field, everything runs in order
//
// Every Kith query compiles its whole selection to one Cypher statement at the root field;
// every field below a root field is resolved in memory from that statement's result (the
// resolvers read obj.Loaded). gqlgen's executor would still start a goroutine per list
// element (graphql.MarshalSliceConcurrently) and per resolver field of every object
// (graphql.FieldSet.Concurrently and Dispatch). With nothing to wait for, those goroutines
// only cost: their start, stack growth and scheduling were a large share of the CPU of a
// nested read.
//
// So `make generate` runs graph/internal/inorder after gqlgen, which rewrites generated.go to
// call marshalSliceInOrder instead of graphql.MarshalSliceConcurrently, and inOrder instead of
// out.Concurrently in every object marshaller except the root operation types (_Query,
// _Mutation, _Subscription). Root fields stay concurrent: a dashboard sends several root
// fields, each its own statement to Neo4j, and they should run in parallel. Deferred fields
// (@defer) keep gqlgen's own path.
package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInOrder is graphql.MarshalSliceConcurrently (gqlgen v0.17.95, graphql/slice.go)
// without goroutines: it marshals the elements one after another on the caller's goroutine.
//
// Each element gets its own child FieldContext with Index set, as in gqlgen. Unless
// omitPanicHandler is set, a panic while marshalling an element is recovered and reported
// as an error at that element's path, the remaining elements are still marshalled (as
// gqlgen's goroutines would be), and the whole result is nil. With omitPanicHandler set, a
// panic propagates to the caller (where gqlgen's goroutine would have crashed the process).
//
// workerLimit is accepted so that the signature matches and ignored: elements never run
// concurrently, so there is nothing to limit.
func marshalSliceInOrder(
	ctx context.Context,
	length int,
	workerLimit int64,
	omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	ret := make(graphql.Array, length)
	panicked := false
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					panicked = true
				}
			}()
			ret[i] = marshalElement(childCtx, i)
		}()
	}
	if panicked {
		return nil
	}
	return ret
}

// inOrder stands for fs.Concurrently(i, f) in a generated object marshaller: instead of
// queueing f for fs.Dispatch, which would start a goroutine for every queued field after the
// first, it calls f at once and stores the result, as Dispatch would. The field sets it is
// used on have no views (only deferred field sets do), so there are no result callbacks to
// run.
func inOrder(ctx context.Context, fs *graphql.FieldSet, i int, f func(context.Context) graphql.Marshaler) {
	fs.Values[i] = f(ctx)
}
