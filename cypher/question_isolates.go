package cypher

// isolates: Kith's one definition of an isolated person.

import (
	"context"
	"fmt"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

// defaultIsolationKinds are the ties whose absence makes someone isolated: Kith's one
// definition of an isolated person (schema/questions.graphqls, IsolationMeasure) is no tie
// of these kinds with anyone or anything, in either direction, in any wave.
// ATTENDED counts as MEMBER_OF does: someone who goes to a group's events is not alone.
var defaultIsolationKinds = []string{"KNOWS", "TRUSTS", "GETS_INFO_FROM", "ENCOURAGES", "MEMBER_OF", "ATTENDED"}

// IsolatesArgs select isolated people.
type IsolatesArgs struct {
	PageArgs
	Kinds   []string
	Measure string // ALL_TIES, NAMED_NOBODY, NAMED_BY_NOBODY
	MaxTies int
	AreaID  string
	WaveID  string
}

// Isolates pages through people with at most args.MaxTies ties of the chosen kinds, fewest
// first. Each record is an IsolateEdge: ties, outTies, inTies and the person under "node".
func (s *Store) Isolates(ctx context.Context, scope Scope, args IsolatesArgs, sel *Selection, wantTotal bool) (*Page, error) {
	b := newScopedBuilder(s.schema, scope)
	match, maxTies, err := s.isolatesMatch(b, args)
	if err != nil {
		return nil, err
	}
	match += " WHERE ties <= " + maxTies
	proj, err := b.nodeProjection("n", []string{"Person"}, sel)
	if err != nil {
		return nil, err
	}
	item := fmt.Sprintf("{%s: 'IsolateEdge', ties: ties, outTies: o, inTies: i, %s: %s}", typenameKey, quote(relPrefix+"node"), proj)
	order := []sortKey{{expr: "ties"}, {expr: "n.displayName"}, {expr: "n.id", required: true}}
	return s.page(ctx, b, pageRead{match: match, carry: "n, o, i, ties", order: order, item: item, name: "isolates"}, args.PageArgs, wantTotal)
}

// CountIsolates counts the people Isolates would list, and the people it considered (those
// of the area the scope lets the caller see).
func (s *Store) CountIsolates(ctx context.Context, scope Scope, args IsolatesArgs) (isolated, people int, err error) {
	b := newScopedBuilder(s.schema, scope)
	match, maxTies, err := s.isolatesMatch(b, args)
	if err != nil {
		return 0, 0, err
	}
	row, err := s.readRow(ctx, match+" RETURN count(CASE WHEN ties <= "+maxTies+" THEN n END), count(n)", b.params)
	if err != nil {
		return 0, 0, err
	}
	i, _ := row.Values[0].(int64)
	n, _ := row.Values[1].(int64)
	return int(i), int(n), nil
}

// isolatesMatch is the MATCH of the people args may count, each with their tie counts:
// n, o (out), i (in) and ties (what the measure counts); a person is isolated when ties is
// at most the parameter maxTies.
func (s *Store) isolatesMatch(b *builder, args IsolatesArgs) (match, maxTies string, err error) {
	types, err := s.tieKinds(args.Kinds, quoteAll(defaultIsolationKinds), "kinds")
	if err != nil {
		return "", "", err
	}
	if args.MaxTies < 0 {
		return "", "", apierr.BadUserInput("maxTies", "must not be negative")
	}
	var conds []string
	if pred := b.personPredicate("n"); pred != "" {
		conds = append(conds, pred)
	}
	if args.AreaID != "" {
		if l, ok := nodeid.Label(args.AreaID); !ok || l != "Area" {
			return "", "", apierr.BadUserInput("areaId", "is not the id of an Area")
		}
		conds = append(conds, inArea("n", "LIVES_IN", b.param(args.AreaID)))
	}
	wave := ""
	if args.WaveID != "" {
		if l, ok := nodeid.Label(args.WaveID); !ok || l != "Wave" {
			return "", "", apierr.BadUserInput("waveId", "is not the id of a Wave")
		}
		w := b.param(args.WaveID)
		wave = " WHERE " + w + " IN r.waves"
		// In a wave, only its respondents can be isolated in it: someone it did not
		// survey is not known to have named nobody (docs/waves.md).
		conds = append(conds, "EXISTS { (n)-[:OBSERVED]->(:Observation {waveId: "+w+"}) }")
	}
	measure := map[string]string{"": "o + i", "ALL_TIES": "o + i", "NAMED_NOBODY": "o", "NAMED_BY_NOBODY": "i"}[args.Measure]
	if measure == "" {
		return "", "", apierr.BadUserInput("measure", "must be ALL_TIES, NAMED_NOBODY or NAMED_BY_NOBODY")
	}
	rel := "r:" + strings.Join(types, "|")
	match = "MATCH (n:Person)"
	if len(conds) > 0 {
		match += " WHERE " + strings.Join(conds, " AND ")
	}
	match += fmt.Sprintf(" WITH n, COUNT { (n)-[%[1]s]->()%[2]s } AS o, COUNT { (n)<-[%[1]s]-()%[2]s } AS i"+
		" WITH n, o, i, %[3]s AS ties", rel, wave, measure)
	return match, b.param(int64(args.MaxTies)), nil
}
