package cypher

// The questions community workers ask, each one Cypher statement (trustedRoutes in
// DISJOINT mode is one statement per route). Paths use Neo4j's GQL path selectors (SHORTEST,
// ALL SHORTEST) over quantified path patterns, with every filter written inline so that it
// prunes the search rather than the results.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// Limits of the questions.
const (
	MaxRouteHops = 6
	MaxRoutes    = 10
	MaxEgoHops   = 3
	MaxEgoNodes  = 2000
	MaxReachHops = 4
	MaxReachFrom = 100
	// routesPerQuery caps the paths one statement returns before they are ranked.
	routesPerQuery = 500
)

// RouteSpec says which ties a route may follow. Callers start from a question's defaults
// (TrustedRouteDefaults, AuthorityRouteDefaults) and change what the caller set.
type RouteSpec struct {
	// Kinds are the tie kinds a route may follow between people.
	Kinds []string
	// MinStrength is STRONG (KNOWS ties count only when strong) or WEAK (any KNOWS tie).
	MinStrength string
	// Direction is OUT, IN or BOTH.
	Direction string
	// MaxHops is the most ties a route may have.
	MaxHops int
}

// TrustedRouteDefaults are what a trusted route follows unless told otherwise: trust, and
// close (strong) ties, each in the direction the person on the route named it, so that
// every step is someone the one before goes to or is close to.
var TrustedRouteDefaults = RouteSpec{Kinds: []string{"TRUSTS", "KNOWS"}, MinStrength: "STRONG", Direction: "OUT", MaxHops: 4}

// AuthorityRouteDefaults are what linksToAuthority follows unless told otherwise: any
// acquaintance, trust or employment, in either direction.
var AuthorityRouteDefaults = RouteSpec{Kinds: []string{"KNOWS", "TRUSTS", "WORKS_FOR"}, MinStrength: "WEAK", Direction: "BOTH", MaxHops: 3}

// strongOnly reports whether KNOWS ties count only when strong.
func (spec RouteSpec) strongOnly() bool { return spec.MinStrength == "STRONG" }

// Target is where a route ends: exactly one field is set.
type Target struct {
	GroupID, Activity, PersonID, Interest string
}

// checkSpec validates a spec; nodes are the labels a route may pass, field the input errors
// name and maxHopsField the one errors about maxHops name.
func (s *Store) checkSpec(spec RouteSpec, nodes []string, field, maxHopsField string) error {
	if len(spec.Kinds) == 0 {
		return apierr.BadInput(field+".kinds", "is empty: a route must follow some kind of tie")
	}
	for _, k := range spec.Kinds {
		kind, ok := s.schema.Ties[k]
		if !ok {
			return apierr.BadInput(field+".kinds", "%q is not a tie kind", k)
		}
		joins := false
		for _, a := range nodes {
			for _, b := range nodes {
				joins = joins || kind.Allows(a, b)
			}
		}
		if !joins {
			return apierr.BadInput(field+".kinds", "%s ties do not join %s, so a route cannot follow them", k, strings.Join(nodes, " or "))
		}
	}
	switch spec.Direction {
	case "OUT", "IN", "BOTH":
	default:
		return apierr.BadInput(field+".direction", "must be OUT, IN or BOTH")
	}
	switch spec.MinStrength {
	case "STRONG", "WEAK":
	default:
		return apierr.BadInput(field+".minStrength", "must be STRONG or WEAK")
	}
	if spec.MaxHops < 1 || spec.MaxHops > MaxRouteHops {
		return apierr.BadInput(maxHopsField, "must be between 1 and %d", MaxRouteHops)
	}
	return nil
}

