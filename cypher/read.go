package cypher

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

// PageArgs are the Relay paging arguments of a connection field.
type PageArgs struct {
	First, Last   *int
	After, Before *string
}

// ListArgs select and order the nodes of one label.
type ListArgs struct {
	PageArgs
	Where   map[string]any
	OrderBy []map[string]any
	// Scope narrows the people the caller may see (scope.go): for a list of people it is
	// one more predicate in the statement's WHERE, and it applies to every nested field.
	Scope Scope
}

// Page is one page of a connection.
type Page struct {
	Records []*Record
	// Offset is the position of the first record among all matches.
	Offset          int
	HasNextPage     bool
	HasPreviousPage bool
	// Total is the number of matches, or -1 when it was not asked for.
	Total int
}

// Cursor returns the opaque cursor of the i-th record of the page.
func (p *Page) Cursor(i int) string { return encodeCursor(p.Offset + i) }

func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("kith:" + strconv.Itoa(offset)))
}

// maxCursorOffset is the largest offset a cursor may hold.
const maxCursorOffset = 1<<31 - 1

func decodeCursor(c *string, field string) (int, bool, error) {
	if c == nil {
		return 0, false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*c)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(raw), "kith:"); ok {
			// An offset past any list Neo4j could page to was not given out by Kith.
			if n, err := strconv.Atoi(rest); err == nil && n >= 0 && n <= maxCursorOffset {
				return n, true, nil
			}
		}
	}
	return 0, false, apierr.BadInput(field, "is not a cursor this API gave out")
}

// List returns one page of the nodes with the given label that match args.Where, ordered
// by args.OrderBy and then id, each projected by sel; wantTotal adds the count of all
// matches. It is one statement: the count and the page come back together.
func (s *Store) List(ctx context.Context, label string, args ListArgs, sel *Selection, wantTotal bool) (*Page, error) {
	l, ok := s.schema.Label(label)
	if !ok {
		return nil, fmt.Errorf("list: unknown label %q", label)
	}
	args.Where, args.OrderBy = plainMap(args.Where), plainMaps(args.OrderBy)
	b := newScopedBuilder(s.schema, args.Scope)
	own, join, related, err := b.whereParts("n", l, args.Where, "where")
	if err != nil {
		return nil, err
	}
	if label == "Person" {
		scopeOwn, scopeRelated := b.personPredicates("n")
		own, related = andJoin(own, scopeOwn), andJoin(related, scopeRelated)
	}
	order, lead, err := b.orderBy("n", l, args.OrderBy, "orderBy")
	if err != nil {
		return nil, err
	}
	proj, err := b.nodeProjection("n", []string{label}, sel)
	if err != nil {
		return nil, err
	}
	// Every match is read (for a count, or to sort): the nodes are matched on their own
	// properties and the pattern of a join, and the ties' other filters run only on the
	// nodes that pass (see whereParts).
	match := fmt.Sprintf("MATCH (n:%s)", quote(label))
	switch {
	case join != nil:
		match += ", " + join.pattern
		if cond := andJoin(own, join.cond); cond != "" {
			match += " WHERE " + cond
		}
		match = "CALL () { " + match + " RETURN DISTINCT n }"
		if related != "" {
			match += " WITH n WHERE " + related
		}
	case own != "" && related != "":
		match = fmt.Sprintf("CALL () { %s WHERE %s RETURN n } WITH n WHERE %s", match, own, related)
	case own != "" || related != "":
		match += " WHERE " + andJoin(own, related)
	}
	// A walk along an index reads nodes one by one in order, so it tests them in one WHERE.
	// Descending, the nulls would come first: only a property every node has walks back.
	var walk *orderedWalk
	if w := newOrderedWalk(l, lead.prop, andJoin(own, join.exists(), related)); !lead.desc || w.absent == "" {
		walk = w
	}
	return s.page(ctx, b, match, "n", order, proj, args.PageArgs, wantTotal, walk)
}

// orderedWalk reads a page of a list sorted by a property in the order of the property's
// index: Neo4j walks a range index in order only for rows where the property is not null,
// stopping after the page, where sorting every match first would cost a scan of the
// label. Ascending, nulls sort last, so the rows where the property is null are read (and
// sorted) only when the non-null rows do not fill the page. A property every node has
// (the id, a required property) needs no second part, and walks either way.
type orderedWalk struct {
	// present and absent match the nodes whose property is set and unset.
	present, absent string
}

