package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kith/apierr"
	"kith/pseudonym"
)

// presentError gives every error an extensions.code. Coded errors keep their reason and
// field; GraphQL parse and validation errors become BAD_USER_INPUT; anything else becomes
// INTERNAL with the request id, its detail logged and never sent. What the caller may not
// know stays out of every message (redact).
func presentError(log *slog.Logger, gate introspectionGate) graphql.ErrorPresenterFunc {
	present := func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if gerr.Extensions == nil {
			gerr.Extensions = map[string]any{}
		}
		if e, ok := apierr.As(err); ok {
			gerr.Message = e.Error()
			gerr.Extensions["code"] = string(e.Code)
			if e.Field != "" {
				gerr.Extensions["field"] = e.Field
			}
			if e.Code == apierr.CodeUnavailable || e.Code == apierr.CodeTimeout {
				log.WarnContext(ctx, strings.ToLower(string(e.Code)), "request_id", RequestID(ctx), "cause", causeOf(e))
			}
			return gerr
		}
		if gerr.Message == "introspection disabled" {
			gerr.Message = "schema introspection is for admins, or for everyone on a development server"
			gerr.Extensions["code"] = string(apierr.CodeForbidden)
			return gerr
		}
		if persistedQueryNotFound(err) {
			gerr.Extensions["code"] = codePersistedQueryNotFound
			return gerr
		}
		var inner *gqlerror.Error
		if errors.As(err, &inner) && inner.Extensions != nil {
			if code, _ := inner.Extensions["code"].(string); code != "" {
				// Parse, validation and variable-coercion errors from gqlgen.
				gerr.Extensions["code"] = string(apierr.CodeBadUserInput)
				return gerr
			}
		}
		if gerr.Rule != "" || len(gerr.Path) == 0 {
			// Not from a resolver: the request itself could not be read, parsed or validated.
			gerr.Extensions["code"] = string(apierr.CodeBadUserInput)
			return gerr
		}
		id := RequestID(ctx)
		log.ErrorContext(ctx, "internal error", "request_id", id, "path", gerr.Path.String(), "error", err.Error())
		gerr.Message = "internal error; quote request id " + id
		gerr.Extensions["code"] = string(apierr.CodeInternal)
		return gerr
	}
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := present(ctx, err)
		redact(ctx, gerr, gate)
		return gerr
	}
}

// redact takes out of an error's message what the caller may not know: for a caller who
// may not introspect, the schema's names that validation suggests ("Did you mean
// \"people\"?"); for a caller who works with pseudonymous ids, every live id (an id they
// sent comes back as they sent it).
func redact(ctx context.Context, gerr *gqlerror.Error, gate introspectionGate) {
	if i := strings.Index(gerr.Message, " Did you mean "); i >= 0 && !gate.allows(ctx) {
		gerr.Message = gerr.Message[:i]
	}
	gerr.Message = pseudonym.FromContext(ctx).EncodeText(gerr.Message)
}

func causeOf(e *apierr.Error) string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// recoverPanic turns a resolver panic into an INTERNAL error, logged with its request id.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", RequestID(ctx), "panic", p)
		return errors.New("panic in resolver")
	}
}