// arrow returns the relationship pattern of one hop, with its inline filters.
func (b *builder) arrow(r string, spec RouteSpec) string {
	types := make([]string, len(spec.Kinds))
	for i, k := range spec.Kinds {
		types[i] = quote(k)
	}
	sort.Strings(types)
	rel := r + ":" + strings.Join(types, "|")
	if spec.strongOnly() && contains(spec.Kinds, "KNOWS") {
		rel += fmt.Sprintf(" WHERE type(%s) <> 'KNOWS' OR %s.strength = 'STRONG'", r, r)
	}
	switch spec.Direction {
	case "OUT":
		return "-[" + rel + "]->"
	case "IN":
		return "<-[" + rel + "]-"
	}
	return "-[" + rel + "]-"
}

// hops returns a quantified path pattern of between lo and hi hops through nodes with the
// given label expression, none of whose ids is in the parameter excl (when not empty), and
// only through people the builder's scope may see.
func (b *builder) hops(spec RouteSpec, labels, excl string, lo, hi int) string {
	x, y, r := b.fresh("x"), b.fresh("y"), b.fresh("r")
	node := func(v string) string {
		var conds []string
		if excl != "" {
			conds = append(conds, "NOT "+v+".id IN "+excl)
		}
		guard := b.personPredicate(v)
		if labels != "Person" {
			guard = b.personGuard(v)
		}
		if guard != "" {
			conds = append(conds, guard)
		}
		if len(conds) == 0 {
			return "(" + v + ":" + labels + ")"
		}
		return "(" + v + ":" + labels + " WHERE " + strings.Join(conds, " AND ") + ")"
	}
	return fmt.Sprintf("(%s%s%s){%d,%d}", node(x), b.arrow(r, spec), node(y), lo, hi)
}

// scopedPerson returns "OPTIONAL MATCH (v:Person {id: $id})", keeping only a person the
// builder's scope may see: one outside it reads as one that does not exist.
func (b *builder) scopedPerson(v, id string) string {
	q := fmt.Sprintf("OPTIONAL MATCH (%s:Person {id: %s})", v, b.param(id))
	if pred := b.personPredicate(v); pred != "" {
		q += " WHERE " + pred
	}
	return q
}

// targetPattern returns the pattern from the start of a route to the target (after the
// start node, "(a)"), and the pattern that counts targets. Routes pass through people only;
// to a group or an interest the last step is the MEMBER_OF or INTERESTED_IN tie of the last
// person, who may be the start itself (a member of the group is one tie from it).
func (b *builder) targetPattern(to Target, spec RouteSpec, from, excl string) (route, count string, err error) {
	set := 0
	for _, v := range []string{to.GroupID, to.Activity, to.PersonID, to.Interest} {
		if strings.TrimSpace(v) != "" {
			set++
		}
	}
	if set != 1 {
		return "", "", apierr.BadInput("to", "give exactly one of groupId, activity, personId and interest")
	}
	lower := func(s string) string { return b.param(strings.ToLower(strings.TrimSpace(s))) }
	// through returns the route to the last person, then the tie to the target node.
	through := func(tie, node string) string {
		if spec.MaxHops == 1 {
			return tie + node
		}
		return b.hops(spec, "Person", excl, 0, spec.MaxHops-1) + "(mb:Person)" + tie + node
	}
	// A group whose memberships the caller may not see is not a target: it reads as one
	// that does not exist.
	visibleGroup := func(cond string) string {
		return andJoin(cond, b.groupPredicate("t"))
	}
	switch {
	case to.GroupID != "":
		if l, ok := nodeid.Label(to.GroupID); !ok || l != "Group" {
			return "", "", apierr.BadInput("to.groupId", "is not the id of a Group")
		}
		node := fmt.Sprintf("(t:Group WHERE %s)", visibleGroup("t.id = "+b.param(to.GroupID)))
		return through("-[tie:MEMBER_OF]->", node), node, nil
	case to.Activity != "":
		p := lower(to.Activity)
		node := fmt.Sprintf("(t:Group WHERE %s)", visibleGroup(fmt.Sprintf("(toLower(trim(t.activity)) = %s OR toLower(trim(t.name)) = %s)", p, p)))
		return through("-[tie:MEMBER_OF]->", node), node, nil
	case to.Interest != "":
		node := fmt.Sprintf("(t:Interest WHERE toLower(trim(t.name)) = %s)", lower(to.Interest))
		return through("-[tie:INTERESTED_IN]->", node), node, nil
	default:
		if l, ok := nodeid.Label(to.PersonID); !ok || l != "Person" {
			return "", "", apierr.BadInput("to.personId", "is not the id of a Person")
		}
		if to.PersonID == from {
			return "", "", apierr.BadInput("to.personId", "is the person the route starts from")
		}
		node := fmt.Sprintf("(t:Person WHERE %s)", andJoin("t.id = "+b.param(to.PersonID), b.personPredicate("t")))
		return b.hops(spec, "Person", excl, 1, spec.MaxHops) + node, node, nil
	}
}

