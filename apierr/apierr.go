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
	BadUserInput    Code = "BAD_USER_INPUT"
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	Conflict        Code = "CONFLICT"
	Unavailable     Code = "UNAVAILABLE"
	// Timeout: the request ran past its deadline. Nothing it read is wrong; a write that
	// times out is rolled back. Ask again, or ask for less.
	Timeout  Code = "TIMEOUT"
	Internal Code = "INTERNAL"
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

// BadInput reports input that cannot be accepted, naming the field.
func BadInput(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Missing reports that something named in the input does not exist.
func Missing(field, format string, args ...any) *Error {
	return &Error{Code: NotFound, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Clash reports input that conflicts with what is stored.
func Clash(field, format string, args ...any) *Error {
	return &Error{Code: Conflict, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Down reports that a dependency (Neo4j) cannot serve the request now.
func Down(reason string, cause error) *Error {
	return &Error{Code: Unavailable, Reason: reason, Err: cause}
}

// TimedOut reports a request that ran past its deadline.
func TimedOut(reason string, cause error) *Error {
	return &Error{Code: Timeout, Reason: reason, Err: cause}
}

// NotAuthenticated reports a request without a valid credential: no token, or a token
// that cannot be accepted, with the reason (never the token itself).
func NotAuthenticated(reason string, cause error) *Error {
	return &Error{Code: Unauthenticated, Reason: reason, Err: cause}
}

// Denied reports a request the caller's role does not allow, naming the field when one
// input or field caused it.
func Denied(field, format string, args ...any) *Error {
	return &Error{Code: Forbidden, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
