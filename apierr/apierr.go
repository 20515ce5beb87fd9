// Package apierr defines the errors Kith's API reports, each with a code that clients can
// act on (extensions.code in a GraphQL response) and a reason a person can read.
//
// Packages below the API (the store, the analysis) return these for failures a caller
// caused or can act on; anything else is reported to clients as INTERNAL, with the request
// id, and its detail only reaches the server log.
package apierr

import (
	"errors"
	"fmt"
)

// Code is the machine-readable class of an error, sent as extensions.code.
type Code string

// The codes Kith sends.
const (
	CodeBadUserInput    Code = "BAD_USER_INPUT"
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeConflict        Code = "CONFLICT"
	CodeUnavailable     Code = "UNAVAILABLE"
	// CodeTimeout: the request ran past its deadline. Nothing it read is wrong; a write that
	// times out is rolled back. Ask again, or ask for less.
	CodeTimeout  Code = "TIMEOUT"
	CodeInternal Code = "INTERNAL"
)

// Error is an error with a code, a reason and, where one input caused it, the path of that
// input (for example "input[3].externalId").
type Error struct {
	Code   Code
	Field  string
	Reason string
	// Err is the underlying cause, for logs; it is never sent to clients.
	Err error
}

// Error returns the reason, prefixed by the field when there is one.
func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Reason
	}
	return e.Reason
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// BadUserInput reports input that cannot be accepted, naming the field.
func BadUserInput(field, format string, args ...any) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// NotFound reports that something named in the input does not exist.
func NotFound(field, format string, args ...any) *Error {
	return &Error{Code: CodeNotFound, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Conflict reports input that conflicts with what is stored.
func Conflict(field, format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Unavailable reports that a dependency (Neo4j) cannot serve the request now.
func Unavailable(reason string, cause error) *Error {
	return &Error{Code: CodeUnavailable, Reason: reason, Err: cause}
}

// Timeout reports a request that ran past its deadline.
func Timeout(reason string, cause error) *Error {
	return &Error{Code: CodeTimeout, Reason: reason, Err: cause}
}

// Unauthenticated reports a request without a valid credential: no token, or a token
// that cannot be accepted, with the reason (never the token itself).
func Unauthenticated(reason string, cause error) *Error {
	return &Error{Code: CodeUnauthenticated, Reason: reason, Err: cause}
}

// Forbidden reports a request the caller's role does not allow, naming the field when one
// input or field caused it.
func Forbidden(field, format string, args ...any) *Error {
	return &Error{Code: CodeForbidden, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