// Routes finds routes from a person to a target. mode is SHORTEST (at most one route),
// ALL_SHORTEST (every route of the shortest length, at most k) or DISJOINT (up to k routes,
// each the shortest sharing no intermediary with those before). sel shapes each Route.
func (s *Store) Routes(ctx context.Context, scope Scope, from string, to Target, spec RouteSpec, mode string, k int, sel *Selection) ([]*Record, error) {
	if l, ok := nodeid.Label(from); !ok || l != "Person" {
		return nil, apierr.BadInput("from", "is not the id of a Person")
	}
	if k < 1 || k > MaxRoutes {
		return nil, apierr.BadInput("k", "must be between 1 and %d", MaxRoutes)
	}
	if err := s.checkSpec(spec, []string{"Person"}, "options", "options.maxHops"); err != nil {
		return nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	excl := b.param([]string{})
	route, count, err := b.targetPattern(to, spec, from, excl)
	if err != nil {
		return nil, err
	}
	selector, limit := "SHORTEST 1", 1
	if mode == "ALL_SHORTEST" {
		selector, limit = "ALL SHORTEST", routesPerQuery
	}
	proj, err := b.routeProjection("p", sel)
	if err != nil {
		return nil, err
	}
	// The targets are counted only when there is no route, to tell "nothing matches the
	// target" from "no route to it": counting every group that matches an activity costs a
	// quarter of the statement at 100k people.
	q := fmt.Sprintf(`%s
WITH a, COLLECT { MATCH p = %s (a)%s WITH p ORDER BY length(p) LIMIT %d RETURN %s } AS routes
RETURN a IS NOT NULL AS found, CASE WHEN size(routes) = 0 THEN COUNT { MATCH %s } ELSE -1 END AS targets, routes`,
		b.scopedPerson("a", from), selector, route, limit, proj, count)
	// Only disjoint routes take more than one statement, which must see one state of the
	// graph: they run in one read transaction, the others as a single read.
	find := func(run func(params map[string]any) ([]*neo4j.Record, error)) ([]*Record, error) {
		var out []*Record
		var used []string
		for {
			params := copyParams(b.params)
			params[excl[1:]] = used
			recs, err := run(params)
			if err != nil {
				return nil, err
			}
			row := recs[0]
			if found, _ := row.Values[0].(bool); !found {
				return nil, apierr.Missing("from", "no Person has id %s", from)
			}
			if n, _ := row.Values[1].(int64); n == 0 {
				return nil, apierr.Missing("to", "nothing matches the target")
			}
			routes, _ := row.Values[2].([]any)
			if len(routes) == 0 {
				return out, nil
			}
			first := decodeRecord(routes[0])
			switch mode {
			case "ALL_SHORTEST":
				for _, r := range routes {
					rec := decodeRecord(r)
					if rec.Props["length"] != first.Props["length"] || len(out) == k {
						break
					}
					out = append(out, rec)
				}
				return out, nil
			case "DISJOINT":
				out = append(out, first)
				ids, _ := first.Props["nodeIds"].([]any)
				if len(out) == k || len(ids) <= 2 {
					return out, nil // a route with no intermediary cannot be avoided
				}
				for _, id := range ids[1 : len(ids)-1] {
					used = append(used, id.(string))
				}
			default:
				return []*Record{first}, nil
			}
		}
	}
	if mode != "DISJOINT" {
		return find(func(params map[string]any) ([]*neo4j.Record, error) { return s.query(ctx, q, params) })
	}
	res, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return find(func(params map[string]any) ([]*neo4j.Record, error) { return s.run(ctx, tx, q, params) })
	})
	if err != nil {
		return nil, err
	}
	return res.([]*Record), nil
}

