package cypher

// The social calendar: events, their recurrences and who may write them.
//
// An event is stored with its first start and end as instants, the time zone its
// recurrence is expanded in (Europe/London unless told otherwise), its recurrence as an
// RFC 5545 RRULE (without DTSTART, which is the start) and its exceptions (EXDATE) as
// RFC 3339 instants. Recurrences are expanded here, in Go, by github.com/teambition/rrule-go
// with the start as DTSTART in the event's zone, so a 7 pm club stays at 7 pm local time
// across the change to and from summer time, as RFC 5545 and calendar apps have it.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/teambition/rrule-go"

	"kith/apierr"
	"kith/nodeid"
	"kith/paging"
)

// DefaultTimeZone is the zone of an event that names none.
const DefaultTimeZone = "Europe/London"

// MaxOccurrences bounds the occurrences of one event (in all, or in its first year when it
// repeats for ever) and of one expansion of a window.
const MaxOccurrences = 10_000

// MaxWindow is the longest window events(from:, to:) expands.
const MaxWindow = 366 * 24 * time.Hour

// maxSteps bounds the occurrences the expansion of one event walks through before its
// window (an event that started long ago), so that no stored rule can hold a request.
const maxSteps = 1_000_000

// errTooMany is what expanding returns past its limit.
var errTooMany = errors.New("too many occurrences")

// LoadZone returns the IANA time zone with the given name. Go's "Local" (the server's own
// zone) and the empty name are refused: an event's zone must mean the same everywhere.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("no time zone named %q", name)
	}
	return time.LoadLocation(name)
}

// allowedFreqs are the frequencies of an event's recurrence: a social calendar's events
// repeat at most daily (several times a day through BYHOUR), never every hour, minute or
// second.
var allowedFreqs = []rrule.Frequency{rrule.DAILY, rrule.WEEKLY, rrule.MONTHLY, rrule.YEARLY}

// parseRecurrence reads an RRULE value (with or without the "RRULE:" prefix). A rule
// carrying its own DTSTART is refused: the event's start is its DTSTART.
func parseRecurrence(s string) (*rrule.ROption, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")
	if strings.Contains(strings.ToUpper(s), "DTSTART") {
		return nil, errors.New("must not hold a DTSTART: the event's start is its first occurrence")
	}
	opt, err := rrule.StrToROption(s)
	if err != nil {
		return nil, fmt.Errorf("is not an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=TU): %w", err)
	}
	if !slices.Contains(allowedFreqs, opt.Freq) {
		return nil, errors.New("repeats too often: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
	}
	return opt, nil
}

// eventInput checks and completes the properties of one event input: its time zone (the
// default on create), its recurrence (well formed; the rest is checked once it is stored,
// with the start it is expanded from).
func eventInput(props map[string]any, path string, create bool) error {
	tz, named := props["timeZone"]
	switch {
	case named && tz != nil:
		if _, err := LoadZone(tz.(string)); err != nil {
			return apierr.BadUserInput(path+".timeZone", "is not a time zone of the IANA database, e.g. Europe/London")
		}
	case named || create:
		props["timeZone"] = DefaultTimeZone
	}
	if r, ok := props["recurrence"]; ok && r != nil {
		rule := strings.TrimPrefix(strings.TrimSpace(r.(string)), "RRULE:")
		if rule == "" {
			props["recurrence"] = nil
			return nil
		}
		if _, err := parseRecurrence(rule); err != nil {
			return apierr.BadUserInput(path+".recurrence", "%s", err.Error())
		}
		props["recurrence"] = rule
	}
	return nil
}

// eventExceptions reads an event's exceptions (EXDATE): RFC 3339 instants, stored in UTC.
func eventExceptions(v any, field string) (any, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, apierr.BadUserInput(field, "expected a list of dates and times")
	}
	if len(list) > MaxListLen {
		return nil, apierr.BadUserInput(field, "has %d entries; at most %d are accepted", len(list), MaxListLen)
	}
	out := make([]string, len(list))
	for i, e := range list {
		t, err := paramValue(Prop{Kind: KindDateTime}, e, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, apierr.BadUserInput(fmt.Sprintf("%s[%d]", field, i), "must not be null")
		}
		out[i] = t.(time.Time).UTC().Format(time.RFC3339)
	}
	return out, nil
}

