package cypher

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"kith/apierr"
	"kith/nodeid"
	"kith/paging"
)

// PageArgs are the Relay paging arguments of a connection field (package paging).
type PageArgs = paging.Args

// ListArgs select and order the nodes of one label.
type ListArgs struct {
	PageArgs
	Where   map[string]any
	OrderBy []map[string]any
	// Scope narrows the people the caller may see (scope.go): for a list of people it is
	// one more predicate in the statement's WHERE, and it applies to every nested field.
	Scope Scope
}

// Page is one page of a connection: its records, in order, and their cursors and page
// information (package paging).
type Page struct {
	Records []*Record
	*paging.Page
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
	walk := newOrderedWalk(l, lead, andJoin(own, join.exists(), related))
	return s.page(ctx, b, pageRead{match: match, carry: "n", order: order, item: proj, walk: walk, name: label}, args.PageArgs, wantTotal)
}

// sortKey is one key of a read's order: an expression over the read's variables, and
// whether it runs descending. An order ends with the id, so that it is total.
type sortKey struct {
	expr string
	desc bool
	// required says the expression is never null (an id).
	required bool
}

// render writes an order as Cypher's ORDER BY list; reversed, every key runs the other
// way (Neo4j sorts nulls last ascending and first descending: reversing an order
// reverses the rows exactly).
func render(order []sortKey, reversed bool) string {
	terms := make([]string, len(order))
	for i, k := range order {
		dir := "ASC"
		if k.desc != reversed {
			dir = "DESC"
		}
		terms[i] = k.expr + " " + dir
	}
	return strings.Join(terms, ", ")
}