// AuthorityLink is someone on the routes from a person to authority.
type AuthorityLink struct {
	Record        *Record
	Hops          int
	ShortestRoute int
	RouteCount    int
	Authorities   int
}

// Reached is a node and the ties it takes to reach it.
type Reached struct {
	Record *Record
	Hops   int
}

// AuthorityLinks is the answer to linksToAuthority.
type AuthorityLinks struct {
	Authorities []Reached
	Links       []AuthorityLink
	Routes      []*Record
}

// LinksToAuthority finds every shortest route from a person to each authority person or
// organisation within spec.MaxHops, and ranks the people and organisations on them that
// are not authorities themselves (an authority on the way is one reached).
// nodeSel shapes the nodes of links and authorities, routeSel the routes (nil: none).
func (s *Store) LinksToAuthority(ctx context.Context, scope Scope, person string, spec RouteSpec, nodeSel, routeSel *Selection) (*AuthorityLinks, error) {
	if l, ok := nodeid.Label(person); !ok || l != "Person" {
		return nil, apierr.BadInput("person", "is not the id of a Person")
	}
	if err := s.checkSpec(spec, []string{"Person", "Organisation"}, "options", "maxHops"); err != nil {
		return nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	find := b.scopedPerson("a", person)
	id := b.param(person)
	authority := "t.isAuthority = true AND t.id <> " + id
	if guard := b.personGuard("t"); guard != "" {
		authority += " AND " + guard
	}
	nodeProj, err := b.nodeProjection("n", b.allLabels(), nodeSel)
	if err != nil {
		return nil, err
	}
	routes := "[]"
	if routeSel != nil {
		proj, err := b.routeProjection("p", routeSel)
		if err != nil {
			return nil, err
		}
		routes = fmt.Sprintf(`COLLECT { UNWIND ps AS p WITH p ORDER BY length(p) WITH last(nodes(p)) AS t, head(collect(p)) AS p
  WITH p ORDER BY length(p), last(nodes(p)).id LIMIT 50 RETURN %s }`, proj)
	}
	q := fmt.Sprintf(`%[1]s
CALL (a) {
  MATCH p = ALL SHORTEST (a)%[2]s(t:Person|Organisation WHERE %[6]s)
  WITH p LIMIT %[3]d
  RETURN collect(p) AS ps
}
RETURN a IS NOT NULL AS found, [p IN ps | [n IN nodes(p) | n.id]] AS paths,
  COLLECT { UNWIND ps AS p UNWIND tail(nodes(p)) AS n WITH DISTINCT n RETURN %[4]s } AS nodes,
  %[5]s AS routes,
  COLLECT { UNWIND ps AS p UNWIND nodes(p) AS n WITH DISTINCT n WHERE n.isAuthority = true RETURN n.id } AS authorities`,
		find, b.hops(spec, "Person|Organisation", "", 1, spec.MaxHops), routesPerQuery, nodeProj, routes, authority)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		return nil, apierr.Missing("person", "no Person has id %s", person)
	}
	nodes := map[string]*Record{}
	for _, n := range row.Values[2].([]any) {
		rec := decodeRecord(n)
		nodes[rec.Props["id"].(string)] = rec
	}
	out := &AuthorityLinks{}
	for _, r := range row.Values[3].([]any) {
		out.Routes = append(out.Routes, decodeRecord(r))
	}
	type tally struct {
		hops, shortest, routes int
		auth                   map[string]bool
	}
	// An authority on the way to another is reached itself: it is not a link.
	isAuthority := map[string]bool{}
	for _, id := range row.Values[4].([]any) {
		isAuthority[id.(string)] = true
	}
	links := map[string]*tally{}
	authHops := map[string]int{}
	for _, p := range row.Values[1].([]any) {
		ids := p.([]any)
		length := len(ids) - 1
		auth := ids[length].(string)
		if h, ok := authHops[auth]; !ok || length < h {
			authHops[auth] = length
		}
		for i, x := range ids[1:length] {
			id := x.(string)
			if isAuthority[id] {
				continue
			}
			t := links[id]
			if t == nil {
				t = &tally{hops: i + 1, shortest: length, auth: map[string]bool{}}
				links[id] = t
			}
			t.hops, t.shortest = min(t.hops, i+1), min(t.shortest, length)
			t.routes++
			t.auth[auth] = true
		}
	}
	for id, h := range authHops {
		out.Authorities = append(out.Authorities, Reached{Record: nodes[id], Hops: h})
	}
	sort.Slice(out.Authorities, func(i, j int) bool {
		a, b := out.Authorities[i], out.Authorities[j]
		return a.Hops < b.Hops || a.Hops == b.Hops && a.Record.Props["id"].(string) < b.Record.Props["id"].(string)
	})
	for id, t := range links {
		out.Links = append(out.Links, AuthorityLink{Record: nodes[id], Hops: t.hops, ShortestRoute: t.shortest, RouteCount: t.routes, Authorities: len(t.auth)})
	}
	sort.Slice(out.Links, func(i, j int) bool {
		a, b := out.Links[i], out.Links[j]
		if a.ShortestRoute != b.ShortestRoute {
			return a.ShortestRoute < b.ShortestRoute
		}
		if a.RouteCount != b.RouteCount {
			return a.RouteCount > b.RouteCount
		}
		if a.Hops != b.Hops {
			return a.Hops < b.Hops
		}
		return a.Record.Props["id"].(string) < b.Record.Props["id"].(string)
	})
	return out, nil
}