// EventTiming is what expanding an event needs: its first start and end, zone, rule and
// exceptions.
type EventTiming struct {
	ID         string
	Start      time.Time
	End        *time.Time
	TimeZone   string
	Recurrence string
	Exceptions []time.Time
}

// Zone is the event's time zone (DefaultTimeZone when none is stored).
func (e EventTiming) Zone() *time.Location {
	if loc, err := LoadZone(e.TimeZone); err == nil {
		return loc
	}
	loc, _ := LoadZone(DefaultTimeZone)
	return loc
}

// Duration is how long each occurrence lasts (0 without an end).
func (e EventTiming) Duration() time.Duration {
	if e.End == nil {
		return 0
	}
	return e.End.Sub(e.Start)
}

// Rule is the event's recurrence with the start as DTSTART in its zone, ending no later
// than until when until is not zero; nil for an event that happens once.
func (e EventTiming) Rule(until time.Time) (*rrule.Set, error) {
	if e.Recurrence == "" {
		return nil, nil
	}
	opt, err := parseRecurrence(e.Recurrence)
	if err != nil {
		return nil, err
	}
	opt.Dtstart = e.Start.In(e.Zone())
	if !until.IsZero() && (opt.Until.IsZero() || until.Before(opt.Until)) {
		opt.Until = until
	}
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, err
	}
	set := &rrule.Set{}
	set.RRule(r)
	for _, x := range e.Exceptions {
		set.ExDate(x)
	}
	return set, nil
}

// RecurrenceOptions returns the event's recurrence as parsed (without DTSTART), nil for an
// event that happens once: what a format that spells a rule field by field (the directory's
// schedules) reads, through the one parser that also expands it.
func (e EventTiming) RecurrenceOptions() (*rrule.ROption, error) {
	if e.Recurrence == "" {
		return nil, nil
	}
	return parseRecurrence(e.Recurrence)
}

// Outlook returns the start of the event's first occurrence that has not ended at at (zero
// when none is left) and, when the event ends (it happens once, or its recurrence has a
// COUNT or UNTIL), the start of its last occurrence (zero when it repeats for ever). It
// walks at most maxSteps occurrences, as Starts does, so no stored rule can hold a reader.
func (e EventTiming) Outlook(at time.Time) (next, last time.Time, err error) {
	d := e.Duration()
	if e.Recurrence == "" {
		if e.Start.Add(d).After(at) {
			next = e.Start
		}
		return next, e.Start, nil
	}
	set, err := e.Rule(time.Time{})
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	bounded := e.bounded()
	iter := set.Iterator()
	for steps := 0; ; steps++ {
		t, ok := iter()
		if !ok {
			return next, last, nil
		}
		if steps > maxSteps {
			return time.Time{}, time.Time{}, errTooMany
		}
		last = t
		if next.IsZero() && t.Add(d).After(at) {
			next = t
			if !bounded {
				return next, time.Time{}, nil
			}
		}
	}
}

// bounded reports whether the event's recurrence ends (COUNT or UNTIL).
func (e EventTiming) bounded() bool {
	opt, err := parseRecurrence(e.Recurrence)
	return err == nil && (opt.Count > 0 || !opt.Until.IsZero())
}

