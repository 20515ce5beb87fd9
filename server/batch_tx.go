package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kith/apierr"
	"kith/cypher"
)

// batchTransaction makes a mutation of more than one batch field (create…, update…,
// delete… and removeTies: the fields that write what a survey records) one Neo4j write
// transaction: its fields commit together, or, when any of them fails, nothing is written.
// A worker who sends the people of a survey and their ties in one request never leaves
// the people without their ties; and Neo4j commits once instead of once per field, which
// for a batch of 100 people and 200 ties saves it about 8 ms of CPU on this machine
// (BENCHMARKS.md).
//
// A mutation that also holds another field (runAnalysis, erasePerson, revokeTokens,
// refreshResearchCopy, importSurvey, which writes each interview in a transaction of its
// own) runs each field in its own transaction, as a single field always does.
//
// When a field fails, the response has no data (nothing it would describe was written) and
// carries the errors of the first field that failed, to be fixed before the mutation is
// sent again; the fields after it write nothing and their errors are left out.
// When Neo4j reports a retryable error (a deadlock between concurrent writers), the whole
// mutation runs again, as the driver's transaction functions do.
type batchTransaction struct {
	store   *cypher.Store
	present graphql.ErrorPresenterFunc
	log     *slog.Logger
}

var _ interface {
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = batchTransaction{}

// ExtensionName names the extension.
func (batchTransaction) ExtensionName() string { return "KithBatchTransaction" }

// Validate accepts any schema.
func (batchTransaction) Validate(graphql.ExecutableSchema) error { return nil }

// errFieldFailed ends a shared transaction whose mutation reported an error.
var errFieldFailed = errors.New("a field of the mutation failed")

// InterceptOperation runs a mutation of batch fields inside one transaction.
func (b batchTransaction) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	roots, ok := batchRoots(graphql.GetOperationContext(ctx))
	if !ok {
		return next(ctx)
	}
	answered := false
	return func(ctx context.Context) *graphql.Response {
		if answered {
			return nil
		}
		answered = true
		var resp *graphql.Response
		err := b.store.InOneTransaction(ctx, func(ctx context.Context) error {
			resp = nil
			if h := next(ctx); h != nil {
				resp = h(ctx)
			}
			if resp == nil || len(resp.Errors) > 0 {
				return errFieldFailed
			}
			return nil
		})
		switch {
		case err == nil:
			return resp
		case errors.Is(err, errFieldFailed) && resp != nil:
			resp.Data = nil
			resp.Errors = firstFailure(resp.Errors, roots)
			return resp
		}
		if _, ok := apierr.As(err); !ok {
			id := RequestID(ctx)
			b.log.ErrorContext(ctx, "internal error", "request_id", id, "error", err.Error())
			err = &apierr.Error{Code: apierr.CodeInternal, Reason: "internal error; quote request id " + id, Err: err}
		}
		return &graphql.Response{Errors: gqlerror.List{b.present(ctx, err)}}
	}
}

// batchRoots returns the response keys of a mutation's root fields, in order, when the
// operation is a mutation of more than one field and every field is a batch field.
func batchRoots(op *graphql.OperationContext) ([]string, bool) {
	if op == nil || op.Operation == nil || op.Operation.Operation != ast.Mutation {
		return nil, false
	}
	var keys []string
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, []string{"Mutation"}) {
		if f.Name == "__typename" {
			continue
		}
		if !isBatchField(f.Name) {
			return nil, false
		}
		keys = append(keys, f.Alias)
	}
	return keys, len(keys) > 1
}

// isBatchField reports whether a Mutation field is one of the batch writes of nodes and
// ties (DESIGN.md: createPeople, updatePeople, deletePeople… and createTies, removeTies),
// and the observations a survey records with them (recordObservations).
func isBatchField(name string) bool {
	for _, p := range []string{"create", "update", "delete"} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			return true
		}
	}
	return name == "removeTies" || name == "recordObservations"
}

// firstFailure keeps the errors of the first root field (in the order of keys) that has
// any, and the errors that belong to no field: the fields after the first failure did not
// run, and their errors only say so.
func firstFailure(errs gqlerror.List, keys []string) gqlerror.List {
	first := len(keys)
	for _, e := range errs {
		if len(e.Path) == 0 {
			continue
		}
		for i, k := range keys {
			if ast.PathName(k) == e.Path[0] && i < first {
				first = i
			}
		}
	}
	var out gqlerror.List
	for _, e := range errs {
		if len(e.Path) == 0 || first == len(keys) || e.Path[0] == ast.PathName(keys[first]) {
			out = append(out, e)
		}
	}
	return out
}
