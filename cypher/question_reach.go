package cypher

// reach: how far an idea could spread.

import (
	"context"
	"fmt"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

// defaultReachKinds are the ties along which an idea spreads between people.
var defaultReachKinds = []string{"KNOWS", "TRUSTS", "ENCOURAGES", "GETS_INFO_FROM"}

// How reach may travel: ReachPeople from person to person only (word of mouth, the
// contagion the seeds speak of), ReachAnything also through the groups, places,
// organisations and familiar strangers the ties lead to (a noticeboard, a club).
const (
	ReachPeople   = "PEOPLE"
	ReachAnything = "ANYTHING"
)

// Reach counts the distinct people within hops of a set of people, by distance, over ties
// of the given kinds in either direction, through the people (and, with ReachAnything,
// the other nodes) the scope lets the caller see: a person outside it neither counts nor
// passes anything on.
func (s *Store) Reach(ctx context.Context, scope Scope, people []string, hops int, kinds []string, through string) (total int, byHops []int, err error) {
	if len(people) == 0 || len(people) > MaxReachFrom {
		return 0, nil, apierr.BadUserInput("people", "must name between 1 and %d people", MaxReachFrom)
	}
	for i, id := range people {
		if l, ok := nodeid.Label(id); !ok || l != "Person" {
			return 0, nil, apierr.BadUserInput(fmt.Sprintf("people[%d]", i), "is not the id of a Person")
		}
	}
	if hops < 1 || hops > MaxReachHops {
		return 0, nil, apierr.BadUserInput("hops", "must be between 1 and %d", MaxReachHops)
	}
	types, err := s.tieKinds(kinds, quoteAll(defaultReachKinds), "kinds")
	if err != nil {
		return 0, nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	ids := b.param(people)
	var hop string
	switch through {
	case ReachPeople:
		x, y := "(x:Person)", "(y:Person)"
		if pred := b.personPredicate("y"); pred != "" {
			y = "(y:Person WHERE " + pred + ")"
		}
		hop = fmt.Sprintf("(%s-[:%s]-%s)", x, strings.Join(types, "|"), y)
	case ReachAnything:
		rel := ""
		if pred := b.tiePredicate("x", "r", "y"); pred != "" {
			rel = " WHERE " + pred
		}
		hop = fmt.Sprintf("((x)-[r:%s%s]-(y))", strings.Join(types, "|"), rel)
	default:
		return 0, nil, apierr.BadUserInput("through", "must be PEOPLE or ANYTHING")
	}
	visible := ""
	if pred := b.personPredicate("s"); pred != "" {
		visible = " AND " + pred
	}
	q := fmt.Sprintf(`MATCH (s:Person) WHERE s.id IN %[1]s%[4]s
WITH collect(s) AS sources
RETURN [s IN sources | s.id] AS found, COLLECT {
  UNWIND sources AS s
  MATCH p = ANY SHORTEST (s)%[2]s{1,%[3]d}(m:Person WHERE NOT m.id IN %[1]s)
  WITH m, min(length(p)) AS d
  RETURN d
} AS distances`, ids, hop, hops, visible)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return 0, nil, err
	}
	found := map[string]bool{}
	for _, id := range row.Values[0].([]any) {
		found[id.(string)] = true
	}
	for i, id := range people {
		if !found[id] {
			return 0, nil, apierr.NotFound(fmt.Sprintf("people[%d]", i), "no Person has id %s", id)
		}
	}
	byHops = make([]int, hops)
	for _, d := range row.Values[1].([]any) {
		byHops[d.(int64)-1]++
		total++
	}
	return total, byHops, nil
}