// Starts returns the starts of the event's occurrences in [from, to), in order, at most
// limit of them (errTooMany past it).
func (e EventTiming) Starts(from, to time.Time, limit int) ([]time.Time, error) {
	var out []time.Time
	err := e.each(from, to, func(t time.Time) error {
		if len(out) == limit {
			return errTooMany
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Next returns the start of the event's first occurrence in [from, to), and false when
// the window holds none.
func (e EventTiming) Next(from, to time.Time) (time.Time, bool, error) {
	var first time.Time
	err := e.each(from, to, func(t time.Time) error {
		first = t
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return time.Time{}, false, err
	}
	return first, !first.IsZero(), nil
}

// errStop ends an each early without an error.
var errStop = errors.New("stop")

// each calls fn with the start of each of the event's occurrences in [from, to), in order,
// until fn returns an error, which each returns. Skipping more than maxSteps occurrences
// before from is errTooMany.
func (e EventTiming) each(from, to time.Time, fn func(time.Time) error) error {
	if e.Recurrence == "" {
		if !e.Start.Before(from) && e.Start.Before(to) {
			return fn(e.Start)
		}
		return nil
	}
	set, err := e.Rule(to)
	if err != nil {
		return err
	}
	next := set.Iterator()
	for steps := 0; ; steps++ {
		t, ok := next()
		if !ok || !t.Before(to) {
			return nil
		}
		if t.Before(from) {
			if steps > maxSteps {
				return errTooMany
			}
			continue
		}
		if err := fn(t); err != nil {
			return err
		}
	}
}

// checkTiming checks a stored event: its end is not before its start, and its recurrence
// yields at most MaxOccurrences (in all when it ends, in its first year when it does not).
// It returns the input field at fault and why, or "" when the event is sound.
func (e EventTiming) check() (field, reason string) {
	if e.End != nil && e.End.Before(e.Start) {
		return "end", "is before the start"
	}
	if e.Recurrence == "" {
		return "", ""
	}
	if _, err := parseRecurrence(e.Recurrence); err != nil {
		return "recurrence", err.Error()
	}
	to := e.Start.Add(MaxWindow)
	if e.bounded() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if _, err := e.Starts(e.Start, to, MaxOccurrences); err != nil {
		if errors.Is(err, errTooMany) {
			return "recurrence", fmt.Sprintf("yields more than %d occurrences (in all, or in its first year when it has no end): give it a COUNT or UNTIL, or repeat it less often", MaxOccurrences)
		}
		return "recurrence", err.Error()
	}
	return "", ""
}

// eventTimingCols are the columns readTimings reads of an event e.
const eventTimingCols = "e.id, e.start, e.`end`, e.timeZone, e.recurrence, e.exceptions"

// timingOf reads an EventTiming from the values of eventTimingCols.
func timingOf(vals []any) EventTiming {
	e := EventTiming{}
	e.ID, _ = vals[0].(string)
	e.Start, _ = vals[1].(time.Time)
	if t, ok := vals[2].(time.Time); ok {
		e.End = &t
	}
	e.TimeZone, _ = vals[3].(string)
	e.Recurrence, _ = vals[4].(string)
	if xs, ok := vals[5].([]any); ok {
		for _, x := range xs {
			if s, ok := x.(string); ok {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					e.Exceptions = append(e.Exceptions, t)
				}
			}
		}
	}
	return e
}

// checkEventsBefore fails with FORBIDDEN when a write names, by id or externalId, an
// existing event a worker may not change (see checkEventsInScope). params are the write's
// items ({i, id, externalId}).
func (s *Store) checkEventsBefore(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, l *Label, params []any) error {
	if l.Name != "Event" || scope.Areas == nil || len(params) == 0 {
		return nil
	}
	recs, err := s.run(ctx, tx, `UNWIND $items AS item
CALL (item) {
  MATCH (n:Event {id: item.id}) RETURN n
  UNION
  MATCH (n:Event {externalId: item.externalId}) RETURN n
}
RETURN item.i, n.id`, map[string]any{"items": params})
	if err != nil {
		return err
	}
	var ids, paths []string
	for _, r := range recs {
		ids, paths = append(ids, r.Values[1].(string)), append(paths, fmt.Sprintf("input[%d]", r.Values[0].(int64)))
	}
	return s.checkEventsInScope(ctx, tx, scope, ids, paths, "")
}

// checkEventsAfter checks the events a create or update wrote, in its transaction: each is
// sound (EventTiming.check: BAD_USER_INPUT naming the input's field) and, for a worker, in
// their areas (FORBIDDEN).
func (s *Store) checkEventsAfter(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, l *Label, items []nodeItem) error {
	if l.Name != "Event" {
		return nil
	}
	ids := make([]string, len(items))
	paths := make([]string, len(items))
	for i, it := range items {
		ids[i], paths[i] = it.ID, fmt.Sprintf("input[%d]", it.I)
	}
	recs, err := s.run(ctx, tx, "UNWIND range(0, size($ids) - 1) AS i MATCH (e:Event {id: $ids[i]}) RETURN i, "+eventTimingCols,
		map[string]any{"ids": ids})
	if err != nil {
		return err
	}
	for _, r := range recs {
		i := r.Values[0].(int64)
		if field, reason := timingOf(r.Values[1:]).check(); field != "" {
			if field == "end" {
				if _, ok := items[i].Props["end"]; !ok {
					field = "start"
				}
			}
			return apierr.BadUserInput(paths[i]+"."+field, "%s", reason)
		}
	}
	return s.checkEventsInScope(ctx, tx, scope, ids, paths, "after")
}

// checkEventsInScope fails with FORBIDDEN, naming the input, when a worker (a scope with
// areas) may not write one of the events: an event they write must be held at a place or
// run by a group in their areas, and every place and group it has must be. An event of
// another worker's area, or moved there, is theirs. when is "after" for events as a write
// leaves them (the path then names placeId or groupId).
func (s *Store) checkEventsInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, ids, paths []string, when string) error {
	if scope.Areas == nil || len(ids) == 0 {
		return nil
	}
	b := newScopedBuilder(s.schema, scope)
	in := func(v string) string {
		a := b.fresh("sa")
		return fmt.Sprintf("EXISTS { MATCH (%s)-[:IN]->(:Area)-[:IN*0..%d]->(%s:Area) WHERE %s.id IN %s }", v, areaDepth, a, a, b.areasParam())
	}
	q := fmt.Sprintf(`UNWIND range(0, size(%[1]s) - 1) AS i
MATCH (e:Event {id: %[1]s[i]})
WITH i, COLLECT { MATCH (e)-[:HELD_AT]->(p:Place) RETURN %[2]s } AS places, COLLECT { MATCH (g:Group)-[:RUNS]->(e) RETURN %[3]s } AS groups
WHERE size(places) + size(groups) = 0 OR false IN places OR false IN groups
RETURN i, false IN places, false IN groups ORDER BY i LIMIT 1`, b.param(ids), in("p"), in("g"))
	recs, err := s.run(ctx, tx, q, b.params)
	if err != nil || len(recs) == 0 {
		return err
	}
	i := recs[0].Values[0].(int64)
	placeOut, groupOut := recs[0].Values[1].(bool), recs[0].Values[2].(bool)
	path := paths[i]
	switch {
	case when == "after" && placeOut:
		return apierr.Forbidden(path+".placeId", "is a place outside the areas you cover")
	case when == "after" && groupOut:
		return apierr.Forbidden(path+".groupId", "is a group outside the areas you cover")
	case placeOut || groupOut:
		return apierr.Forbidden(path, "names an event held or run outside the areas you cover")
	}
	return apierr.Forbidden(path, "an event you record must be held at a place (placeId) or run by a group (groupId) in the areas you cover")
}

// eventHostKinds are the tie kinds that say where an event is and whose it is: a worker
// writes them only for events in their areas.
var eventHostKinds = []string{"HELD_AT", "RUNS"}

// eventOf returns the event end of a tie of one of eventHostKinds, "" for other ties.
func eventOf(kind, from, to string) string {
	if !slices.Contains(eventHostKinds, kind) {
		return ""
	}
	for _, id := range []string{from, to} {
		if l, ok := nodeid.Label(id); ok && l == "Event" {
			return id
		}
	}
	return ""
}

// EventsArgs select the occurrences of events(from:, to:, area:, interests:) and myWeek.
type EventsArgs struct {
	PageArgs
	From, To time.Time
	// AreaID keeps the events held at a place, or run by a group, in the area or an area
	// inside it.
	AreaID string
	// Interests keep the events of groups interested in one of them (INTERESTED_IN).
	Interests []string
	// Person keeps the events of the person's groups (MEMBER_OF) and of groups sharing one
	// of their interests (myWeek); the person must pass the scope.
	Person string
	// Field prefixes the names errors give the arguments ("" for events).
	Field string
}

// Occurrence is one occurrence of an event: its start and end, and the event as selected.
type Occurrence struct {
	EventID    string
	Start, End time.Time
	HasEnd     bool
	Event      *Record
}

// Events pages through the occurrences of events in [args.From, args.To), in order of start
// then event id, each with the event projected by sel. The window is at most MaxWindow long
// and may hold at most MaxOccurrences occurrences (BAD_USER_INPUT naming to, otherwise). It
// reads the events in one statement and expands their recurrences here; the page is cut
// from the expansion by a keyset cursor (start, event id), through package paging.
func (s *Store) Events(ctx context.Context, scope Scope, args EventsArgs, sel *Selection, wantTotal bool) (*paging.Page, []Occurrence, error) {
	f := args.Field
	if !args.To.After(args.From) {
		return nil, nil, apierr.BadUserInput(f+"to", "must be after from")
	}
	if args.To.Sub(args.From) > MaxWindow {
		return nil, nil, apierr.BadUserInput(f+"to", "is more than 366 days after from: ask for a shorter window")
	}
	if args.AreaID != "" {
		if l, ok := nodeid.Label(args.AreaID); !ok || l != "Area" {
			return nil, nil, apierr.BadUserInput(f+"area", "is not the id of an Area")
		}
	}
	for i, id := range args.Interests {
		if l, ok := nodeid.Label(id); !ok || l != "Interest" {
			return nil, nil, apierr.BadUserInput(fmt.Sprintf("%sinterests[%d]", f, i), "is not the id of an Interest")
		}
	}
	req, err := s.cursors.Request(args.PageArgs, "events", s.opts.MaxPage, f)
	if err != nil {
		return nil, nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	var q strings.Builder
	var conds []string
	if args.Person != "" {
		if l, ok := nodeid.Label(args.Person); !ok || l != "Person" {
			return nil, nil, apierr.BadUserInput(f+"person", "is not the id of a Person")
		}
		found, err := s.subjectFound(ctx, scope, "Person", args.Person)
		if err != nil {
			return nil, nil, err
		}
		if !found {
			return nil, nil, apierr.NotFound(f+"person", "no person you may see has this id")
		}
		fmt.Fprintf(&q, "MATCH (p:Person {id: %s})", b.param(args.Person))
		if pred := b.personPredicate("p"); pred != "" {
			fmt.Fprintf(&q, " WHERE %s", pred)
		}
		q.WriteString("\nWITH p, COLLECT { MATCH (p)-[:MEMBER_OF]->(g:Group) RETURN g } AS mine, COLLECT { MATCH (p)-[:INTERESTED_IN]->(i:Interest) RETURN i } AS likes\n")
		conds = append(conds, "EXISTS { MATCH (g:Group)-[:RUNS]->(e) WHERE g IN mine OR EXISTS { MATCH (g)-[:INTERESTED_IN]->(i:Interest) WHERE i IN likes } }")
	}
	fmt.Fprintf(&q, "MATCH (e:Event) WHERE e.start < %s AND (e.recurrence IS NOT NULL OR e.start >= %s)", b.param(args.To), b.param(args.From))
	if args.AreaID != "" {
		conds = append(conds, fmt.Sprintf("EXISTS { MATCH (e)-[:HELD_AT]->(:Place)-[:IN]->(:Area)-[:IN*0..%d]->(:Area {id: %s}) } OR EXISTS { MATCH (e)<-[:RUNS]-(:Group)-[:IN]->(:Area)-[:IN*0..%d]->(:Area {id: %s}) }",
			areaDepth, b.param(args.AreaID), areaDepth, b.param(args.AreaID)))
	}
	if len(args.Interests) > 0 {
		conds = append(conds, fmt.Sprintf("EXISTS { MATCH (e)<-[:RUNS]-(:Group)-[:INTERESTED_IN]->(i:Interest) WHERE i.id IN %s }", b.param(args.Interests)))
	}
	for _, c := range conds {
		fmt.Fprintf(&q, " AND (%s)", c)
	}
	proj, err := b.nodeProjection("e", []string{"Event"}, sel)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(&q, "\nRETURN %s, %s", eventTimingCols, proj)
	recs, err := s.query(ctx, q.String(), b.params)
	if err != nil {
		return nil, nil, fmt.Errorf("events: %w", err)
	}
	var all []Occurrence
	for _, r := range recs {
		t := timingOf(r.Values[:6])
		ev := decodeRecord(r.Values[6])
		starts, err := t.Starts(args.From, args.To, MaxOccurrences-len(all))
		if err != nil {
			if errors.Is(err, errTooMany) {
				return nil, nil, apierr.BadUserInput(f+"to", "the window holds more than %d occurrences: ask for a shorter one, or narrow it by area or interests", MaxOccurrences)
			}
			return nil, nil, fmt.Errorf("events: expand %s: %w", t.ID, err)
		}
		for _, st := range starts {
			o := Occurrence{EventID: t.ID, Start: st.UTC(), Event: ev}
			if t.End != nil {
				o.End, o.HasEnd = st.Add(t.Duration()).UTC(), true
			}
			all = append(all, o)
		}
	}
	slices.SortFunc(all, func(a, b Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
	p, rows := pageOccurrences(s.cursors, req, all, wantTotal)
	return p, rows, nil
}

// pageOccurrences cuts the page req asks for from occurrences in order, by the keyset
// (start, event id) of its cursors.
func pageOccurrences(c *paging.Codec, req paging.Request, all []Occurrence, wantTotal bool) (*paging.Page, []Occurrence) {
	key := func(o Occurrence) []any { return []any{o.Start, o.EventID} }
	cmp := func(o Occurrence, keys []any) int {
		t, _ := keys[0].(time.Time)
		id, _ := keys[1].(string)
		if c := o.Start.Compare(t); c != 0 {
			return c
		}
		return strings.Compare(o.EventID, id)
	}
	lo, hi := 0, len(all)
	if len(req.After) == 2 {
		lo, _ = slices.BinarySearchFunc(all, req.After, func(o Occurrence, k []any) int {
			if cmp(o, k) <= 0 {
				return -1
			}
			return 1
		})
	}
	if len(req.Before) == 2 {
		hi, _ = slices.BinarySearchFunc(all, req.Before, func(o Occurrence, k []any) int {
			if cmp(o, k) < 0 {
				return -1
			}
			return 1
		})
	}
	hi = max(hi, lo)
	var rows []Occurrence
	if req.Backward {
		start := max(hi-req.Size-1, lo)
		rows = slices.Clone(all[start:hi])
		slices.Reverse(rows)
	} else {
		rows = all[lo:min(lo+req.Size+1, hi)]
	}
	total := -1
	if wantTotal {
		total = len(all)
	}
	rows, p := paging.Rows(c, "events", req, rows, key, total)
	return p, rows
}
