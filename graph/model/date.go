package model

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"kith/apierr"
)

// Date is a calendar date, YYYY-MM-DD.
type Date string

// UnmarshalGQL reads a Date from a GraphQL value.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if ok {
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			*d = Date(s)
			return nil
		}
	}
	return apierr.BadUserInput("", "expected a date, YYYY-MM-DD")
}

// MarshalGQL writes a Date as a GraphQL string.
func (d Date) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(d)))
}

// MarshalDateTime writes an instant as RFC 3339 with nanoseconds where it has them.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime reads an RFC 3339 instant; a value without a time zone is refused.
func UnmarshalDateTime(v any) (time.Time, error) {
	if s, ok := v.(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apierr.BadUserInput("", "expected a date and time, RFC 3339 (2025-03-15T10:00:00Z)")
}
