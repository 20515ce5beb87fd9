// Package paging owns how Kith pages a connection: the default and largest page sizes, the
// opaque cursors (the order's key values of a row, ending with its id, sealed so that a
// caller can neither read nor forge them), forward and backward requests, and the Relay
// connection built from a page (edges' cursors, pageInfo, totalCount). The store reads a
// page with a seek on the cursor's keys (cypher/read.go); results computed in memory
// (analysis) are paged with Slice. docs/paging.md says how to page a new connection.
package paging

import (
	"slices"

	"kith/apierr"
)

// Page sizes of every connection.
const (
	// DefaultSize is the page size when neither first nor last is given.
	DefaultSize = 20
	// MaxSize is the largest page a connection returns.
	MaxSize = 500
)

// Args are the Relay paging arguments of a connection field.
type Args struct {
	First, Last   *int
	After, Before *string
}

// Request is a checked page request: Size rows after After and before Before (either may
// be nil), read from the start of the order, or from its end when Backward (last).
type Request struct {
	Size     int
	Backward bool
	// After and Before are the key values of the cursors given, or nil.
	After, Before []any
}

// Request checks args against the order the connection reads in (any string that names
// it: a cursor given out under another order is refused) and the largest page max (at
// most MaxSize; 0 means MaxSize). Errors name the argument: first, last, after, before,
// each after prefix (e.g. "changes." for a nested connection's arguments).
func (c *Codec) Request(args Args, order string, max int, prefix string) (Request, error) {
	if max <= 0 || max > MaxSize {
		max = MaxSize
	}
	var r Request
	first, hasFirst, err := size(args.First, prefix+"first", max)
	if err != nil {
		return r, err
	}
	last, hasLast, err := size(args.Last, prefix+"last", max)
	if err != nil {
		return r, err
	}
	if hasFirst && hasLast {
		return r, apierr.BadUserInput(prefix+"last", "give first or last, not both")
	}
	if r.After, err = c.decode(args.After, order, prefix+"after"); err != nil {
		return r, err
	}
	if r.Before, err = c.decode(args.Before, order, prefix+"before"); err != nil {
		return r, err
	}
	switch {
	case hasLast:
		r.Size, r.Backward = last, true
	case hasFirst:
		r.Size = first
	default:
		r.Size = DefaultSize
	}
	return r, nil
}

func size(v *int, field string, max int) (int, bool, error) {
	if v == nil {
		return 0, false, nil
	}
	if *v < 0 {
		return 0, false, apierr.BadUserInput(field, "must not be negative")
	}
	if *v > max {
		return 0, false, apierr.BadUserInput(field, "is %d; at most %d are returned at once", *v, max)
	}
	return *v, true, nil
}

// PageInfo is Relay's page information (the GraphQL type PageInfo is bound to it).
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Page is one page of a connection: the cursor of each row, in order, its page
// information, and the number of all rows (-1 when it was not asked for).
type Page struct {
	Cursors  []string
	PageInfo *PageInfo
	Total    int
}

// Rows builds the page of rows read for r, in the connection's order, one more than
// r.Size when there are more beyond the page (for a backward request: before it, and in
// reverse order, as the store reads them). keys returns the key values of a row, ending
// with its id. It returns the rows to show, in order.
func Rows[T any](c *Codec, order string, r Request, rows []T, keys func(T) []any, total int) ([]T, *Page) {
	more := len(rows) > r.Size
	if more {
		rows = rows[:r.Size]
	}
	if r.Backward {
		out := make([]T, len(rows))
		for i, x := range rows {
			out[len(rows)-1-i] = x
		}
		rows = out
	}
	p := &Page{Cursors: make([]string, len(rows)), Total: total, PageInfo: &PageInfo{}}
	for i, x := range rows {
		p.Cursors[i] = c.encode(order, keys(x))
	}
	if r.Backward {
		p.PageInfo.HasPreviousPage, p.PageInfo.HasNextPage = more, r.Before != nil
	} else {
		p.PageInfo.HasNextPage, p.PageInfo.HasPreviousPage = more, r.After != nil
	}
	if len(rows) > 0 {
		p.PageInfo.StartCursor, p.PageInfo.EndCursor = &p.Cursors[0], &p.Cursors[len(rows)-1]
	}
	return rows, p
}

// Edges builds a connection's edges from the nodes of a page, each with its cursor.
func Edges[N, E any](p *Page, nodes []N, edge func(cursor string, n N) E) []E {
	out := make([]E, len(nodes))
	for i, n := range nodes {
		out[i] = edge(p.Cursors[i], n)
	}
	return out
}

// Slice pages a list held in memory, n items in the connection's order, id(i) the id of
// the i-th: a cursor holds the id of its item, found again in the list. A cursor whose
// item is no longer in the list (the result was computed again since) is refused, naming
// field+"after" or field+"before". It returns the part [start, end) to show.
func Slice(c *Codec, order string, r Request, n int, id func(int) string, prefix string) (start, end int, p *Page, err error) {
	find := func(keys []any, field string) (int, error) {
		if len(keys) == 1 {
			for i := range n {
				if id(i) == keys[0] {
					return i, nil
				}
			}
		}
		return 0, apierr.BadUserInput(prefix+field, "is stale: the result it came from has changed; start again")
	}
	lo, hi := 0, n // the items between the cursors
	if r.After != nil {
		i, err := find(r.After, "after")
		if err != nil {
			return 0, 0, nil, err
		}
		lo = i + 1
	}
	if r.Before != nil {
		i, err := find(r.Before, "before")
		if err != nil {
			return 0, 0, nil, err
		}
		hi = i
	}
	hi = max(hi, lo)
	start, end = lo, min(lo+r.Size+1, hi)
	if r.Backward {
		start, end = max(hi-r.Size-1, lo), hi
	}
	rows := make([]int, 0, end-start)
	for i := start; i < end; i++ {
		rows = append(rows, i)
	}
	if r.Backward {
		slices.Reverse(rows)
	}
	rows, p = Rows(c, order, r, rows, func(i int) []any { return []any{id(i)} }, n)
	if len(rows) == 0 {
		return lo, lo, p, nil
	}
	return rows[0], rows[len(rows)-1] + 1, p, nil
}