// defaultIsolationKinds are the ties whose absence makes someone isolated: Kith's one
// definition of an isolated person (schema/questions.graphqls, IsolationMeasure) is no tie
// of these kinds with anyone or anything, in either direction, in any wave.
var defaultIsolationKinds = []string{"KNOWS", "TRUSTS", "GETS_INFO_FROM", "ENCOURAGES", "MEMBER_OF"}

// IsolatesArgs select isolated people.
type IsolatesArgs struct {
	PageArgs
	Kinds   []string
	Measure string // ALL_TIES, NAMED_NOBODY, NAMED_BY_NOBODY
	MaxTies int
	AreaID  string
	WaveID  string
}

func (s *Store) tieKinds(kinds []string, def []string, field string) ([]string, error) {
	if kinds == nil {
		return def, nil
	}
	if len(kinds) == 0 {
		return nil, apierr.BadInput(field, "is empty")
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		if _, ok := s.schema.Ties[k]; !ok {
			return nil, apierr.BadInput(field, "%q is not a tie kind", k)
		}
		out[i] = quote(k)
	}
	sort.Strings(out)
	return out, nil
}

// inArea is a predicate: node v lives in (people) or is in the area, or an area inside it.
func inArea(v, tie, areaParam string) string {
	return fmt.Sprintf("EXISTS { MATCH (%s)-[:%s]->(:Area)-[:IN]->{0,6}(:Area {id: %s}) }", v, tie, areaParam)
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
	return s.page(ctx, b, match, "n, o, i, ties", "ties ASC, n.displayName ASC, n.id ASC", item, args.PageArgs, wantTotal, nil)
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
		return "", "", apierr.BadInput("maxTies", "must not be negative")
	}
	var conds []string
	if pred := b.personPredicate("n"); pred != "" {
		conds = append(conds, pred)
	}
	if args.AreaID != "" {
		if l, ok := nodeid.Label(args.AreaID); !ok || l != "Area" {
			return "", "", apierr.BadInput("areaId", "is not the id of an Area")
		}
		conds = append(conds, inArea("n", "LIVES_IN", b.param(args.AreaID)))
	}
	wave := ""
	if args.WaveID != "" {
		if l, ok := nodeid.Label(args.WaveID); !ok || l != "Wave" {
			return "", "", apierr.BadInput("waveId", "is not the id of a Wave")
		}
		wave = " WHERE r.wave = " + b.param(args.WaveID)
	}
	measure := map[string]string{"": "o + i", "ALL_TIES": "o + i", "NAMED_NOBODY": "o", "NAMED_BY_NOBODY": "i"}[args.Measure]
	if measure == "" {
		return "", "", apierr.BadInput("measure", "must be ALL_TIES, NAMED_NOBODY or NAMED_BY_NOBODY")
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

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}