// after is the predicate "the row comes strictly after the row of key values vals" in
// order (reversed: strictly before it), compared key by key as ORDER BY does, nulls
// included; vals holds one value per key.
func (b *builder) after(order []sortKey, vals []any, reversed bool) string {
	var or, eq []string
	for i, k := range order {
		desc := k.desc != reversed
		v := "null"
		if vals[i] != nil {
			v = b.param(vals[i])
		}
		var gt string
		switch {
		case vals[i] == nil && !desc: // nulls come last: nothing is past one
		case vals[i] == nil:
			gt = k.expr + " IS NOT NULL"
		case desc:
			gt = fmt.Sprintf("%s < %s", k.expr, v)
		case k.required:
			gt = fmt.Sprintf("%s > %s", k.expr, v)
		default:
			gt = fmt.Sprintf("(%s > %s OR %s IS NULL)", k.expr, v, k.expr)
		}
		if gt != "" {
			or = append(or, "("+strings.Join(append(slices.Clone(eq), gt), " AND ")+")")
		}
		if vals[i] == nil {
			eq = append(eq, k.expr+" IS NULL")
		} else {
			eq = append(eq, fmt.Sprintf("%s = %s", k.expr, v))
		}
	}
	if len(or) == 0 {
		return "false"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// orderedWalk reads a page of a list sorted by a property in the order of the property's
// index: Neo4j walks a range index in order only for rows where the property is not null,
// seeking to the cursor's value and stopping after the page, where sorting every match
// first would cost a scan of the label. Ascending, nulls sort last, so the rows where the
// property is null are read (and sorted) only when the non-null rows do not fill the
// page. A property every node has (the id, a required property) needs no second part, and
// walks either way.
type orderedWalk struct {
	lead orderKey
	// present and absent match the nodes whose property is set and unset.
	present, absent string
}

// newOrderedWalk returns the walk for a list of label l led by lead under cond.
func newOrderedWalk(l *Label, lead orderKey, cond string) *orderedWalk {
	with := func(test string) string {
		m := fmt.Sprintf("MATCH (n:%s) WHERE n.%s %s", quote(l.Name), quote(lead.prop), test)
		if cond != "" {
			m += " AND (" + cond + ")"
		}
		return m
	}
	w := &orderedWalk{lead: lead, present: with("IS NOT NULL")}
	if lead.prop != "id" && !slices.Contains(l.Required, lead.prop) {
		w.absent = with("IS NULL")
	}
	return w
}

// usable tells whether the walk reads in the order asked (reversed or not): descending,
// the nulls would come first, so only a property every node has walks back.
func (w *orderedWalk) usable(reversed bool) bool {
	return w != nil && (w.lead.desc == reversed || w.absent == "")
}

// query returns the statement that reads limit rows in order from the seek cond (one row
// more than the page, which tells whether there is a next one), as rows of [item, keys].
// from, when not nil, holds the keys of the cursor read from: the walk seeks to its lead
// value in the index rather than reading the index from its start, and from a row
// without one, reads only the rows without one.
func (w *orderedWalk) query(b *builder, order, cond, row string, from []any, desc bool, limit string) (body, rows string) {
	present := w.present
	if from != nil && from[0] != nil {
		op := ">="
		if desc {
			op = "<="
		}
		present += fmt.Sprintf(" AND n.%s %s %s", quote(w.lead.prop), op, b.param(from[0]))
	}
	absent := w.absent
	if cond != "" {
		present += " AND " + cond
		absent += " AND " + cond
	}
	var q strings.Builder
	if from != nil && from[0] == nil && w.absent != "" {
		q.WriteString("WITH [] AS head\n") // past the last row that has one
	} else {
		fmt.Fprintf(&q, "CALL () { %s WITH n ORDER BY %s LIMIT %s RETURN collect(n) AS head }\n", present, order, limit)
	}
	if w.absent == "" {
		return q.String(), fmt.Sprintf("COLLECT { UNWIND head AS n RETURN %s }", row)
	}
	fmt.Fprintf(&q, `CALL (head) {
  UNWIND CASE WHEN size(head) < %[1]s THEN [true] ELSE [] END AS short
  %[2]s WITH n ORDER BY %[3]s LIMIT %[1]s RETURN collect(n) AS nulls
}
`, limit, absent, order)
	return q.String(), fmt.Sprintf("COLLECT { UNWIND (head + nulls)[..%s] AS n RETURN %s }", limit, row)
}

// pageRead is what a paged read matches and returns: match binds the variables carry
// names (which include n); order sorts them and ends with n.id; item projects one row;
// walk, when not nil, reads lists in index order (orderedWalk); name names the
// connection, and with the order, the cursors it gives out.
type pageRead struct {
	match, carry string
	order        []sortKey
	item         string
	walk         *orderedWalk
	name         string
}

// page runs a paged read in one statement. The page is read from the cursor it starts at
// (after, or before when reading backwards) by a seek on the order's keys, never by
// skipping rows, so that a page costs the same at any depth, and a write between two
// pages neither skips nor repeats a row. wantTotal counts every match in the same
// statement.
func (s *Store) page(ctx context.Context, b *builder, read pageRead, args PageArgs, wantTotal bool) (*Page, error) {
	fingerprint := read.name + "|" + render(read.order, false)
	req, err := s.cursors.Request(args, fingerprint, s.opts.MaxPage, "")
	if err != nil {
		return nil, err
	}
	var conds []string
	for _, c := range []struct {
		vals     []any
		reversed bool
		field    string
	}{{req.After, false, "after"}, {req.Before, true, "before"}} {
		if c.vals == nil {
			continue
		}
		if len(c.vals) != len(read.order) {
			return nil, apierr.BadUserInput(c.field, "is not a cursor this API gave out for this order")
		}
		conds = append(conds, b.after(read.order, c.vals, c.reversed))
	}
	cond := strings.Join(conds, " AND ")
	order := render(read.order, req.Backward)
	keys := make([]string, len(read.order))
	for i, k := range read.order {
		keys[i] = k.expr
	}
	row := fmt.Sprintf("[%s, [%s]]", read.item, strings.Join(keys, ", "))
	limit := b.param(int64(req.Size + 1)) // one more tells whether there is more
	var q strings.Builder
	result := "rows"
	if read.walk.usable(req.Backward) {
		from := req.After
		if req.Backward {
			from = req.Before
		}
		body, rows := read.walk.query(b, order, cond, row, from, read.walk.lead.desc != req.Backward, limit)
		q.WriteString(body)
		result = rows
	} else {
		where := ""
		if cond != "" {
			where = fmt.Sprintf(" WITH %s WHERE %s", read.carry, cond)
		}
		fmt.Fprintf(&q, "CALL () { %s%s WITH %s ORDER BY %s LIMIT %s RETURN collect(%s) AS rows }\n",
			read.match, where, read.carry, order, limit, row)
	}
	result += " AS rows"
	if wantTotal {
		fmt.Fprintf(&q, "CALL () { %s RETURN count(*) AS total }\n", read.match)
		result += ", total"
	}
	q.WriteString("RETURN " + result)
	recs, err := s.query(ctx, q.String(), b.params)
	if err != nil {
		return nil, err
	}
	rows, _ := recs[0].Values[0].([]any)
	total := -1
	if wantTotal {
		total = int(recs[0].Values[1].(int64))
	}
	shown, p := paging.Rows(s.cursors, fingerprint, req, rows, func(r any) []any { return r.([]any)[1].([]any) }, total)
	page := &Page{Page: p, Records: make([]*Record, len(shown))}
	for i, r := range shown {
		page.Records[i] = decodeRecord(r.([]any)[0])
	}
	return page, nil
}

// Node returns the node with the given id projected by sel, or nil when there is none or
// the scope does not let the caller see it.
func (s *Store) Node(ctx context.Context, scope Scope, id string, sel *Selection) (*Record, error) {
	label, ok := nodeid.Label(id)
	if !ok || label == "Tie" {
		return nil, apierr.BadUserInput("id", "is not a Kith node id")
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
		return nil, apierr.BadUserInput("ids", "names %d ids; at most %d are accepted", len(ids), MaxIDs)
	}
	for i, id := range ids {
		if l, ok := nodeid.Label(id); !ok || l == "Tie" {
			return nil, apierr.BadUserInput(fmt.Sprintf("ids[%d]", i), "is not a Kith node id")
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