// newOrderedWalk returns the walk for a list of label l ascending by prop under cond.
func newOrderedWalk(l *Label, prop, cond string) *orderedWalk {
	with := func(test string) string {
		m := fmt.Sprintf("MATCH (n:%s) WHERE n.%s %s", quote(l.Name), quote(prop), test)
		if cond != "" {
			m += " AND (" + cond + ")"
		}
		return m
	}
	w := &orderedWalk{present: with("IS NOT NULL")}
	if prop != "id" && !slices.Contains(l.Required, prop) {
		w.absent = with("IS NULL")
	}
	return w
}

// query returns the statement that reads size rows from start in order (one row more than
// the page, which tells whether there is a next one), projected by item, as rows.
func (w *orderedWalk) query(b *builder, order, item string, start, size int) string {
	from, limit := b.param(int64(start)), b.param(int64(size))
	var q strings.Builder
	fmt.Fprintf(&q, "CALL () { %s WITH n ORDER BY %s SKIP %s LIMIT %s RETURN collect(n) AS head }\n",
		w.present, order, from, limit)
	if w.absent == "" {
		fmt.Fprintf(&q, "RETURN COLLECT { UNWIND head AS n RETURN %s } AS rows", item)
		return q.String()
	}
	// The nulls follow the last non-null row: when the page starts beyond the non-null
	// rows (head is empty), their count places it among the nulls.
	fmt.Fprintf(&q, `CALL (head) {
  UNWIND CASE WHEN size(head) < %[2]s THEN [true] ELSE [] END AS short
  %[3]s WITH n ORDER BY %[4]s RETURN collect(n) AS nulls
}
WITH head, nulls, CASE WHEN size(head) > 0 OR %[1]s = 0 THEN 0 ELSE %[1]s - COUNT { %[5]s } END AS skipped
RETURN COLLECT { UNWIND head + nulls[skipped..skipped + %[2]s - size(head)] AS n RETURN %[6]s } AS rows`,
		from, limit, w.absent, order, w.present, item)
	return q.String()
}

// page runs a paged read in one statement. match binds n (and the variables carry names,
// which include n); order sorts its rows and must end with a unique key; item projects
// one row. Cursors are offsets among all matching rows.
//
// walk, when not nil, reads pages without a count in index order (see orderedWalk).
func (s *Store) page(ctx context.Context, b *builder, match, carry, order, item string, args PageArgs, wantTotal bool, walk *orderedWalk) (*Page, error) {
	first, hasFirst, err := intArg(anyInt(args.First), "first", s.opts.MaxPage)
	if err != nil {
		return nil, err
	}
	last, hasLast, err := intArg(anyInt(args.Last), "last", s.opts.MaxPage)
	if err != nil {
		return nil, err
	}
	if hasFirst && hasLast {
		return nil, apierr.BadInput("last", "give first or last, not both")
	}
	after, hasAfter, err := decodeCursor(args.After, "after")
	if err != nil {
		return nil, err
	}
	before, hasBefore, err := decodeCursor(args.Before, "before")
	if err != nil {
		return nil, err
	}
	if !hasFirst && !hasLast {
		first = s.opts.DefaultPage
	}
	// From the end (last without before) the page's place depends on the count, so it is
	// read in the counting form below.
	fromEnd := hasLast && !hasBefore
	needTotal := wantTotal || fromEnd
	start, size := 0, first
	if hasAfter {
		start = after + 1
	}
	switch {
	case fromEnd:
		size = last
	case hasLast:
		start = max(start, before-last)
		size = before - start
	case hasBefore:
		size = min(size, before-start)
	}
	size = max(size, 0)
	var q strings.Builder
	if needTotal {
		// One pass: the ordered matches are collected once (as references), counted and
		// sliced, rather than matched again for the count.
		vars := strings.Split(carry, ", ")
		entries, rebind := make([]string, len(vars)), make([]string, len(vars))
		for i, v := range vars {
			entries[i], rebind[i] = v+": "+v, "m."+v+" AS "+v
		}
		from := b.param(int64(start))
		if fromEnd {
			from = fmt.Sprintf("CASE WHEN total > %[1]s THEN total - %[1]s ELSE 0 END", b.param(int64(size)))
		}
		fmt.Fprintf(&q, `CALL () { %s WITH %s ORDER BY %s RETURN collect({%s}) AS matches }
WITH matches, size(matches) AS total
WITH matches, total, %s AS start
RETURN COLLECT { UNWIND matches[start..start + %s] AS m WITH %s RETURN %s } AS rows, total, start`,
			match, carry, order, strings.Join(entries, ", "), from, b.param(int64(size)), strings.Join(rebind, ", "), item)
	} else if walk != nil {
		q.WriteString(walk.query(b, order, item, start, size+1)) // one more tells whether there is more
	} else {
		fmt.Fprintf(&q, "CALL () { %s WITH %s ORDER BY %s SKIP %s LIMIT %s RETURN collect(%s) AS rows }\nRETURN rows",
			match, carry, order, b.param(int64(start)), b.param(int64(size+1)), item) // one more tells whether there is more
	}
	recs, err := s.query(ctx, q.String(), b.params)
	if err != nil {
		return nil, err
	}
	rows, _ := recs[0].Values[0].([]any)
	page := &Page{Offset: start, Total: -1}
	if needTotal {
		page.Total = int(recs[0].Values[1].(int64))
		page.Offset = int(recs[0].Values[2].(int64))
		page.HasNextPage = hasBefore || page.Offset+len(rows) < page.Total
	} else {
		if len(rows) > size {
			rows = rows[:size]
			page.HasNextPage = true
		}
		page.HasNextPage = page.HasNextPage || hasBefore
	}
	page.HasPreviousPage = page.Offset > 0
	page.Records = make([]*Record, 0, len(rows))
	for _, r := range rows {
		page.Records = append(page.Records, decodeRecord(r))
	}
	return page, nil
}

func anyInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// Node returns the node with the given id projected by sel, or nil when there is none or
// the scope does not let the caller see it.
func (s *Store) Node(ctx context.Context, scope Scope, id string, sel *Selection) (*Record, error) {
	label, ok := nodeid.Label(id)
	if !ok || label == "Tie" {
		return nil, apierr.BadInput("id", "is not a Kith node id")
	}
	b := newScopedBuilder(s.schema, scope)
	proj, err := b.nodeProjection("n", []string{label}, sel)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf("MATCH (n:%s {id: %s})", quote(label), b.param(id))
	if p := b.personGuard("n"); p != "" {
		q += " WHERE " + p
	}
	q += " RETURN " + proj
	recs, err := s.query(ctx, q, b.params)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return decodeRecord(recs[0].Values[0]), nil
}

// MaxIDs is the most ids one request may name.
const MaxIDs = 500

// Nodes returns the nodes with the given ids, in order, nil where there is none or the
// scope hides it.
func (s *Store) Nodes(ctx context.Context, scope Scope, ids []string, sel *Selection) ([]*Record, error) {
	if len(ids) > MaxIDs {
		return nil, apierr.BadInput("ids", "names %d ids; at most %d are accepted", len(ids), MaxIDs)
	}
	for i, id := range ids {
		if l, ok := nodeid.Label(id); !ok || l == "Tie" {
			return nil, apierr.BadInput(fmt.Sprintf("ids[%d]", i), "is not a Kith node id")
		}
	}
	b := newScopedBuilder(s.schema, scope)
	proj, err := b.nodeProjection("n", b.allLabels(), sel)
	if err != nil {
		return nil, err
	}
	guard := ""
	if p := b.personGuard("n"); p != "" {
		guard = " WHERE " + p
	}
	q := fmt.Sprintf("UNWIND %s AS id OPTIONAL MATCH (n:%s {id: id})%s RETURN CASE WHEN n IS NULL THEN null ELSE %s END",
		b.param(ids), EntityLabel, guard, proj)
	return s.readRecords(ctx, q, b.params)
}

// copyParams returns a copy of a parameter map, to add statement-specific values.
func copyParams(p map[string]any) map[string]any {
	out := make(map[string]any, len(p)+1)
	for k, v := range p {
		out[k] = v
	}
	return out
}