// contactKinds are the ties through which someone or something could reach a person, in
// the order a worker would try them (KNOWS is split by strength in the ranking).
var contactKinds = []string{"TRUSTS", "KNOWS", "SEES", "MEMBER_OF", "USES", "GETS_INFO_FROM", "ENCOURAGES"}

// TrustedContacts returns the ties through which a person could be reached, each a Contact
// record with "out" (the person made the tie), the node under "node" and the tie under
// "tie". One per kind, node, direction and purpose: the most recently recorded.
func (s *Store) TrustedContacts(ctx context.Context, scope Scope, person string, first int, nodeSel, tieSel *Selection) ([]*Record, error) {
	if l, ok := nodeid.Label(person); !ok || l != "Person" {
		return nil, apierr.BadInput("person", "is not the id of a Person")
	}
	if first < 0 || first > MaxNested {
		return nil, apierr.BadInput("first", "must be between 0 and %d", MaxNested)
	}
	b := newScopedBuilder(s.schema, scope)
	find := b.scopedPerson("p", person)
	visible := ""
	if pred := b.tiePredicate("p", "r", "m"); pred != "" {
		visible = " WHERE " + pred
	}
	nodeProj, err := b.nodeProjection("m", b.allLabels(), nodeSel)
	if err != nil {
		return nil, err
	}
	tieProj, err := b.tieProjection(tieEnds{r: "r", from: "ra", to: "rz", other: "m"}, "Tie", tieSel)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`%s
RETURN p IS NOT NULL AS found, COLLECT {
  MATCH (p)-[r:%s]-(m)%s
  WITH p, r, m ORDER BY coalesce(r.recordedAt, r.createdAt) DESC
  WITH p, m, type(r) AS kind, startNode(r) = p AS out, r.for AS purpose, head(collect(r)) AS r
  WITH m, out, r, startNode(r) AS ra, endNode(r) AS rz,
    CASE type(r) WHEN 'TRUSTS' THEN 0 WHEN 'KNOWS' THEN CASE r.strength WHEN 'STRONG' THEN 1 ELSE 6 END
      WHEN 'SEES' THEN 2 WHEN 'MEMBER_OF' THEN 3 WHEN 'USES' THEN 4 WHEN 'GETS_INFO_FROM' THEN 5 ELSE 7 END AS rank
  ORDER BY rank, out DESC, coalesce(m.displayName, m.name, m.role), m.id
  LIMIT %s
  RETURN {%s: 'Contact', out: out, %s: %s, %s: %s}
} AS contacts`, find, strings.Join(quoteAll(contactKinds), "|"), visible, b.param(int64(first)),
		typenameKey, quote(relPrefix+"node"), nodeProj, quote(relPrefix+"tie"), tieProj)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		return nil, apierr.Missing("person", "no Person has id %s", person)
	}
	var out []*Record
	for _, c := range row.Values[1].([]any) {
		out = append(out, decodeRecord(c))
	}
	return out, nil
}

