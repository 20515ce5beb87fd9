package model

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Date is a calendar date, YYYY-MM-DD.
type Date string

// UnmarshalGQL reads a Date from a GraphQL value.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("a Date is a string, YYYY-MM-DD")
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Errorf("%q is not a date, YYYY-MM-DD", s)
	}
	*d = Date(s)
	return nil
}

// MarshalGQL writes a Date as a GraphQL string.
func (d Date) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(d)))
}