// FamiliarStrangers ranks familiar strangers by how many people with at most maxTies ties
// of the isolation kinds they see. Each record is a FamiliarStrangerReach: seen,
// isolatedSeen, the familiar stranger under "familiarStranger" and people under "isolated".
func (s *Store) FamiliarStrangers(ctx context.Context, scope Scope, areaID string, maxTies, first int, fsSel, personSel *Selection) ([]*Record, error) {
	if maxTies < 0 {
		return nil, apierr.BadInput("maxTies", "must not be negative")
	}
	if first < 0 || first > MaxNested {
		return nil, apierr.BadInput("first", "must be between 0 and %d", MaxNested)
	}
	b := newScopedBuilder(s.schema, scope)
	seenConds := []string{b.personPredicate("p")}
	// With an area, a familiar stranger counts the people they see who live there, wherever
	// the stranger is recorded, and one who sees nobody there is left out.
	where := ""
	if areaID != "" {
		if l, ok := nodeid.Label(areaID); !ok || l != "Area" {
			return nil, apierr.BadInput("areaId", "is not the id of an Area")
		}
		seenConds = append(seenConds, inArea("p", "LIVES_IN", b.param(areaID)))
		where = " WHERE seen > 0"
	}
	seen := ""
	if pred := andJoin(seenConds...); pred != "" {
		seen = " WHERE " + pred
	}
	fsProj, err := b.nodeProjection("f", []string{"FamiliarStranger"}, fsSel)
	if err != nil {
		return nil, err
	}
	pProj, err := b.nodeProjection("q", []string{"Person"}, personSel)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`MATCH (f:FamiliarStranger)
CALL (f) {
  MATCH (f)-[:SEES]->(p:Person)%[2]s
  WITH DISTINCT p
  WITH p, COUNT { (p)-[:%[3]s]-() } AS deg
  RETURN count(p) AS seen, collect(CASE WHEN deg <= %[4]s THEN {p: p, deg: deg} END) AS lonely
}
WITH f, seen, lonely%[1]s
WITH f, seen, lonely ORDER BY size(lonely) DESC, seen DESC, f.id LIMIT %[5]s
RETURN {%[6]s: 'FamiliarStrangerReach', seen: seen, isolatedSeen: size(lonely), %[7]s: %[8]s,
  %[9]s: COLLECT { UNWIND lonely AS x WITH x ORDER BY x.deg, x.p.id LIMIT 50 WITH x.p AS q RETURN %[10]s }}`,
		where, seen, strings.Join(quoteAll(defaultIsolationKinds), "|"), b.param(int64(maxTies)), b.param(int64(first)),
		typenameKey, quote(relPrefix+"familiarStranger"), fsProj, quote(relPrefix+"isolated"), pProj)
	return s.readRecords(ctx, q, b.params)
}

// readRow runs a read that answers one row, and returns it.
func (s *Store) readRow(ctx context.Context, q string, params map[string]any) (*neo4j.Record, error) {
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// readRecords runs a read whose rows are one projected record each.
func (s *Store) readRecords(ctx context.Context, q string, params map[string]any) ([]*Record, error) {
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return nil, err
	}
	out := make([]*Record, len(recs))
	for i, r := range recs {
		out[i] = decodeRecord(r.Values[0])
	}
	return out, nil
}

// Ego is the network around a node.
type Ego struct {
	Nodes     []Reached
	Ties      []*Record
	Truncated bool
}

// EgoNetwork returns the nodes within hops of a node over the given kinds (all when nil),
// nearest first and at most maxNodes, and the ties of those kinds between them.
func (s *Store) EgoNetwork(ctx context.Context, scope Scope, id string, hops int, kinds []string, maxNodes int, nodeSel, tieSel *Selection) (*Ego, error) {
	label, ok := nodeid.Label(id)
	if !ok || label == "Tie" {
		return nil, apierr.BadInput("id", "is not a Kith node id")
	}
	if hops < 1 || hops > MaxEgoHops {
		return nil, apierr.BadInput("hops", "must be between 1 and %d", MaxEgoHops)
	}
	if maxNodes < 1 || maxNodes > MaxEgoNodes {
		return nil, apierr.BadInput("maxNodes", "must be between 1 and %d", MaxEgoNodes)
	}
	types, err := s.tieKinds(kinds, quoteAll(s.schema.TieOrder), "kinds")
	if err != nil {
		return nil, err
	}
	rel := strings.Join(types, "|")
	b := newScopedBuilder(s.schema, scope)
	centre := ""
	if guard := b.personGuard("c"); guard != "" {
		centre = " WHERE " + guard
	}
	hop, between := "", ""
	if pred := b.tiePredicate("x", "r", "y"); pred != "" {
		hop, between = " WHERE "+pred, " AND "+pred
	}
	nodeProj, err := b.nodeProjection("n", b.allLabels(), nodeSel)
	if err != nil {
		return nil, err
	}
	tieProj, err := b.tieProjection(tieEnds{r: "r", from: "x", to: "y", other: "y"}, "Tie", tieSel)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`OPTIONAL MATCH (c:%[1]s {id: %[2]s})%[9]s
CALL (c) {
  MATCH p = ANY SHORTEST (c)((x)-[r:%[3]s]-(y)%[10]s){1,%[4]d}(m WHERE m <> c)
  WITH m, length(p) AS d ORDER BY d, m.id LIMIT %[5]s
  RETURN collect({n: m, d: d}) AS reached
}
WITH c, [{n: c, d: 0}] + reached AS reached
WITH c, reached[0..%[6]s] AS kept, size(reached) > %[6]s AS truncated
WITH c, kept, truncated, [x IN kept | x.n.id] AS ids
RETURN c IS NOT NULL AS found, truncated,
  COLLECT { UNWIND kept AS x WITH x.n AS n, x.d AS d RETURN {d: d, node: %[7]s} } AS nodes,
  COLLECT { UNWIND kept AS k WITH k.n AS x, ids MATCH (x)-[r:%[3]s]->(y) WHERE y.id IN ids%[11]s RETURN %[8]s } AS ties`,
		quote(label), b.param(id), rel, hops, b.param(int64(maxNodes+1)), b.param(int64(maxNodes)), nodeProj, tieProj, centre, hop, between)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		return nil, apierr.Missing("id", "no node has id %s", id)
	}
	out := &Ego{Truncated: row.Values[1].(bool)}
	for _, n := range row.Values[2].([]any) {
		m := n.(map[string]any)
		out.Nodes = append(out.Nodes, Reached{Record: decodeRecord(m["node"]), Hops: int(m["d"].(int64))})
	}
	for _, t := range row.Values[3].([]any) {
		out.Ties = append(out.Ties, decodeRecord(t))
	}
	return out, nil
}

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
		return 0, nil, apierr.BadInput("people", "must name between 1 and %d people", MaxReachFrom)
	}
	for i, id := range people {
		if l, ok := nodeid.Label(id); !ok || l != "Person" {
			return 0, nil, apierr.BadInput(fmt.Sprintf("people[%d]", i), "is not the id of a Person")
		}
	}
	if hops < 1 || hops > MaxReachHops {
		return 0, nil, apierr.BadInput("hops", "must be between 1 and %d", MaxReachHops)
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
		return 0, nil, apierr.BadInput("through", "must be PEOPLE or ANYTHING")
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
			return 0, nil, apierr.Missing(fmt.Sprintf("people[%d]", i), "no Person has id %s", id)
		}
	}
	byHops = make([]int, hops)
	for _, d := range row.Values[1].([]any) {
		byHops[d.(int64)-1]++
		total++
	}
	return total, byHops, nil
}
